#include "runtime/coord/snapshot.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/coord/codec.hpp"
#include "runtime/coord/format.hpp"

namespace brook::runtime::coord {

namespace {
status corrupt(const std::string& why) {
  return {errc::corrupt_message, "coordinator snapshot: " + why};
}
}  // namespace

bytes encode_snapshot(const snapshot& s) {
  bytes p;
  put_u32(p, format::snapshot_magic);
  put_u8(p, format::snapshot_version);
  put_i64(p, s.seq);
  put_u64(p, s.next_session);
  put_u32(p, uint32_t(s.sessions.size()));
  for (const auto& e : s.sessions) {
    put_u64(p, e.id);
    put_i64(p, e.timeout_ms);
  }
  put_u32(p, uint32_t(s.nodes.size()));
  for (const auto& n : s.nodes) {
    put_str(p, n.path);
    put_str(p, n.data.value);
    put_i64(p, n.data.version);
    put_u64(p, n.data.ephemeral_session);
    put_i64(p, n.data.created_seq);
    put_i64(p, n.data.modified_seq);
  }
  bytes out;
  out.reserve(p.size() + format::frame_header_size);
  append_frame(out, p);
  return out;
}

result<snapshot> decode_snapshot(const uint8_t* p, size_t n) {
  if (n < format::frame_header_size) return corrupt("shorter than a frame header");
  uint32_t len = frame_length(p);
  if (len != n - format::frame_header_size) return corrupt("length does not match the file");
  if (!frame_crc_ok(p, p + format::frame_header_size, len)) return corrupt("CRC mismatch");
  reader in(p + format::frame_header_size, len);
  if (in.u32() != format::snapshot_magic) return corrupt("bad magic");
  uint8_t version = in.u8();
  if (version != format::snapshot_version) {
    return corrupt("unsupported version " + std::to_string(int(version)));
  }
  snapshot s;
  s.seq = in.i64();
  s.next_session = in.u64();
  uint32_t count = in.u32();
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    snapshot::session_entry e;
    e.id = in.u64();
    e.timeout_ms = in.i64();
    s.sessions.push_back(e);
  }
  count = in.u32();
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    snapshot::node_entry e;
    e.path = in.str();
    e.data.value = in.str();
    e.data.version = in.i64();
    e.data.ephemeral_session = in.u64();
    e.data.created_seq = in.i64();
    e.data.modified_seq = in.i64();
    s.nodes.push_back(std::move(e));
  }
  if (!in.ok() || !in.at_end()) return corrupt("malformed payload");
  return s;
}

status write_snapshot(storage::env& env, const std::string& dir, const bytes& file_bytes) {
  const std::string tmp = storage::join_path(dir, format::snapshot_tmp_file);
  const std::string final_path = storage::join_path(dir, format::snapshot_file);
  {
    auto f = env.open(tmp);
    if (!f) return f.error();
    status s = (*f)->truncate(0);  // a leftover from a crash mid-write
    if (s) s = (*f)->append(file_bytes.data(), file_bytes.size());
    if (s) s = (*f)->sync();
    if (!s) return s;
  }
  if (std::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return {errc::io_error, "rename " + tmp + " onto " + final_path + ": " + std::strerror(errno)};
  }
  return env.sync_dir(dir);
}

result<std::optional<snapshot>> read_snapshot(storage::env& env, const std::string& dir) {
  const std::string tmp = storage::join_path(dir, format::snapshot_tmp_file);
  if (env.exists(tmp)) {
    status s = env.remove(tmp);
    if (!s) return s;
  }
  const std::string path = storage::join_path(dir, format::snapshot_file);
  if (!env.exists(path)) return std::optional<snapshot>();
  auto f = env.open(path);
  if (!f) return f.error();
  bytes buf((*f)->size());
  auto got = (*f)->read_at(0, buf.data(), buf.size());
  if (!got) return got.error();
  if (*got != buf.size()) return status{errc::io_error, path + ": short read"};
  auto s = decode_snapshot(buf.data(), buf.size());
  if (!s) return status{s.error().code(), path + ": " + s.error().message()};
  return std::optional<snapshot>(std::move(*s));
}

}  // namespace brook::runtime::coord
