#pragma once
// Status and result<T>: how fallible calls outside actors report failure
// (LevelDB's Status). Exceptions never cross an actor boundary.
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "runtime/errc.hpp"

namespace brook::runtime {

class status {
 public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}
  static status ok() { return {}; }

  bool is_ok() const { return code_ == errc::none; }
  explicit operator bool() const { return is_ok(); }
  errc code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "code_name: message"
  std::string to_string() const;

 private:
  errc code_ = errc::none;
  std::string message_;
};

/// A value or the status saying why there is none.
template <class T>
class result {
 public:
  result(T value) : value_(std::move(value)) {}
  result(status s) : status_(std::move(s)) { assert(!status_.is_ok()); }
  result(errc code, std::string message) : status_(code, std::move(message)) {}

  bool has_value() const { return value_.has_value(); }
  explicit operator bool() const { return has_value(); }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  const status& error() const { return status_; }

 private:
  std::optional<T> value_;
  status status_;
};

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line,
                                   const std::string& msg);

}  // namespace brook::runtime

/// Invariant check that stays on in release builds and says why.
#define BROOK_ASSERT(expr, msg)                                                 \
  do {                                                                          \
    if (!(expr)) ::brook::runtime::assertion_failed(#expr, __FILE__, __LINE__, msg); \
  } while (0)
