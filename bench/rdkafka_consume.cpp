// brook_rdkafka_consume_bench: reads a partition from its beginning through the Kafka protocol
// with librdkafka (the simple consumer: consume_start + consume_batch, librdkafka's defaults
// for fetch sizes and prefetching), printed in the same form as `brook bench consume`, so both
// paths compare side by side in one run.
//   brook_rdkafka_consume_bench BOOTSTRAP TOPIC PARTITION RECORDS [key=value librdkafka config...]
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

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
    std::fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITION RECORDS [key=value...]\n", argv[0]);
    return 2;
  }
  int32_t partition = std::atoi(argv[3]);
  long records = std::atol(argv[4]);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!set(conf, "bootstrap.servers", argv[1])) return 1;
  for (int i = 5; i < argc; ++i) {
    std::string kv = argv[i];
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
  long n = 0, bytes = 0;
  auto last = clock_type::now();
  while (n < records) {
    ssize_t got = rd_kafka_consume_batch(rkt, partition, 500, batch.data(), batch.size());
    if (got < 0) {
      std::fprintf(stderr, "brook_rdkafka_consume_bench: %s\n",
                   rd_kafka_err2str(rd_kafka_last_error()));
      return 1;
    }
    for (ssize_t i = 0; i < got; ++i) {
      rd_kafka_message_t* m = batch[size_t(i)];
      if (!m->err) {
        ++n;
        bytes += long(m->len);
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::fprintf(stderr, "brook_rdkafka_consume_bench: %s\n", rd_kafka_message_errstr(m));
        return 1;
      }
      rd_kafka_message_destroy(m);
    }
    if (got > 0) last = clock_type::now();
    if (clock_type::now() - last > std::chrono::seconds(10)) {
      std::fprintf(stderr, "brook_rdkafka_consume_bench: no records for 10 s after %ld of %ld\n", n,
                   records);
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  rd_kafka_consume_stop(rkt, partition);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf("consume (librdkafka, Kafka protocol): %ld records in %.2f s: %.0f records/s, %.2f MB/s\n",
              n, secs, double(n) / secs, double(bytes) / secs / 1048576.0);
  return 0;
}
