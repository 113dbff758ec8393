#pragma once
// Test files: a fresh directory under /tmp per test (removed with everything in it), and file
// surgery for recovery tests. Shared by the unit tests (storage, coord) and the integration harness.
#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace brook::testutil {

class temp_dir {
 public:
  temp_dir() {
    char tmpl[] = "/tmp/brook-test-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    if (p == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = p;
  }
  ~temp_dir() {
    if (std::getenv("BROOK_TEST_KEEP_DIRS")) return;  // to read the logs of a failed run
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// File surgery for recovery tests.
inline uint64_t file_size(const std::string& path) { return std::filesystem::file_size(path); }
inline void resize_file(const std::string& path, uint64_t size) { std::filesystem::resize_file(path, size); }
/// XORs one byte of a file at `pos`.
inline void flip_byte(const std::string& path, uint64_t pos) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(std::streamoff(pos));
  char c = 0;
  f.read(&c, 1);
  c = char(c ^ 0x5a);
  f.seekp(std::streamoff(pos));
  f.write(&c, 1);
}
inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

}  // namespace brook::testutil
