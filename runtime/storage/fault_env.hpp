#pragma once
// An env that forwards to another one and fails on command, for tests of what the log does when
// the disk misbehaves: short writes, failed fsyncs, a full device. Each armed fault fires once
// (the space limit stays until cleared). Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/storage/file.hpp"

namespace brook::runtime::storage {

class fault_env final : public env {
 public:
  /// `base` must outlive this env and every file opened through it.
  explicit fault_env(env& base);

  /// The next append (to any file) writes only its first min(k, n) bytes, then fails with
  /// errc::io_error, as a short write followed by an I/O error would.
  void fail_next_append_after(size_t k);
  /// The next sync (of any file or directory) fails with errc::io_error.
  void fail_next_sync();
  /// From now on, appends through this env may add at most `bytes` in total (net of truncations);
  /// the append that crosses the limit writes what fits and fails with errc::disk_full (ENOSPC).
  void set_space_limit(uint64_t bytes);
  /// A power loss: every file opened through this env is cut back to its length at its last
  /// successful sync (at its first open, if never synced), as if the page cache were lost.
  /// Call with those files closed; renames and removals are not undone.
  void lose_unsynced();
  /// Disarms everything.
  void clear();

  /// Counters, for assertions.
  uint64_t appends() const;
  uint64_t syncs() const;

  result<std::unique_ptr<file>> open(const std::string& path) override;
  status remove(const std::string& path) override;
  status rename(const std::string& from, const std::string& to) override;
  result<std::vector<std::string>> list(const std::string& dir) override;
  status create_dirs(const std::string& dir) override;
  bool exists(const std::string& path) override;
  status sync_dir(const std::string& dir) override;

  /// Shared by the env and its files (files may outlive a test's expectations of the env).
  struct state {
    std::mutex mu;
    std::optional<size_t> short_append;  // armed: bytes the next append writes before failing
    bool fail_sync = false;
    std::optional<uint64_t> space_limit;
    uint64_t space_used = 0;  // net bytes appended since the limit was set
    uint64_t appends = 0;
    uint64_t syncs = 0;
    std::map<std::string, uint64_t> durable;  // by path: the length a power loss leaves
  };

 private:
  env& base_;
  std::shared_ptr<state> state_;
};

}  // namespace brook::runtime::storage
