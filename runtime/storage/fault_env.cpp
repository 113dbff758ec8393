#include "runtime/storage/fault_env.hpp"

#include <algorithm>

namespace brook::runtime::storage {

namespace {

class fault_file final : public file {
 public:
  fault_file(std::unique_ptr<file> inner, std::shared_ptr<fault_env::state> st, std::string path)
      : inner_(std::move(inner)), st_(std::move(st)), path_(std::move(path)) {}

  status append(const void* data, size_t n) override {
    size_t allowed = n;
    status fault;
    {
      std::lock_guard<std::mutex> lock(st_->mu);
      ++st_->appends;
      if (st_->short_append) {
        allowed = std::min(allowed, *st_->short_append);
        st_->short_append.reset();
        fault = status(errc::io_error, "injected short write to " + path_);
      }
      if (st_->space_limit) {
        uint64_t room =
            *st_->space_limit > st_->space_used ? *st_->space_limit - st_->space_used : 0;
        if (room < allowed) {
          allowed = size_t(room);
          fault = status(errc::disk_full, "injected ENOSPC writing " + path_);
        }
        st_->space_used += allowed;
      }
    }
    if (allowed > 0) {
      status s = inner_->append(data, allowed);
      if (!s) return s;
    }
    return fault;
  }

  result<size_t> read_at(uint64_t pos, void* buf, size_t n) const override {
    return inner_->read_at(pos, buf, n);
  }

  status sync() override {
    {
      std::lock_guard<std::mutex> lock(st_->mu);
      ++st_->syncs;
      if (st_->fail_sync) {
        st_->fail_sync = false;
        return {errc::io_error, "injected fdatasync failure on " + path_};
      }
    }
    uint64_t len = inner_->size();
    status s = inner_->sync();
    if (s) {
      std::lock_guard<std::mutex> lock(st_->mu);
      st_->durable[path_] = std::max(st_->durable[path_], len);
    }
    return s;
  }

  status truncate(uint64_t size) override {
    uint64_t before = inner_->size();
    status s = inner_->truncate(size);
    if (s && size < before) {
      std::lock_guard<std::mutex> lock(st_->mu);
      st_->space_used -= std::min(st_->space_used, before - size);
      auto& d = st_->durable[path_];
      d = std::min(d, size);
    }
    return s;
  }

  uint64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<file> inner_;
  std::shared_ptr<fault_env::state> st_;
  std::string path_;
};

}  // namespace

fault_env::fault_env(env& base) : base_(base), state_(std::make_shared<state>()) {}

void fault_env::fail_next_append_after(size_t k) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->short_append = k;
}

void fault_env::fail_next_sync() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->fail_sync = true;
}

void fault_env::set_space_limit(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->space_limit = bytes;
  state_->space_used = 0;
}

void fault_env::clear() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->short_append.reset();
  state_->fail_sync = false;
  state_->space_limit.reset();
  state_->space_used = 0;
}

void fault_env::lose_unsynced() {
  std::map<std::string, uint64_t> durable;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    durable = state_->durable;
  }
  for (const auto& [path, len] : durable) {
    if (!base_.exists(path)) continue;
    auto f = base_.open(path);
    if (f && (*f)->size() > len) (*f)->truncate(len);
  }
}

uint64_t fault_env::appends() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->appends;
}

uint64_t fault_env::syncs() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->syncs;
}

result<std::unique_ptr<file>> fault_env::open(const std::string& path) {
  auto f = base_.open(path);
  if (!f) return f.error();
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->durable.emplace(path, (*f)->size());
  }
  return std::unique_ptr<file>(new fault_file(std::move(*f), state_, path));
}

status fault_env::remove(const std::string& path) {
  return base_.remove(path);
}

status fault_env::rename(const std::string& from, const std::string& to) {
  return base_.rename(from, to);
}

result<std::vector<std::string>> fault_env::list(const std::string& dir) {
  return base_.list(dir);
}

status fault_env::create_dirs(const std::string& dir) {
  return base_.create_dirs(dir);
}

bool fault_env::exists(const std::string& path) {
  return base_.exists(path);
}

status fault_env::sync_dir(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    ++state_->syncs;
    if (state_->fail_sync) {
      state_->fail_sync = false;
      return {errc::io_error, "injected fsync failure on directory " + dir};
    }
  }
  return base_.sync_dir(dir);
}

}  // namespace brook::runtime::storage
