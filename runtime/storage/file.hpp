#pragma once
// The storage I/O seam (LevelDB's Env): everything the log does to the file system goes through
// `env` and `file`, so tests can inject short writes, failed fsyncs and a full disk
// (fault_env.hpp).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.hpp"

namespace brook::runtime::storage {

/// One open file, read anywhere, written only at its end.
/// Thread safety: none, except that sync() may run on another thread concurrently with append().
class file {
 public:
  virtual ~file() = default;
  /// Writes all `n` bytes at the end of the file, or fails: errc::disk_full when the device is
  /// full, errc::io_error otherwise. After a failure some prefix of the bytes may have been
  /// written; size() says how many, and truncate() removes them.
  virtual status append(const void* data, size_t n) = 0;
  /// Reads up to `n` bytes at `pos` (pread); fewer only at end of file. Does not move anything.
  virtual result<size_t> read_at(uint64_t pos, void* buf, size_t n) const = 0;
  /// Makes everything appended so far durable (fdatasync).
  virtual status sync() = 0;
  /// Shrinks (or extends with zeros) the file to `size` bytes.
  virtual status truncate(uint64_t size) = 0;
  /// Current length in bytes, including any prefix a failed append left behind.
  virtual uint64_t size() const = 0;
  /// The open descriptor, for sendfile(2) of ranges already written; -1 when there is none
  /// (test files), and readers then use read_at.
  virtual int descriptor() const { return -1; }
};

/// The file system as the log sees it. Implementations are thread-safe.
class env {
 public:
  virtual ~env() = default;
  /// Opens `path` for reading and appending, creating it empty if missing.
  virtual result<std::unique_ptr<file>> open(const std::string& path) = 0;
  /// Deletes a file; errc::not_found if it does not exist.
  virtual status remove(const std::string& path) = 0;
  /// Renames `from` to `to`, atomically replacing `to` if it exists (rename(2)); durable only
  /// after sync_dir of the directory.
  virtual status rename(const std::string& from, const std::string& to) = 0;
  /// Names (not paths) of the entries of `dir`, without "." and "..", in no particular order.
  virtual result<std::vector<std::string>> list(const std::string& dir) = 0;
  /// mkdir -p.
  virtual status create_dirs(const std::string& dir) = 0;
  virtual bool exists(const std::string& path) = 0;
  /// Makes creations and deletions of entries in `dir` durable (fsync of the directory).
  virtual status sync_dir(const std::string& dir) = 0;

  /// The real file system. Lives for the whole process.
  static env& posix();
};

/// dir + "/" + name.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace brook::runtime::storage
