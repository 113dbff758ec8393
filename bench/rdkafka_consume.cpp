// brook_rdkafka_consume_bench: reads a partition from its beginning through the Kafka protocol
// with librdkafka (the simple consumer: consume_start, then consume_callback, which librdkafka
// documents as its fastest way to consume, or with api=batch consume_batch; librdkafka's
// defaults for fetch sizes and prefetching), printed in the same form as `brook bench consume`,
// so both paths compare side by side in one run.
//   brook_rdkafka_consume_bench BOOTSTRAP TOPIC PARTITION RECORDS [api=callback|batch]
//                               [key=value librdkafka config...]
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct counts {
  long n = 0, bytes = 0;
  std::string error;
};

void count(rd_kafka_message_t* m, counts& c) {
  if (!m->err) {
    ++c.n;
    c.bytes += long(m->len);
  } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && c.error.empty()) {
    c.error = rd_kafka_message_errstr(m);
  }
}

bool set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "brook_rdkafka_consume_bench: %s\n", err);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(
        stderr, "usage: %s BOOTSTRAP TOPIC PARTITION RECORDS [api=callback|batch] [key=value...]\n",
        argv[0]);
    return 2;
  }
  int32_t partition = std::atoi(argv[3]);
  long records = std::atol(argv[4]);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!set(conf, "bootstrap.servers", argv[1])) return 1;
  bool batch_api = false;
  for (int i = 5; i < argc; ++i) {
    std::string kv = argv[i];
    if (kv == "api=batch" || kv == "api=callback") {
      batch_api = kv == "api=batch";
      continue;
    }
    auto eq = kv.find('=');
    if (eq == std::string::npos || !set(conf, kv.substr(0, eq), kv.substr(eq + 1))) return 1;
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (!rk) {
    std::fprintf(stderr, "brook_rdkafka_consume_bench: %s\n", err);
    return 1;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, argv[2], nullptr);
  auto start = clock_type::now();
  if (rd_kafka_consume_start(rkt, partition, RD_KAFKA_OFFSET_BEGINNING) == -1) {
    std::fprintf(stderr, "brook_rdkafka_consume_bench: consume_start: %s\n",
                 rd_kafka_err2str(rd_kafka_last_error()));
    return 1;
  }
  std::vector<rd_kafka_message_t*> batch(10000);
  counts c;
  auto last = clock_type::now();
  while (c.n < records && c.error.empty()) {
    long before = c.n;
    if (batch_api) {
      ssize_t got = rd_kafka_consume_batch(rkt, partition, 500, batch.data(), batch.size());
      if (got < 0) c.error = rd_kafka_err2str(rd_kafka_last_error());
      for (ssize_t i = 0; i < got; ++i) {
        count(batch[size_t(i)], c);
        rd_kafka_message_destroy(batch[size_t(i)]);
      }
    } else {
      int got = rd_kafka_consume_callback(
          rkt, partition, 500,
          [](rd_kafka_message_t* m, void* opaque) { count(m, *static_cast<counts*>(opaque)); }, &c);
      if (got < 0) c.error = rd_kafka_err2str(rd_kafka_last_error());
    }
    if (c.n > before) last = clock_type::now();
    if (clock_type::now() - last > std::chrono::seconds(10))
      c.error =
          "no records for 10 s after " + std::to_string(c.n) + " of " + std::to_string(records);
  }
  if (!c.error.empty()) {
    std::fprintf(stderr, "brook_rdkafka_consume_bench: %s\n", c.error.c_str());
    return 1;
  }
  long n = c.n, bytes = c.bytes;
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  rd_kafka_consume_stop(rkt, partition);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf(
      "consume (librdkafka, Kafka protocol): %ld records in %.2f s: %.0f records/s, %.2f MB/s\n", n,
      secs, double(n) / secs, double(bytes) / secs / 1048576.0);
  return 0;
}
