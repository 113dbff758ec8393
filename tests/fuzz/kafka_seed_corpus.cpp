// Writes the fuzz seed corpus into the directory given as argv[1]: the unit test's hand-written
// layouts, and one small valid request of every served API at every supported version, built
// with Brook's Kafka writer. Each file is one frame payload (no length prefix).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/kafka/codec.hpp"

namespace k = brook::net::kafka;
using brook::runtime::bytes;

namespace {

std::string out_dir;

void save(const std::string& name, const bytes& b) {
  std::string path = out_dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size()) {
    std::perror(path.c_str());
    std::exit(1);
  }
  std::fclose(f);
}

bytes hex(const char* s) {
  bytes out;
  for (; *s; ++s) {
    if (*s == ' ') continue;
    if (*s == '\'') {
      for (++s; *s != '\''; ++s) out.push_back(uint8_t(*s));
      continue;
    }
    out.push_back(uint8_t(std::stoi(std::string(s, 2), nullptr, 16)));
    ++s;
  }
  return out;
}

// Small values for every field io() visits: one-element arrays, short strings, a 16-byte blob.
class filler {
 public:
  filler(int16_t version, bool flexible) : version(version), flexible(flexible) {}
  void i8(int8_t& x) { x = 1; }
  void boolean(bool& x) { x = true; }
  void i16(int16_t& x) { x = 1; }
  void i32(int32_t& x) { x = ++n_; }
  void i64(int64_t& x) { x = 100 + ++n_; }
  void uvarint(uint32_t& x) { x = 1; }
  void str(std::string& s) { s = "t" + std::to_string(++n_); }
  void nstr(std::optional<std::string>& s) { str(s.emplace()); }
  void byts(bytes& b) { b = hex("00000000000000000000002cffffffff02"); }
  void nbytes(std::optional<bytes>& b) { byts(b.emplace()); }
  void records(std::optional<bytes>& b, std::vector<brook::runtime::file_slice>&) { nbytes(b); }
  template <class T, class F>
  void array(std::vector<T>& v, F&& elem) {
    v.resize(1);
    elem(v[0]);
  }
  template <class T, class F>
  void narray(std::optional<std::vector<T>>& v, F&& elem) {
    array(v.emplace(), elem);
  }
  void tags() {}
  bool ok() const { return true; }
  const int16_t version;
  const bool flexible;

 private:
  int n_ = 0;
};

// One request of `api` at `v` with every field set. The body type is found by trying each
// alternative of request_body: the one the decoder hands back for this key is the right one.
template <size_t I = 0>
void save_request(const k::api_support& api, int16_t v) {
  if constexpr (I < std::variant_size_v<k::request_body>) {
    using Body = std::variant_alternative_t<I, k::request_body>;
    bool flex = v >= api.first_flexible;
    Body body;
    filler f(v, flex);
    body.io(f);
    bytes out;
    k::writer h(out, v, false);
    h.i16(int16_t(api.key));
    h.i16(v);
    h.i32(v + 1);
    h.nstr(std::string("seed"));
    k::writer w(out, v, flex);
    w.tags();
    body.io(w);
    auto d = k::decode_request(out.data(), out.size());
    if (d.outcome == k::decode_result::kind::ok && std::holds_alternative<Body>(d.req->body))
      return save(std::string(api.name) + "_v" + std::to_string(v), out);
    return save_request<I + 1>(api, v);
  } else {
    std::fprintf(stderr, "no request type decodes as %s v%d\n", api.name, v);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  out_dir = argv[1];
  save("layout_api_versions_v0", hex("0012 0000 00000007 0004 'test'"));
  save("layout_api_versions_v3",
       hex("0012 0003 0000002a 0007 'rdkafka' 00 0b 'librdkafka' 06 '2.0.2' 00"));
  save("layout_metadata_v0", hex("0003 0000 00000001 ffff 00000002 0001 'a' 0002 'bc'"));
  save("layout_metadata_v1_all", hex("0003 0001 00000003 0000 ffffffff"));
  save("layout_produce_v3",
       hex("0000 0003 00000005 0003 'cli' ffff ffff 00007530 00000001 0005 'topic' "
           "00000001 00000002 00000004 deadbeef"));
  save("layout_fetch_v4", hex("0001 0004 00000008 0001 'c' ffffffff 000001f4 00000001 00100000 01 "
                              "00000001 0001 't' 00000001 00000000 000000000000002a 00100000"));
  save("layout_api_versions_v99", hex("0012 0063 00000001 ffff 00 01 01 00"));
  for (const auto& api : k::supported_apis())
    for (int16_t v = api.min_version; v <= api.max_version; ++v) save_request(api, v);
  return 0;
}
