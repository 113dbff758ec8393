#pragma once
// A byte range of an open file, handed from the log to a connection that writes it with
// sendfile(2) instead of reading it into memory (Kafka's zero-copy fetch).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace brook::runtime {

struct file_slice {
  std::shared_ptr<const void> owner;  // keeps `fd` open while the slice is on its way
  int fd = -1;
  uint64_t position = 0;
  size_t size = 0;
};

inline size_t total_size(const std::vector<file_slice>& slices) {
  size_t n = 0;
  for (const auto& s : slices) n += s.size;
  return n;
}

}  // namespace brook::runtime
