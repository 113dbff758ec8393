#include "net/native_codec.hpp"

namespace brook::net {

namespace {

bool reference_all(msgpack::type::object_type, std::size_t, void*) {
  return true;
}

// `reference`: strings and byte arrays point into `payload` (which must outlive the frame).
runtime::status decode_into(native_frame& f, const uint8_t* payload, size_t n, bool reference) {
  try {
    std::size_t off = 0;
    // Every element takes at least one byte, so no count may exceed n: this bounds what a hostile
    // frame can make the decoder allocate.
    const msgpack::unpack_limit limit(n, n, n, n, n, 32);
    f.handle = msgpack::unpack(reinterpret_cast<const char*>(payload), n, off,
                               reference ? reference_all : nullptr, nullptr, limit);
    if (off != n)
      return runtime::status{errc::invalid_request, "trailing bytes after the frame's message"};
    const msgpack::object& o = f.handle.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 3)
      return runtime::status{errc::invalid_request, "frame is not [type, correlation_id, body]"};
    f.type = o.via.array.ptr[0].as<uint16_t>();
    f.correlation_id = o.via.array.ptr[1].as<uint32_t>();
    f.body = o.via.array.ptr[2];
  } catch (const std::exception& e) {
    return runtime::status{errc::invalid_request, std::string("undecodable frame: ") + e.what()};
  }
  return runtime::status::ok();
}

}  // namespace

runtime::result<native_frame> decode_frame(const uint8_t* payload, size_t n) {
  native_frame f;
  if (auto s = decode_into(f, payload, n, false); !s) return s;
  return f;
}

runtime::result<native_frame> decode_frame_in_place(const uint8_t* payload, size_t n) {
  native_frame f;
  if (auto s = decode_into(f, payload, n, true); !s) return s;
  return f;
}

runtime::result<native_frame> decode_frame(std::unique_ptr<uint8_t[]> payload, size_t n) {
  native_frame f;
  if (auto s = decode_into(f, payload.get(), n, true); !s) return s;
  f.storage = std::move(payload);
  return f;
}

}  // namespace brook::net
