#pragma once
// Encoding and decoding of native frames. Decoding never throws: malformed input becomes a status.
#include <memory>
#include <msgpack.hpp>

#include "net/native_messages.hpp"
#include "net/outgoing_frame.hpp"
#include "runtime/status.hpp"

namespace brook::net {

constexpr size_t frame_length_size = 4;

/// A decoded frame: the envelope fields and the still-unconverted body.
struct native_frame {
  uint16_t type = 0;
  uint32_t correlation_id = 0;
  msgpack::object body;
  msgpack::object_handle handle;  // owns what `body` points into
  // With decode_frame(payload, n): the payload, into which the body's strings and byte arrays
  // point (they are not copied).
  std::unique_ptr<uint8_t[]> storage;

  bool is_response() const { return type & response_flag; }
  native_type kind() const { return native_type(type & ~response_flag); }
};

/// Bytes of record batches a body carries, so its frame is allocated once at its full size.
inline size_t batch_bytes(const fetch_response& b) {
  return b.records.size();
}
inline size_t batch_bytes(const produce_request& b) {
  return b.batch.size();
}
template <class Body>
size_t batch_bytes(const Body&) {
  return 0;
}

namespace detail {
// msgpack's output stream over a byte vector: packs straight into the frame.
struct bytes_sink {
  runtime::bytes& out;
  void write(const char* p, size_t n) {
    out.insert(out.end(), reinterpret_cast<const uint8_t*>(p),
               reinterpret_cast<const uint8_t*>(p) + n);
  }
};
}  // namespace detail

/// Encodes a whole frame including the u32 length prefix. The frame is packed in place (one
/// copy of the records of a fetch or produce, no regrowth): this is the fetch path's hot loop.
template <class Body>
runtime::bytes encode_frame(uint16_t type, uint32_t correlation_id, const Body& body) {
  runtime::bytes out;
  out.reserve(frame_length_size + 256 + batch_bytes(body));
  out.resize(frame_length_size);
  detail::bytes_sink sink{out};
  msgpack::packer<detail::bytes_sink> pk(sink);
  pk.pack_array(3);
  pk.pack(type);
  pk.pack(correlation_id);
  pk.pack(body);
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

/// A fetch response frame, byte for byte what encode_response packs, whose records when the log
/// handed them over as record_files are the frame's file parts (sent with sendfile).
outgoing_frame encode_fetch_response(uint32_t correlation_id, const fetch_response& r);

/// Decodes the envelope of one frame payload (without the length prefix).
runtime::result<native_frame> decode_frame(const uint8_t* payload, size_t n);
/// The same for a payload the frame takes over: the body's strings and byte arrays point into
/// it instead of being copied (a fetch's records are read where they arrived).
runtime::result<native_frame> decode_frame(std::unique_ptr<uint8_t[]> payload, size_t n);
/// The same pointing into `payload`, which the caller keeps: for a caller that converts the
/// body (body_as) before `payload` changes, as a session's frame handler does (a produced
/// batch is then copied once, not twice).
runtime::result<native_frame> decode_frame_in_place(const uint8_t* payload, size_t n);

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

/// A produce request's batch is copied once out of the frame (msgpack's own conversion of a
/// byte vector zero-fills it first: 3% of a broker taking small batches).
template <>
runtime::result<produce_request> body_as<produce_request>(const native_frame& f);

}  // namespace brook::net
