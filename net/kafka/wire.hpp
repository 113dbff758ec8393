#pragma once
// Kafka wire primitives. reader and writer share method names, so a message is described once,
// by a template `io(IO& f)` that reads or writes each field in order (f.version gates fields,
// f.flexible picks compact encodings and tagged fields). The reader never throws and never
// allocates by an untrusted count: it stops at the first problem and reports it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/outgoing_frame.hpp"
#include "runtime/bytes.hpp"

namespace brook::net::kafka {

using runtime::bytes;

class reader {
 public:
  reader(const uint8_t* p, size_t n, int16_t version, bool flexible)
      : version(version), flexible(flexible), p_(p), end_(p + n) {}

  bool ok() const { return error_ == nullptr; }
  const char* error() const { return error_; }
  size_t remaining() const { return size_t(end_ - p_); }

  void i8(int8_t& x) { x = int8_t(take(1) ? p_[-1] : 0); }
  void boolean(bool& x) {
    int8_t v = 0;
    i8(v);
    x = v != 0;
  }
  void i16(int16_t& x) { x = take(2) ? int16_t(runtime::load_be16(p_ - 2)) : 0; }
  void i32(int32_t& x) { x = take(4) ? int32_t(runtime::load_be32(p_ - 4)) : 0; }
  void i64(int64_t& x) { x = take(8) ? int64_t(runtime::load_be64(p_ - 8)) : 0; }
  void uvarint(uint32_t& x);

  void str(std::string& s) {
    std::optional<std::string> o;
    nstr(o);
    if (ok() && !o) fail("null where a string is required");
    s = o.value_or(std::string());
  }
  void nstr(std::optional<std::string>& s);
  void nbytes(std::optional<bytes>& b);
  /// A fetch's records: read as bytes (file parts exist only on the way out).
  void records(std::optional<bytes>& b, std::vector<runtime::file_slice>&) { nbytes(b); }
  void byts(bytes& b) {
    std::optional<bytes> o;
    nbytes(o);
    b = o.value_or(bytes());
  }

  template <class T, class F>
  void array(std::vector<T>& v, F&& elem) {
    std::optional<std::vector<T>> o;
    narray(o, elem);
    if (ok() && !o) fail("null where an array is required");
    v = o ? std::move(*o) : std::vector<T>();
  }
  template <class T, class F>
  void narray(std::optional<std::vector<T>>& v, F&& elem) {
    int64_t n = length();
    if (!ok()) return;
    if (n < 0) {
      v.reset();
      return;
    }
    // Every element takes at least one byte: a count beyond the bytes left is a lie. Elements are
    // added as they are read, so memory follows the bytes actually present, never the count.
    if (size_t(n) > remaining()) return fail("array count larger than the request");
    v.emplace();
    for (int64_t i = 0; i < n; ++i) {
      v->emplace_back();
      elem(v->back());
      if (!ok()) return;
    }
  }
  /// Tagged fields (flexible versions): read and skipped; none are understood yet.
  void tags();

  const int16_t version;
  const bool flexible;

 private:
  bool take(size_t n) {
    if (!ok()) return false;
    if (remaining() < n) {
      fail("truncated");
      return false;
    }
    p_ += n;
    return true;
  }
  void fail(const char* why) {
    if (!error_) error_ = why;
  }
  // Length of a string/bytes/array: int16/int32 classic, unsigned varint N+1 compact; -1 null.
  int64_t length_prefix(bool wide);
  int64_t length() { return length_prefix(true); }

  const uint8_t* p_;
  const uint8_t* end_;
  const char* error_ = nullptr;
};

class writer {
 public:
  /// `files`, when given, takes the file parts records() leaves out of `out`.
  writer(bytes& out, int16_t version, bool flexible,
         std::vector<outgoing_frame::file_part>* files = nullptr)
      : version(version), flexible(flexible), out_(out), files_(files) {}

  void i8(int8_t x) { out_.push_back(uint8_t(x)); }
  void boolean(bool x) { i8(x ? 1 : 0); }
  void i16(int16_t x) { runtime::append_be16(out_, uint16_t(x)); }
  void i32(int32_t x) { runtime::append_be32(out_, uint32_t(x)); }
  void i64(int64_t x) { runtime::append_be64(out_, uint64_t(x)); }
  void uvarint(uint32_t x);

  void str(const std::string& s) {
    len16(int32_t(s.size()));
    runtime::append_raw(out_, s.data(), s.size());
  }
  void nstr(const std::optional<std::string>& s) {
    if (!s) return len16(-1);
    str(*s);
  }
  void nbytes(const std::optional<bytes>& b) {
    if (!b) return len32(-1);
    byts(*b);
  }
  void byts(const bytes& b) {
    len32(int32_t(b.size()));
    runtime::append_raw(out_, b.data(), b.size());
  }
  /// A fetch's records: `b`, or when the log handed them over as `files`, the length of those
  /// and a file part for each (REQUIRES: the writer was given a file part list).
  void records(const std::optional<bytes>& b, const std::vector<runtime::file_slice>& files) {
    if (files.empty()) return nbytes(b);
    len32(int32_t(runtime::total_size(files)));
    for (const auto& f : files) files_->push_back({out_.size(), f});
  }
  template <class T, class F>
  void array(std::vector<T>& v, F&& elem) {
    len32(int32_t(v.size()));
    for (auto& e : v) elem(e);
  }
  template <class T, class F>
  void narray(std::optional<std::vector<T>>& v, F&& elem) {
    if (!v) return len32(-1);
    array(*v, elem);
  }
  /// Tagged fields (flexible versions): Brook writes none.
  void tags() {
    if (flexible) uvarint(0);
  }
  bool ok() const { return true; }

  const int16_t version;
  const bool flexible;

 private:
  void len16(int32_t n) { flexible ? uvarint(uint32_t(n + 1)) : i16(int16_t(n)); }
  void len32(int32_t n) { flexible ? uvarint(uint32_t(n + 1)) : i32(n); }
  bytes& out_;
  std::vector<outgoing_frame::file_part>* files_;
};

}  // namespace brook::net::kafka
