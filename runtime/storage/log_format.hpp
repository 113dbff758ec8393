#pragma once
// Every constant of Brook's on-disk log layout, in one place (docs/log_format.md describes it).
//
// <log.dirs>/<topic>-<partition>/<base offset, 20 digits>.log        RecordBatch v2, as received
//                                <base offset, 20 digits>.index      sparse offset -> position
//                                <base offset, 20 digits>.timeindex  sparse max timestamp -> offset
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace brook::runtime::storage::format {

constexpr std::string_view log_suffix = ".log";
constexpr std::string_view index_suffix = ".index";
constexpr std::string_view time_index_suffix = ".timeindex";
/// A segment being rewritten by compaction; open() removes it (the pass did not finish).
constexpr std::string_view cleaned_suffix = ".log.cleaned";
/// A compacted segment being installed: complete, it replaces the segments from its base to its
/// end; open() finishes the install.
constexpr std::string_view swap_suffix = ".log.swap";
// The log start offset DeleteRecords set, in decimal, when it lies above the first segment's base.
constexpr std::string_view log_start_file = "log-start-offset";

/// Segment file names are the base offset, zero-padded to this many digits (as Kafka).
constexpr size_t name_width = 20;

/// .index entry: [uint32 BE offset relative to the segment base][uint32 BE file position].
constexpr size_t index_entry_size = 8;
/// .timeindex entry: [int64 BE max timestamp so far][uint32 BE relative offset of its batch].
constexpr size_t time_index_entry_size = 12;

/// Positions and relative offsets are uint32, so a segment never grows past this many bytes
/// nor spans more offsets than this; the log rolls first.
constexpr uint64_t max_segment_span = UINT32_MAX;

/// Read-ahead used when recovery scans a segment batch by batch.
constexpr size_t recovery_read_chunk = size_t(1) << 20;

/// "00000000000000000042" + suffix. REQUIRES: base >= 0.
inline std::string segment_file_name(int64_t base, std::string_view suffix) {
  std::string digits = std::to_string(base);
  std::string out(digits.size() < name_width ? name_width - digits.size() : 0, '0');
  out += digits;
  out += suffix;
  return out;
}

/// Base offset of a segment file name with exactly `suffix`, or nullopt if the name is not one.
inline std::optional<int64_t> parse_segment_file_name(std::string_view name,
                                                      std::string_view suffix) {
  if (name.size() != name_width + suffix.size()) return std::nullopt;
  if (name.substr(name_width) != suffix) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < name_width; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// A partition's directory name under a log dir: "<topic>-<partition>" (Kafka's layout).
inline std::string partition_dir_name(std::string_view topic, int32_t partition) {
  std::string out(topic);
  out += '-';
  out += std::to_string(partition);
  return out;
}

}  // namespace brook::runtime::storage::format
