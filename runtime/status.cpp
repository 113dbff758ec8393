#include "runtime/status.hpp"

namespace brook::runtime {

std::string status::to_string() const {
  if (is_ok()) return "ok";
  std::string out{runtime::to_string(code_)};
  if (!message_.empty()) out += ": " + message_;
  return out;
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "assertion failed: %s at %s:%d: %s\n", expr, file, line, msg.c_str());
  std::abort();
}

}  // namespace brook::runtime
