#pragma once
// A JSON serde (nlohmann::json from Debian's nlohmann-json3-dev) for nlohmann::json itself or any
// type with to_json/from_json.
#include <nlohmann/json.hpp>

#include "actors/streams/serdes.hpp"

namespace brook::streams {

namespace serdes {

template <class T = nlohmann::json>
serde<T> json() {
  return {"json", [](const T& v) { return nlohmann::json(v).dump(); },
          [](std::optional<std::string_view> b) -> T {
            if (!b) return T{};
            try {
              return nlohmann::json::parse(b->begin(), b->end()).template get<T>();
            } catch (const std::exception& e) {
              throw serde_error(std::string("json: ") + e.what());
            }
          }};
}

}  // namespace serdes

template <>
struct default_serde<nlohmann::json> {
  static constexpr bool available = true;
  static serde<nlohmann::json> get() { return serdes::json<>(); }
};

}  // namespace brook::streams
