#pragma once
// On-disk format of the embedded metadata coordinator (runtime/coord). Every constant is here.
//
// Files in the coordinator's directory:
//   coord.wal           write-ahead log: one frame per mutation, appended and fsynced before the
//                       mutation is applied or acknowledged
//   coord.snapshot      the whole state as of sequence S (absent until the first compaction)
//   coord.snapshot.tmp  a snapshot being written; removed at open
//
// Integers are big-endian; i64 is two's complement. str = [u32 n][n bytes].
// Frame (both files):  [u32 length][u32 crc32c(payload)][payload: length bytes]
//
// WAL payload:  [u8 kind][i64 seq] then, by kind:
//   1 create         str path, str value, u64 ephemeral_session (0 = persistent)
//   2 set            str path, str value, i64 new_version
//   3 remove         str path
//   4 open_session   u64 session, i64 timeout_ms
//   5 close_session  u64 session (its ephemeral nodes go with it: no separate remove records)
// A frame shorter than [u8 kind][i64 seq] is torn (a zero-filled tail has length 0, crc 0).
// `seq` is the store's global sequence (ZooKeeper's zxid): every record takes the next one, so
// seqs strictly increase along the file. A create with make_parents writes one create record
// per node it creates, all in one append.
//
// Snapshot payload (one frame):
//   [u32 magic "BKCS"][u8 version = 1][i64 seq][u64 next_session_id]
//   [u32 n] n x { u64 session, i64 timeout_ms }
//   [u32 n] n x { str path, str value, i64 version, u64 ephemeral_session, i64 created_seq,
//                 i64 modified_seq }   sorted by path: the root "/" first, parents before children
//
// Recovery: load the snapshot (state at seq S, or the empty tree at seq 0), then replay the WAL.
// Records with seq <= S are skipped: they are already in the snapshot (a crash between the
// snapshot's rename and the WAL's reset leaves them). The first frame that is cut short or fails
// its CRC ends the WAL, and the file is truncated there. A frame whose CRC holds but whose payload
// cannot be decoded or applied fails the open with errc::corrupt_message: it is not a torn write.
#include <cstddef>
#include <cstdint>

namespace brook::runtime::coord::format {

constexpr const char* wal_file = "coord.wal";
constexpr const char* snapshot_file = "coord.snapshot";
constexpr const char* snapshot_tmp_file = "coord.snapshot.tmp";

/// [u32 length][u32 crc32c]
constexpr size_t frame_header_size = 8;
/// [u8 kind][i64 seq]: a shorter WAL frame (e.g. a zero-filled tail) counts as torn.
constexpr size_t min_record_payload = 9;

enum class record_kind : uint8_t {
  create = 1,
  set = 2,
  remove = 3,
  open_session = 4,
  close_session = 5,
};

constexpr uint32_t snapshot_magic = 0x424b4353;  // "BKCS"
constexpr uint8_t snapshot_version = 1;

/// Largest node value accepted (ZooKeeper's jute.maxbuffer is 1 MiB too); larger values are
/// refused with errc::message_too_large, which also bounds a WAL frame.
constexpr size_t max_value_bytes = 1 << 20;

/// WAL size that triggers a snapshot and a fresh WAL unless store_options says otherwise.
constexpr uint64_t default_snapshot_bytes = uint64_t(64) << 20;

}  // namespace brook::runtime::coord::format
