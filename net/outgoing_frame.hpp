#pragma once
// A frame on its way to a connection: bytes, with ranges of files inserted at given points. A
// plaintext connection writes the ranges with sendfile(2) (the records of a Kafka fetch go from
// the page cache to the socket without passing through Brook's memory); a TLS one reads them.
#include <cstddef>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/file_slice.hpp"

namespace brook::net {

struct outgoing_frame {
  struct file_part {
    size_t at = 0;  // inserted before data[at]
    runtime::file_slice slice;
  };
  runtime::bytes data;  // the length prefix counts the file parts too
  std::vector<file_part> files;

  outgoing_frame() = default;
  outgoing_frame(runtime::bytes d) : data(std::move(d)) {}  // NOLINT: a frame of bytes only
};

}  // namespace brook::net
