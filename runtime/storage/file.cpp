// POSIX implementation of the storage env.
#include "runtime/storage/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace brook::runtime::storage {

namespace {

status errno_status(int err, const char* what, const std::string& path) {
  errc code = err == ENOSPC || err == EDQUOT ? errc::disk_full : errc::io_error;
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) code = errc::not_found;
  return {code, std::move(msg)};
}

class posix_file final : public file {
 public:
  posix_file(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~posix_file() override { ::close(fd_); }

  status append(const void* data, size_t n) override {
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno_status(errno, "write", path_);
      }
      if (w == 0) return {errc::io_error, "write " + path_ + ": wrote nothing"};
      p += w;
      n -= size_t(w);
      size_.fetch_add(uint64_t(w), std::memory_order_relaxed);
    }
    return status::ok();
  }

  result<size_t> read_at(uint64_t pos, void* buf, size_t n) const override {
    auto* p = static_cast<uint8_t*>(buf);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, p + done, n - done, off_t(pos + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return errno_status(errno, "read", path_);
      }
      if (r == 0) break;  // end of file
      done += size_t(r);
    }
    return done;
  }

  status sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return errno_status(errno, "fdatasync", path_);
    }
    return status::ok();
  }

  status truncate(uint64_t size) override {
    while (::ftruncate(fd_, off_t(size)) != 0) {
      if (errno != EINTR) return errno_status(errno, "ftruncate", path_);
    }
    size_.store(size, std::memory_order_relaxed);
    return status::ok();
  }

  uint64_t size() const override { return size_.load(std::memory_order_relaxed); }
  int descriptor() const override { return fd_; }

 private:
  int fd_;
  std::string path_;
  std::atomic<uint64_t> size_;
};

class posix_env final : public env {
 public:
  result<std::unique_ptr<file>> open(const std::string& path) override {
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno_status(errno, "open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      status s = errno_status(errno, "fstat", path);
      ::close(fd);
      return s;
    }
    return std::unique_ptr<file>(new posix_file(fd, path, uint64_t(st.st_size)));
  }

  status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return errno_status(errno, "unlink", path);
    return status::ok();
  }

  status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return errno_status(errno, "rename", from);
    return status::ok();
  }

  result<std::vector<std::string>> list(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return errno_status(errno, "opendir", dir);
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    return names;
  }

  status create_dirs(const std::string& dir) override {
    if (dir.empty()) return status::ok();
    for (size_t i = 1; i <= dir.size(); ++i) {
      if (i != dir.size() && dir[i] != '/') continue;
      std::string prefix = dir.substr(0, i);
      if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
        return errno_status(errno, "mkdir", prefix);
      }
    }
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return errno_status(errno, "stat", dir);
    if (!S_ISDIR(st.st_mode)) return {errc::io_error, "not a directory: " + dir};
    return status::ok();
  }

  bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  status sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_status(errno, "open", dir);
    status s;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        s = errno_status(errno, "fsync", dir);
        break;
      }
    }
    ::close(fd);
    return s;
  }
};

}  // namespace

env& env::posix() {
  static posix_env instance;
  return instance;
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

}  // namespace brook::runtime::storage
