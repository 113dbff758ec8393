// brook_rdkafka_transform_bench: the hand-written librdkafka loop `brook bench streams` is held
// against: a group consumer reads IN from the beginning, each value gets its first byte flipped,
// and is produced to OUT with acks=all; done when every output is acknowledged. Timed from the
// first record consumed (the group join left out), printed like `brook bench streams`.
//   brook_rdkafka_transform_bench BOOTSTRAP IN OUT RECORDS
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;
long delivered = 0, failed = 0;

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) ++failed;
  ++delivered;
}

rd_kafka_conf_t* conf(const char* bootstrap,
                      std::initializer_list<std::pair<const char*, const char*>> kv) {
  char err[512];
  auto* c = rd_kafka_conf_new();
  rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof(err));
  for (auto [k, v] : kv)
    if (rd_kafka_conf_set(c, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "brook_rdkafka_transform_bench: %s\n", err);
      std::exit(2);
    }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP IN OUT RECORDS\n", argv[0]);
    return 2;
  }
  const char* bootstrap = argv[1];
  const char* in = argv[2];
  const char* out = argv[3];
  long n = std::atol(argv[4]);
  char err[512];
  std::string group =
      "rdkafka-transform-" + std::to_string(clock_type::now().time_since_epoch().count());
  auto* cc = conf(bootstrap, {{"group.id", group.c_str()}, {"auto.offset.reset", "earliest"}});
  auto* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof(err));
  auto* pc = conf(bootstrap, {{"acks", "all"}, {"linger.ms", "5"}});
  rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
  auto* producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof(err));
  if (!consumer || !producer) {
    std::fprintf(stderr, "brook_rdkafka_transform_bench: %s\n", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(consumer);
  auto* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, in, RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, topics);
  rd_kafka_topic_partition_list_destroy(topics);

  long consumed = 0;
  clock_type::time_point first{};
  while (delivered < n) {
    rd_kafka_message_t* m = consumed < n ? rd_kafka_consumer_poll(consumer, 100) : nullptr;
    if (m) {
      if (!m->err) {
        if (consumed++ == 0) first = clock_type::now();
        std::string v(static_cast<const char*>(m->payload), m->len);
        if (!v.empty()) v[0] = char(v[0] ^ 0x20);
        while (rd_kafka_producev(
                   producer, RD_KAFKA_V_TOPIC(out), RD_KAFKA_V_KEY(m->key, m->key_len),
                   RD_KAFKA_V_VALUE(v.data(), v.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                   RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
          rd_kafka_poll(producer, 10);
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_poll(producer, consumed < n ? 0 : 10);
  }
  double secs = std::chrono::duration<double>(clock_type::now() - first).count();
  std::printf(
      "rdkafka transform: %ld records in %.2f s after the group join: %.0f records/s (%ld "
      "failed)\n",
      n, secs, double(n) / secs, failed);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_flush(producer, 10000);
  rd_kafka_destroy(producer);
  return failed ? 1 : 0;
}
