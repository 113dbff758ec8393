// brook_rdkafka_bench: produce throughput through the Kafka protocol with librdkafka, printed in
// the same form as `brook bench produce`, so both paths compare side by side in one run.
//   brook_rdkafka_bench BOOTSTRAP TOPIC RECORDS RECORD_SIZE ACKS [key=value librdkafka config...]
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct run_state {
  std::vector<int64_t> sent_ns, latency_ns;
  long delivered = 0, failed = 0;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count();
}

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<run_state*>(opaque);
  auto i = reinterpret_cast<intptr_t>(m->_private);
  st->latency_ns[size_t(i)] = now_ns() - st->sent_ns[size_t(i)];
  if (m->err) ++st->failed;
  ++st->delivered;
}

bool set(rd_kafka_conf_t* conf, const char* k, const char* v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "brook_rdkafka_bench: %s\n", err);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC RECORDS RECORD_SIZE ACKS [key=value...]\n", argv[0]);
    return 2;
  }
  const char* topic = argv[2];
  long records = std::atol(argv[3]);
  size_t size = size_t(std::atol(argv[4]));
  run_state st;
  st.sent_ns.resize(size_t(records));
  st.latency_ns.resize(size_t(records));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!set(conf, "bootstrap.servers", argv[1]) || !set(conf, "acks", argv[5]) ||
      !set(conf, "linger.ms", "5") || !set(conf, "queue.buffering.max.messages", "1000000"))
    return 1;
  for (int i = 6; i < argc; ++i) {
    std::string kv = argv[i];
    auto eq = kv.find('=');
    if (eq == std::string::npos || !set(conf, kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str())) return 1;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &st);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) {
    std::fprintf(stderr, "brook_rdkafka_bench: %s\n", err);
    return 1;
  }
  std::string payload(size, 'x');
  for (size_t i = 0; i < size; ++i) payload[i] = char('a' + i % 26);
  auto start = clock_type::now();
  for (long i = 0; i < records; ++i) {
    st.sent_ns[size_t(i)] = now_ns();
    for (;;) {
      auto e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(intptr_t(i))), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "brook_rdkafka_bench: produce failed: %s\n", rd_kafka_err2str(e));
        return 1;
      }
      rd_kafka_poll(rk, 1);
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  rd_kafka_destroy(rk);
  auto& lat = st.latency_ns;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) { return double(lat[std::min(lat.size() - 1, size_t(q * double(lat.size())))]) / 1e6; };
  std::printf("produce (librdkafka, Kafka protocol): %ld records in %.2f s: %.0f records/s, %.2f MB/s, "
              "latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
              records, secs, double(records) / secs, double(records) * double(size) / secs / 1048576.0,
              pct(0.5), pct(0.99), pct(0.999), double(lat.back()) / 1e6);
  if (st.failed > 0 || st.delivered != records) {
    std::fprintf(stderr, "brook_rdkafka_bench: %ld failed, %ld of %ld delivered\n", st.failed, st.delivered, records);
    return 1;
  }
  return 0;
}
