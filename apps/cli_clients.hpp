#pragma once
// Client construction shared by produce/consume and the benchmarks.
#include <memory>
#include <vector>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "apps/cli_commands.hpp"

namespace brook::cli {

/// Producer settings from the CLI flags and -X key=value properties.
runtime::result<client::producer_config> producer_settings(const options& o);
/// A consumer assigned to o.partition (or every partition of o.topic), positioned per the flags.
runtime::result<std::unique_ptr<client::consumer>> open_consumer(
    const options& o, std::vector<client::topic_partition>& tps);

}  // namespace brook::cli
