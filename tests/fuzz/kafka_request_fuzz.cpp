// libFuzzer target: brook::net::kafka::decode_request on arbitrary bytes, taken as one frame's
// payload (what kafka_handler::on_frame gets). Beyond ASan and UBSan it checks that
//  - the outcome and the result agree: ok <=> a request; the header is the first 8 bytes;
//  - no single allocation made while decoding exceeds 32 bytes per input byte plus 4 KiB, so
//    nothing is sized by an untrusted count (BROOK_FUZZ_ALLOC_RATIO=N changes 32; 0 turns it off);
//  - a response frame for the decoded header (as the session would send) is well formed.
// Built and run by run_fuzz.sh.
#include <sanitizer/allocator_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "net/kafka/codec.hpp"

namespace k = brook::net::kafka;

namespace {

size_t alloc_ratio = 32;
bool armed = false;
size_t largest = 0;

void on_malloc(const volatile void*, size_t n) {
  if (armed && n > largest) largest = n;
}
void on_free(const volatile void*) {}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "kafka_request_fuzz: %s\n", what);
  std::abort();
}

// The response type the session answers each request with (void: none known here).
template <class Request>
struct response_of {
  using type = void;
};
template <>
struct response_of<k::metadata_request> {
  using type = k::metadata_response;
};
template <>
struct response_of<k::produce_request> {
  using type = k::produce_response;
};
template <>
struct response_of<k::fetch_request> {
  using type = k::fetch_response;
};
template <>
struct response_of<k::list_offsets_request> {
  using type = k::list_offsets_response;
};
template <>
struct response_of<k::create_topics_request> {
  using type = k::create_topics_response;
};
template <>
struct response_of<k::delete_topics_request> {
  using type = k::delete_topics_response;
};
template <>
struct response_of<k::describe_configs_request> {
  using type = k::describe_configs_response;
};
template <>
struct response_of<k::init_producer_id_request> {
  using type = k::init_producer_id_response;
};
template <>
struct response_of<k::find_coordinator_request> {
  using type = k::find_coordinator_response;
};
template <>
struct response_of<k::join_group_request> {
  using type = k::join_group_response;
};
template <>
struct response_of<k::sync_group_request> {
  using type = k::sync_group_response;
};
template <>
struct response_of<k::heartbeat_request> {
  using type = k::heartbeat_response;
};
template <>
struct response_of<k::leave_group_request> {
  using type = k::leave_group_response;
};
template <>
struct response_of<k::offset_commit_request> {
  using type = k::offset_commit_response;
};
template <>
struct response_of<k::offset_fetch_request> {
  using type = k::offset_fetch_response;
};
template <>
struct response_of<k::describe_groups_request> {
  using type = k::describe_groups_response;
};
template <>
struct response_of<k::list_groups_request> {
  using type = k::list_groups_response;
};

void check_frame(const brook::runtime::bytes& frame, const k::request_header& h) {
  if (frame.size() < 8) fail("response frame shorter than its header");
  if (brook::runtime::load_be32(frame.data()) != frame.size() - 4)
    fail("response length prefix wrong");
  if (int32_t(brook::runtime::load_be32(frame.data() + 4)) != h.correlation_id)
    fail("response correlation id wrong");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* r = std::getenv("BROOK_FUZZ_ALLOC_RATIO"))
    alloc_ratio = size_t(std::strtoul(r, nullptr, 10));
  if (alloc_ratio && !__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free))
    fail("cannot install malloc hooks");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  largest = 0;
  armed = true;
  k::decode_result d = k::decode_request(data, size);
  armed = false;
  if (alloc_ratio && largest > alloc_ratio * size + 4096) {
    std::fprintf(stderr,
                 "kafka_request_fuzz: decoding %zu bytes allocated %zu bytes at once (%s)\n", size,
                 largest, d.message.c_str());
    std::abort();
  }

  using kind = k::decode_result::kind;
  if ((d.outcome == kind::ok) != d.req.has_value()) fail("outcome and request disagree");
  if (d.outcome != kind::ok && d.message.empty()) fail("refusal without a message");
  if (size >= 8) {
    if (d.header.api_key != int16_t(brook::runtime::load_be16(data))) fail("header api key wrong");
    if (d.header.api_version != int16_t(brook::runtime::load_be16(data + 2)))
      fail("header version wrong");
    if (d.header.correlation_id != int32_t(brook::runtime::load_be32(data + 4)))
      fail("header correlation wrong");
  } else if (d.outcome != kind::malformed) {
    fail("a request shorter than its header was not refused");
  }
  if (d.outcome == kind::unknown_api && k::find_api(d.header.api_key))
    fail("known API called unknown");

  if (d.outcome == kind::ok) {
    const auto& h = d.req->header;
    if (h.api_key != d.header.api_key || h.api_version != d.header.api_version ||
        h.correlation_id != d.header.correlation_id || h.client_id != d.header.client_id)
      fail("request header differs from the decoded header");
    const auto* api = k::find_api(h.api_key);
    if (!api || h.api_version < api->min_version || h.api_version > api->max_version)
      fail("decoded a request of an unsupported API or version");
    std::visit(
        [&](auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, k::api_versions_request>) {
            check_frame(k::encode_api_versions(h, 0), h);
          } else if constexpr (!std::is_void_v<typename response_of<T>::type>) {
            typename response_of<T>::type resp;
            check_frame(k::encode_response(h, resp), h);
          }
        },
        d.req->body);
  } else if (d.outcome == kind::unsupported_version &&
             k::api_key(d.header.api_key) == k::api_key::api_versions) {
    check_frame(k::encode_api_versions(d.header, 35), d.header);
  }
  return 0;
}
