#include "runtime/coord/path.hpp"

namespace brook::runtime::coord {

namespace {
status invalid(std::string_view path, const char* why) {
  return {errc::invalid_request, "invalid path \"" + std::string(path) + "\": " + why};
}
}  // namespace

status validate_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return invalid(path, "must start with '/'");
  if (path.size() == 1) return status::ok();
  if (path.back() == '/') return invalid(path, "trailing '/'");
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty()) return invalid(path, "empty segment");
    if (seg == "." || seg == "..") return invalid(path, "relative segment");
    if (seg.find('\0') != std::string_view::npos) return invalid(path, "NUL byte");
    start = end + 1;
  }
  return status::ok();
}

std::string_view parent_path(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? path.substr(0, 1) : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  return path.substr(path.rfind('/') + 1);
}

std::string child_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace brook::runtime::coord
