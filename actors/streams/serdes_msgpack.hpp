#pragma once
// A msgpack serde for any type msgpack-c can pack (MSGPACK_DEFINE or an adaptor), as Brook's own
// messages are.
#include <msgpack.hpp>

#include "actors/streams/serdes.hpp"

namespace brook::streams::serdes {

template <class T>
serde<T> msgpack() {
  return {"msgpack",
          [](const T& v) {
            ::msgpack::sbuffer buf;
            ::msgpack::pack(buf, v);
            return std::string(buf.data(), buf.size());
          },
          [](std::optional<std::string_view> b) -> T {
            if (!b) return T{};
            try {
              auto h = ::msgpack::unpack(b->data(), b->size());
              return h.get().as<T>();
            } catch (const std::exception& e) {
              throw serde_error(std::string("msgpack: ") + e.what());
            }
          }};
}

}  // namespace brook::streams::serdes
