#pragma once
// Shared pieces of the brook CLI: errors as one line and a non-zero exit.
#include <cstdio>
#include <string>

#include "runtime/status.hpp"

namespace brook::cli {

/// Prints "brook: <message>" to stderr and returns exit code 1.
inline int fail(const std::string& message) {
  std::fprintf(stderr, "brook: %s\n", message.c_str());
  return 1;
}
inline int fail(const runtime::status& s) {
  return fail(s.to_string());
}

}  // namespace brook::cli
