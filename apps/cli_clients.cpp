// brook produce / consume.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>

#include "actors/client/client_metadata.hpp"
#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "apps/cli_clients.hpp"
#include "apps/cli_commands.hpp"

namespace brook::cli {

using runtime::errc;

runtime::result<std::shared_ptr<net::native_client>> any_broker(const std::string& bootstrap) {
  auto servers = client::parse_bootstrap(bootstrap);
  if (!servers) return servers.error();
  client::client_metadata meta(*servers, std::chrono::seconds(10));
  return meta.any_connection();
}

runtime::result<net::metadata_response> cluster_metadata(const std::string& bootstrap,
                                                         std::vector<std::string> topics) {
  auto conn = any_broker(bootstrap);
  if (!conn) return conn.error();
  net::metadata_request req{std::move(topics), false, false};
  req.all_topics = req.topics.empty();
  return (*conn)->call<net::metadata_response>(net::native_type::metadata, req);
}

runtime::result<client::producer_config> producer_settings(const options& o) {
  runtime::properties props{{"bootstrap.servers", o.bootstrap}, {"acks", o.acks}};
  if (o.linger_ms >= 0) props["linger.ms"] = std::to_string(o.linger_ms);
  if (o.batch_size >= 0) props["batch.size"] = std::to_string(o.batch_size);
  if (!o.compression.empty()) props["compression.type"] = o.compression;
  for (const auto& p : o.properties) {
    auto kv = runtime::parse_assignment(p);
    if (!kv) return kv.error();
    props[kv->first] = kv->second;
  }
  return client::producer_config::from_properties(props);
}

int produce_lines(const options& o) {
  auto cfg = producer_settings(o);
  if (!cfg) return fail(cfg.error());
  auto prod = client::producer::create(*cfg);
  if (!prod) return fail(prod.error());
  std::atomic<int64_t> failed{0};
  std::string first_error;
  std::mutex err_mu;
  std::string line;
  while (std::getline(std::cin, line)) {
    client::producer_record rec;
    rec.topic = o.topic;
    if (o.partition >= 0) rec.partition = o.partition;
    auto sep = o.key_separator.empty() ? std::string::npos : line.find(o.key_separator);
    if (sep != std::string::npos) {
      rec.key = line.substr(0, sep);
      rec.value = line.substr(sep + o.key_separator.size());
    } else {
      rec.value = std::move(line);
    }
    auto st = (*prod)->send(std::move(rec), [&](const client::delivery_report& r) {
      if (r.error.is_ok()) return;
      if (failed++ == 0) {
        std::lock_guard<std::mutex> g(err_mu);
        first_error = r.error.to_string();
      }
    });
    if (!st) return fail(st);
  }
  if (auto st = (*prod)->flush(); !st) return fail(st);
  if (failed > 0) {
    std::lock_guard<std::mutex> g(err_mu);
    return fail(std::to_string(failed.load()) + " record(s) failed; first error: " + first_error);
  }
  return 0;
}

namespace {
std::atomic<bool> stop_requested{false};
}

runtime::result<std::unique_ptr<client::consumer>> open_consumer(
    const options& o, std::vector<client::topic_partition>& tps) {
  runtime::properties props{{"bootstrap.servers", o.bootstrap},
                            {"auto.offset.reset", o.from_beginning ? "earliest" : "latest"}};
  if (!o.group.empty()) {
    props["group.id"] = o.group;
    // consume commits exactly what it printed (a poll may return more than --count takes).
    props["enable.auto.commit"] = "false";
  }
  for (const auto& p : o.properties) {
    auto kv = runtime::parse_assignment(p);
    if (!kv) return kv.error();
    props[kv->first] = kv->second;
  }
  auto cfg = client::consumer_config::from_properties(props);
  if (!cfg) return cfg.error();
  auto c = client::consumer::create(*cfg);
  if (!c) return c.error();
  if (!o.group.empty()) {  // a group member: the group assigns partitions, positions are committed
    if (o.partition >= 0 || o.offset >= 0)
      return runtime::status{errc::invalid_request,
                             "--group cannot be combined with --partition or --offset"};
    if (auto s = (*c)->subscribe({o.topic}); !s) return s;
    return c;
  }
  if (o.partition >= 0) {
    tps.push_back({o.topic, o.partition});
  } else {
    auto n = (*c)->partition_count(o.topic);
    if (!n) return n.error();
    for (int32_t p = 0; p < *n; ++p) tps.push_back({o.topic, p});
  }
  if (auto s = (*c)->assign(tps); !s) return s;
  if (o.offset >= 0) {
    if (o.partition < 0)
      return runtime::status{errc::invalid_request, "--offset needs --partition"};
    if (auto s = (*c)->seek(tps.front(), o.offset); !s) return s;
  } else if (o.from_beginning) {
    if (auto s = (*c)->seek_to_beginning(tps); !s) return s;
  } else {
    if (auto s = (*c)->seek_to_end(tps); !s) return s;
  }
  return c;
}

int consume_records(const options& o) {
  std::vector<client::topic_partition> tps;
  auto c = open_consumer(o, tps);
  if (!c) return fail(c.error());
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  int64_t seen = 0;
  auto last = std::chrono::steady_clock::now();
  while (!stop_requested && (o.count < 0 || seen < o.count)) {
    auto recs = (*c)->poll(std::chrono::milliseconds(200));
    if (!recs) return fail(recs.error());
    std::map<client::topic_partition, int64_t> printed;
    for (auto& r : *recs) {
      if (o.count >= 0 && seen >= o.count) break;
      if (o.print_key) std::cout << r.rec.key.value_or("null") << '\t';
      std::cout << r.rec.value.value_or("null") << '\n';
      printed[{r.topic, r.partition}] = r.rec.offset + 1;
      ++seen;
    }
    std::cout.flush();
    if (!o.group.empty() && !printed.empty()) {
      auto st = (*c)->commit_sync(printed);
      // Losing the membership (a pause past session.timeout.ms, a rebalance) is not fatal: the
      // next poll rejoins and the group re-delivers what was not committed, as Kafka's console
      // consumer does.
      bool membership = st.code() == errc::unknown_member_id ||
                        st.code() == errc::illegal_generation ||
                        st.code() == errc::rebalance_in_progress;
      if (!st && !membership) return fail(st);
    }
    auto now = std::chrono::steady_clock::now();
    if (!recs->empty()) last = now;
    if (o.timeout_ms >= 0 && now - last > std::chrono::milliseconds(o.timeout_ms)) {
      if (o.count >= 0)
        return fail("timed out after " + std::to_string(seen) + " of " + std::to_string(o.count) +
                    " records");
      break;
    }
  }
  return 0;
}

}  // namespace brook::cli
