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

namespace {
// produce_request as it arrives: the batch still in the frame.
struct produce_request_view {
  std::string topic;
  int32_t partition = 0;
  int16_t acks = 1;
  int32_t timeout_ms = 30000;
  msgpack::type::raw_ref batch;
  MSGPACK_DEFINE(topic, partition, acks, timeout_ms, batch)
};
}  // namespace

template <>
runtime::result<produce_request> body_as<produce_request>(const native_frame& f) {
  auto view = body_as<produce_request_view>(f);
  if (!view) return view.error();
  const auto* p = reinterpret_cast<const uint8_t*>(view->batch.ptr);
  return produce_request{std::move(view->topic), view->partition, view->acks, view->timeout_ms,
                         runtime::bytes(p, p + view->batch.size)};
}

outgoing_frame encode_fetch_response(uint32_t correlation_id, const fetch_response& r) {
  if (r.record_files.empty()) return encode_response(native_type::fetch, correlation_id, r);
  outgoing_frame f;
  runtime::bytes& out = f.data;
  out.reserve(frame_length_size + 256);
  out.resize(frame_length_size);
  detail::bytes_sink sink{out};
  msgpack::packer<detail::bytes_sink> pk(sink);
  pk.pack_array(3);
  pk.pack(uint16_t(uint16_t(native_type::fetch) | response_flag));
  pk.pack(correlation_id);
  // fetch_response's MSGPACK_DEFINE, field by field: the records' bin header here, their bytes
  // from the files.
  pk.pack_array(9);
  pk.pack(r.error);
  pk.pack(r.message);
  pk.pack(r.high_watermark);
  pk.pack(r.log_start_offset);
  size_t n = runtime::total_size(r.record_files);
  pk.pack_bin(uint32_t(n));
  for (const auto& s : r.record_files) f.files.push_back({out.size(), s});
  pk.pack(r.diverging_epoch);
  pk.pack(r.diverging_end_offset);
  pk.pack(r.last_stable_offset);
  pk.pack(r.aborted);
  runtime::store_be32(out.data(), uint32_t(out.size() - frame_length_size + n));
  return f;
}

}  // namespace brook::net
