#include "runtime/coord/wal.hpp"

#include "runtime/coord/codec.hpp"
#include "runtime/log.hpp"

namespace brook::runtime::coord {

using format::record_kind;

void encode_record(const wal_record& r, bytes& out) {
  bytes p;
  p.reserve(32 + r.path.size() + r.value.size());
  put_u8(p, uint8_t(r.kind));
  put_i64(p, r.seq);
  switch (r.kind) {
    case record_kind::create:
      put_str(p, r.path);
      put_str(p, r.value);
      put_u64(p, r.session);
      break;
    case record_kind::set:
      put_str(p, r.path);
      put_str(p, r.value);
      put_i64(p, r.version);
      break;
    case record_kind::remove:
      put_str(p, r.path);
      break;
    case record_kind::open_session:
      put_u64(p, r.session);
      put_i64(p, r.timeout_ms);
      break;
    case record_kind::close_session:
      put_u64(p, r.session);
      break;
  }
  append_frame(out, p);
}

result<wal_record> decode_record(const uint8_t* payload, size_t n) {
  reader in(payload, n);
  wal_record r;
  uint8_t kind = in.u8();
  r.kind = record_kind(kind);
  r.seq = in.i64();
  switch (r.kind) {
    case record_kind::create:
      r.path = in.str();
      r.value = in.str();
      r.session = in.u64();
      break;
    case record_kind::set:
      r.path = in.str();
      r.value = in.str();
      r.version = in.i64();
      break;
    case record_kind::remove:
      r.path = in.str();
      break;
    case record_kind::open_session:
      r.session = in.u64();
      r.timeout_ms = in.i64();
      break;
    case record_kind::close_session:
      r.session = in.u64();
      break;
    default:
      return status{errc::corrupt_message,
                    "coordinator WAL: unknown record kind " + std::to_string(int(kind))};
  }
  if (!in.ok() || !in.at_end()) {
    return status{errc::corrupt_message,
                  "coordinator WAL: malformed record of kind " + std::to_string(int(kind))};
  }
  return r;
}

result<std::unique_ptr<wal>> wal::open(storage::env& env, const std::string& path,
                                       const visitor& fn, replay_stats* stats) {
  auto f = env.open(path);
  if (!f) return f.error();
  std::unique_ptr<wal> w(new wal(std::move(*f), path));
  storage::file& file = *w->file_;
  const uint64_t size = file.size();
  uint64_t pos = 0;
  replay_stats st;
  bytes buf;
  while (size - pos >= format::frame_header_size) {
    uint8_t header[format::frame_header_size];
    auto got = file.read_at(pos, header, sizeof header);
    if (!got) return got.error();
    if (*got != sizeof header) break;
    uint64_t len = frame_length(header);
    if (len < format::min_record_payload) break;              // torn or zero-filled
    if (len > size - pos - format::frame_header_size) break;  // torn: the payload is cut short
    buf.resize(len);
    got = file.read_at(pos + format::frame_header_size, buf.data(), len);
    if (!got) return got.error();
    if (*got != len || !frame_crc_ok(header, buf.data(), len)) break;
    auto rec = decode_record(buf.data(), len);
    if (!rec) return status{rec.error().code(), path + ": " + rec.error().message()};
    status s = fn(std::move(*rec));
    if (!s) return s;
    ++st.records;
    pos += format::frame_header_size + len;
  }
  if (pos < size) {
    BROOK_LOG_WARN("coordinator WAL " << path << ": dropping " << (size - pos)
                                      << " bytes of torn or corrupt tail at byte " << pos);
    status s = file.truncate(pos);
    if (s) s = file.sync();
    if (!s) return s;
    st.truncated_bytes = size - pos;
  }
  if (stats) *stats = st;
  return w;
}

status wal::append(const bytes& frames) {
  if (!failure_.is_ok()) return failure_;
  const uint64_t before = file_->size();
  status s = file_->append(frames.data(), frames.size());
  if (s) s = file_->sync();
  if (s) return s;
  // Cut the record off again: it was not acknowledged and must not be replayed, and a torn
  // prefix would hide every later record from recovery.
  status undo = file_->truncate(before);
  if (undo) undo = file_->sync();
  if (!undo) {
    failure_ = status(undo.code(), "coordinator WAL " + path_ +
                                       " refuses writes until reopened: " + undo.message());
    BROOK_LOG_ERROR(failure_.to_string());
  }
  return s;
}

status wal::reset() {
  if (!failure_.is_ok()) return failure_;
  status s = file_->truncate(0);
  if (s) s = file_->sync();
  return s;
}

}  // namespace brook::runtime::coord
