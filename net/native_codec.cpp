#include "net/native_codec.hpp"

namespace brook::net {

runtime::result<native_frame> decode_frame(const uint8_t* payload, size_t n) {
  native_frame f;
  try {
    std::size_t off = 0;
    // Every element takes at least one byte, so no count may exceed n: this bounds what a hostile
    // frame can make the decoder allocate.
    const msgpack::unpack_limit limit(n, n, n, n, n, 32);
    f.handle = msgpack::unpack(reinterpret_cast<const char*>(payload), n, off, nullptr, nullptr, limit);
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
  return f;
}

}  // namespace brook::net
