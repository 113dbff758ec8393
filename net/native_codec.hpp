#pragma once
// Encoding and decoding of native frames. Decoding never throws: malformed input becomes a status.
#include <msgpack.hpp>

#include "net/native_messages.hpp"
#include "runtime/status.hpp"

namespace brook::net {

constexpr size_t frame_length_size = 4;

/// A decoded frame: the envelope fields and the still-unconverted body.
struct native_frame {
  uint16_t type = 0;
  uint32_t correlation_id = 0;
  msgpack::object body;
  msgpack::object_handle handle;  // owns what `body` points into

  bool is_response() const { return type & response_flag; }
  native_type kind() const { return native_type(type & ~response_flag); }
};

/// Encodes a whole frame including the u32 length prefix.
template <class Body>
runtime::bytes encode_frame(uint16_t type, uint32_t correlation_id, const Body& body) {
  msgpack::sbuffer buf;
  buf.write("\0\0\0\0", frame_length_size);
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_array(3);
  pk.pack(type);
  pk.pack(correlation_id);
  pk.pack(body);
  runtime::bytes out(reinterpret_cast<const uint8_t*>(buf.data()),
                     reinterpret_cast<const uint8_t*>(buf.data()) + buf.size());
  runtime::store_be32(out.data(), uint32_t(out.size() - frame_length_size));
  return out;
}

template <class Body>
runtime::bytes encode_request(native_type t, uint32_t correlation_id, const Body& body) {
  return encode_frame(uint16_t(t), correlation_id, body);
}

template <class Body>
runtime::bytes encode_response(native_type t, uint32_t correlation_id, const Body& body) {
  return encode_frame(uint16_t(t) | response_flag, correlation_id, body);
}

/// Decodes the envelope of one frame payload (without the length prefix).
runtime::result<native_frame> decode_frame(const uint8_t* payload, size_t n);

/// Converts a frame body to T; wrong field types become errc::invalid_request.
template <class T>
runtime::result<T> body_as(const native_frame& f) {
  try {
    T out;
    f.body.convert(out);
    return out;
  } catch (const std::exception& e) {
    return runtime::status{errc::invalid_request, std::string("malformed message body: ") + e.what()};
  }
}

}  // namespace brook::net
