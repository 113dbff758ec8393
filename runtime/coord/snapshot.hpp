#pragma once
// The coordinator's snapshot (format in format.hpp): the whole tree and session table as of one
// sequence, written durably so that the WAL can start over empty.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/coord/types.hpp"
#include "runtime/status.hpp"
#include "runtime/storage/file.hpp"

namespace brook::runtime::coord {

struct snapshot {
  struct session_entry {
    uint64_t id = 0;
    int64_t timeout_ms = 0;
  };
  struct node_entry {
    std::string path;
    node_data data;
  };
  int64_t seq = 0;            // last sequence the snapshot includes
  uint64_t next_session = 1;  // the next session id to hand out
  std::vector<session_entry> sessions;
  std::vector<node_entry> nodes;  // every node, the root first, parents before children
};

/// The snapshot file's bytes: one frame.
bytes encode_snapshot(const snapshot& s);
/// Parses a snapshot file's bytes; errc::corrupt_message if torn, CRC-failing or malformed.
result<snapshot> decode_snapshot(const uint8_t* p, size_t n);

/// Replaces dir/coord.snapshot with `file_bytes` durably: written to coord.snapshot.tmp through
/// `env` and synced, renamed over the old snapshot, then the directory synced. Nothing after a
/// failure may rely on the new snapshot.
/// REQUIRES: `env` is backed by the real file system (the env has no rename; this uses
/// rename(2) between its steps).
status write_snapshot(storage::env& env, const std::string& dir, const bytes& file_bytes);

/// Loads dir/coord.snapshot; nullopt if there is none. Removes a leftover coord.snapshot.tmp.
result<std::optional<snapshot>> read_snapshot(storage::env& env, const std::string& dir);

}  // namespace brook::runtime::coord
