#include "runtime/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace brook::runtime {

namespace {
status fail(const std::string& what, const std::string& path) {
  return {errc::io_error, what + " " + path + ": " + std::strerror(errno)};
}
}  // namespace

// fsyncs the directory holding `path`, making a rename or unlink in it durable.
status sync_parent_dir(const std::string& path) {
  auto dir = path.substr(0, path.find_last_of('/'));
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail("cannot open directory of", path);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return fail("cannot fsync directory of", path);
  return {};
}

status remove_file_durably(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail("cannot remove", path);
  return sync_parent_dir(path);
}

status write_file_durably(const std::string& path, const std::string& contents) {
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create", tmp);
  size_t off = 0;
  while (off < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + off, contents.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto st = fail("cannot write", tmp);
      ::close(fd);
      return st;
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0) {
    auto st = fail("cannot fsync", tmp);
    ::close(fd);
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename onto", path);
  return sync_parent_dir(path);
}

}  // namespace brook::runtime
