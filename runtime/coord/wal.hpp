#pragma once
// The coordinator's write-ahead log (format in format.hpp): one CRC-framed record per mutation,
// appended and fsynced through the storage env (so tests inject faults) before the store applies
// the mutation. Owned by one store; not thread-safe.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/bytes.hpp"
#include "runtime/coord/format.hpp"
#include "runtime/status.hpp"
#include "runtime/storage/file.hpp"

namespace brook::runtime::coord {

/// One mutation. Which fields matter depends on `kind` (format.hpp); the others stay default.
struct wal_record {
  format::record_kind kind = format::record_kind::create;
  int64_t seq = 0;
  std::string path;        // create, set, remove
  std::string value;       // create, set
  int64_t version = 0;     // set: the node's new version
  uint64_t session = 0;    // create: ephemeral owner (0 = persistent); open/close_session
  int64_t timeout_ms = 0;  // open_session
};

/// Appends `r` to `out` as one frame.
void encode_record(const wal_record& r, bytes& out);
/// Decodes one frame's payload: errc::corrupt_message if it is malformed, has trailing bytes or
/// an unknown kind.
result<wal_record> decode_record(const uint8_t* payload, size_t n);

class wal {
 public:
  struct replay_stats {
    uint64_t records = 0;          // frames read back whole (including ones the visitor skipped)
    uint64_t truncated_bytes = 0;  // torn or CRC-failing tail cut off
  };
  /// Called for each record, in file order; an error stops the open and is returned.
  using visitor = std::function<status(wal_record&&)>;

  /// Opens (creating if missing) the WAL at `path` and hands every record to `fn`. The first
  /// frame that is cut short or fails its CRC ends the log: the file is truncated there and
  /// synced. A CRC-valid frame that does not decode fails the open (errc::corrupt_message).
  /// REQUIRES: `env` outlives the wal.
  static result<std::unique_ptr<wal>> open(storage::env& env, const std::string& path,
                                           const visitor& fn, replay_stats* stats = nullptr);

  /// Appends `frames` (one or more encoded records) and syncs: all or nothing. On failure the
  /// bytes are cut off again, so a later append cannot land behind a torn record; if even that
  /// fails, the wal refuses every later append (failure()) until reopened.
  status append(const bytes& frames);

  /// Empties the log (after a durable snapshot has taken over its records) and syncs.
  status reset();

  uint64_t size() const { return file_->size(); }
  /// OK, or why this wal refuses writes until reopened.
  const status& failure() const { return failure_; }

 private:
  wal(std::unique_ptr<storage::file> f, std::string path)
      : file_(std::move(f)), path_(std::move(path)) {}

  std::unique_ptr<storage::file> file_;
  std::string path_;
  status failure_;
};

}  // namespace brook::runtime::coord
