#pragma once
// State stores underneath the typed views: an ordered byte map (in memory or RocksDB), and the
// per-task store instance that also writes every change to the store's changelog topic and knows
// how far the changelog is acknowledged (its checkpoint, committed with the input offsets).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>

namespace brook::streams::detail {

class task_context;

/// An ordered map of byte strings. One owner (its task).
class bytes_store {
 public:
  virtual ~bytes_store() = default;
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  virtual void put(const std::string& key, const std::string& value) = 0;
  virtual void remove(const std::string& key) = 0;
  /// Entries with from <= key < to (`to` empty: to the end) in key order, until `fn` says stop.
  using visitor = std::function<bool(const std::string& key, const std::string& value)>;
  virtual void range(const std::string& from, const std::string& to, const visitor& fn) const = 0;
  virtual size_t approximate_count() const = 0;
  /// Drops every entry (before a restore from the changelog).
  virtual void clear() = 0;
  virtual void flush() {}
};

std::unique_ptr<bytes_store> make_memory_store();
/// A RocksDB database in `dir` (created; emptied first, since the changelog is the truth).
/// Throws std::runtime_error naming the directory when it cannot be opened.
std::unique_ptr<bytes_store> make_rocksdb_store(const std::string& dir);

enum class store_kind { key_value, window, session };

class store_instance;

/// A store as the topology defines it.
struct store_def {
  std::string name;
  store_kind kind = store_kind::key_value;
  bool persistent = false;  // RocksDB under state.dir, else in memory
  bool logged = true;       // changes go to the changelog topic
  /// Set when the store is a table read from a topic: that topic is its changelog and the
  /// committed input offset its checkpoint; the store itself writes nothing to it.
  std::string source_topic;
  int64_t retention_ms = 0;    // window and session stores: how long windows are kept
  int64_t window_size_ms = 0;  // window stores
  std::type_index view_type{typeid(void)};
  std::string view_name;
  /// The typed view (kv_store<K,V>, ...) a processor gets from state_store<Store>().
  std::function<std::shared_ptr<void>(store_instance&)> make_view;
};

/// One store of one task.
class store_instance {
 public:
  store_instance(const store_def& def, task_context& task, std::unique_ptr<bytes_store> inner,
                 std::string changelog_topic);
  const store_def& def() const { return def_; }
  task_context& task() const { return task_; }

  std::optional<std::string> get(const std::string& key) const { return inner_->get(key); }
  void put(const std::string& key, const std::string& value);
  void remove(const std::string& key);
  void range(const std::string& from, const std::string& to, const bytes_store::visitor& fn) const {
    inner_->range(from, to, fn);
  }
  size_t approximate_count() const { return inner_->approximate_count(); }

  /// Restoring: applies a changelog record without logging it (value nullopt: delete).
  void restore(const std::string& key, const std::optional<std::string>& value);
  bytes_store& inner() { return *inner_; }

  /// The topic holding this store's changes ("" when not logged).
  const std::string& changelog_topic() const { return changelog_; }
  /// The changelog offset after the last change acknowledged in this run; -1 before any.
  int64_t checkpoint() const { return checkpoint_; }
  /// Changes sent to the changelog and not acknowledged yet.
  int64_t unacknowledged() const { return in_flight_; }
  /// A changelog write was acknowledged at `offset` (called on the task's thread).
  void acknowledged(int64_t offset);
  void* view() const { return view_.get(); }
  /// The collector channel of this store's changelog writes (set by the task).
  uint32_t channel = 0;

 private:
  void log(const std::string& key, const std::optional<std::string>& value);
  const store_def& def_;
  task_context& task_;
  std::unique_ptr<bytes_store> inner_;
  std::string changelog_;
  std::shared_ptr<void> view_;
  int64_t checkpoint_ = -1;
  int64_t in_flight_ = 0;
};

}  // namespace brook::streams::detail
