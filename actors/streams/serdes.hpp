#pragma once
// Serdes: how a key or value type becomes bytes on a topic and back. A deserializer that meets bad
// bytes throws serde_error; the runtime hands the record to the deserialization handler (fail,
// skip or dead-letter, `default.deserialization.exception.handler`). Built in: bytes, string,
// int32, int64 (Kafka's big-endian layouts); msgpack and JSON in serdes_msgpack.hpp /
// serdes_json.hpp.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace brook::streams {

class serde_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
struct serde {
  std::string name;
  std::function<std::string(const T&)> serialize;
  /// nullopt: the record's key or value is null (Kafka's null); most serdes give T{}.
  std::function<T(std::optional<std::string_view>)> deserialize;
};

namespace serdes {

using bytes_type = std::vector<uint8_t>;

inline serde<std::string> string() {
  return {"string", [](const std::string& s) { return s; },
          [](std::optional<std::string_view> b) { return b ? std::string(*b) : std::string(); }};
}

inline serde<bytes_type> bytes() {
  return {"bytes", [](const bytes_type& b) { return std::string(b.begin(), b.end()); },
          [](std::optional<std::string_view> b) {
            return b ? bytes_type(b->begin(), b->end()) : bytes_type();
          }};
}

/// Kafka's fixed-width big-endian integers (LongSerializer, IntegerSerializer).
template <class Int>
serde<Int> fixed_int(const char* name) {
  return {name,
          [](const Int& v) {
            std::string out(sizeof(Int), '\0');
            for (size_t i = 0; i < sizeof(Int); ++i)
              out[i] = char(uint64_t(v) >> (8 * (sizeof(Int) - 1 - i)));
            return out;
          },
          [name](std::optional<std::string_view> b) -> Int {
            if (!b) return 0;
            if (b->size() != sizeof(Int))
              throw serde_error(std::string(name) + " needs " + std::to_string(sizeof(Int)) +
                                " bytes, got " + std::to_string(b->size()));
            uint64_t v = 0;
            for (char c : *b) v = (v << 8) | uint8_t(c);
            return Int(v);
          }};
}
inline serde<int64_t> int64() {
  return fixed_int<int64_t>("int64");
}
inline serde<int32_t> int32() {
  return fixed_int<int32_t>("int32");
}

}  // namespace serdes

/// The serde a type gets when none is named: string, bytes, int32 and int64 have one;
/// serdes_json.hpp adds nlohmann::json. Other types must name theirs.
template <class T, class = void>
struct default_serde {
  static constexpr bool available = false;
  static serde<T> get() {
    static_assert(
        sizeof(T) == 0,
        "no default serde for this type: pass one (serdes::msgpack<T>(), serdes::json<T>(), ...)");
    return {};
  }
};
template <>
struct default_serde<std::string> {
  static constexpr bool available = true;
  static serde<std::string> get() { return serdes::string(); }
};
template <>
struct default_serde<serdes::bytes_type> {
  static constexpr bool available = true;
  static serde<serdes::bytes_type> get() { return serdes::bytes(); }
};
template <>
struct default_serde<int64_t> {
  static constexpr bool available = true;
  static serde<int64_t> get() { return serdes::int64(); }
};
template <>
struct default_serde<int32_t> {
  static constexpr bool available = true;
  static serde<int32_t> get() { return serdes::int32(); }
};

/// `s` if given, else T's default serde; a type without one throws std::logic_error naming what
/// needs a serde (when the topology is built).
template <class T>
serde<T> serde_or_default(const std::optional<serde<T>>& s, const std::string& what) {
  if (s) return *s;
  if constexpr (default_serde<T>::available)
    return default_serde<T>::get();
  else
    throw std::logic_error(what + " needs a serde: its type has no default one");
}

}  // namespace brook::streams
