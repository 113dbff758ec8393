#pragma once
// A fresh directory under /tmp for one test, removed with everything in it when destroyed.
// Shared by the unit tests (storage, coord) and the integration harness.
#include <stdlib.h>

#include <filesystem>
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

}  // namespace brook::testutil
