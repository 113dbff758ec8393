#pragma once
// Client construction shared by produce/consume and the benchmarks.
#include <memory>
#include <string>
#include <vector>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "apps/cli_commands.hpp"
#include "net/native_messages.hpp"

namespace brook::net {
class native_client;
}

namespace brook::cli {

/// A connection to any reachable broker of the bootstrap list (host:port,...).
runtime::result<std::shared_ptr<net::native_client>> any_broker(const std::string& bootstrap);
/// Cluster metadata from any bootstrap broker: `topics`, or every topic when empty.
runtime::result<net::metadata_response> cluster_metadata(const std::string& bootstrap,
                                                         std::vector<std::string> topics);

/// Producer settings from the CLI flags and -X key=value properties.
runtime::result<client::producer_config> producer_settings(const options& o);
/// A consumer assigned to o.partition (or every partition of o.topic), positioned per the flags.
runtime::result<std::unique_ptr<client::consumer>> open_consumer(
    const options& o, std::vector<client::topic_partition>& tps);

}  // namespace brook::cli
