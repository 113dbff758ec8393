// The persistent byte store: one RocksDB database per (task, store) under state.dir. The
// changelog is the truth, so a store is emptied when it opens and rebuilt from it.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <stdexcept>

#include "actors/streams/detail/store.hpp"

namespace brook::streams::detail {

namespace {

class rocksdb_store : public bytes_store {
 public:
  explicit rocksdb_store(std::string dir) : dir_(std::move(dir)) { open(); }
  ~rocksdb_store() override { db_.reset(); }

  std::optional<std::string> get(const std::string& key) const override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), key, &v);
    if (s.IsNotFound()) return std::nullopt;
    check(s, "get");
    return v;
  }
  void put(const std::string& key, const std::string& value) override {
    check(db_->Put(write_options(), key, value), "put");
  }
  void remove(const std::string& key) override {
    check(db_->Delete(write_options(), key), "delete");
  }
  void range(const std::string& from, const std::string& to, const visitor& fn) const override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(from); it->Valid(); it->Next()) {
      auto k = it->key().ToString();
      if (!to.empty() && k >= to) break;
      if (!fn(k, it->value().ToString())) break;
    }
    check(it->status(), "iterate");
  }
  size_t approximate_count() const override {
    uint64_t n = 0;
    db_->GetIntProperty("rocksdb.estimate-num-keys", &n);
    return size_t(n);
  }
  void clear() override {
    db_.reset();
    open();
  }
  void flush() override { db_->Flush(rocksdb::FlushOptions()); }

 private:
  // No WAL: after a crash the store is rebuilt from the changelog anyway.
  static rocksdb::WriteOptions write_options() {
    rocksdb::WriteOptions w;
    w.disableWAL = true;
    return w;
  }
  void open() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    rocksdb::Options opts;
    opts.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    auto s = rocksdb::DB::Open(opts, dir_, &db);
    if (!s.ok())
      throw std::runtime_error("cannot open RocksDB store in " + dir_ + ": " + s.ToString());
    db_.reset(db);
  }
  void check(const rocksdb::Status& s, const char* what) const {
    if (!s.ok())
      throw std::runtime_error(std::string("RocksDB ") + what + " in " + dir_ + ": " +
                               s.ToString());
  }
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::unique_ptr<bytes_store> make_rocksdb_store(const std::string& dir) {
  return std::make_unique<rocksdb_store>(dir);
}

}  // namespace brook::streams::detail
