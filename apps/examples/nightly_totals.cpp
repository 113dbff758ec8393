// A flexible nightly-style aggregation: the amounts on `orders` (key: customer, value: an amount
// as text) summed per customer and day of event time, written to `daily-totals` as
// "<customer>@<day start ms>". It is flexible{6 h}: it runs on spare capacity in large batches at
// the lowest OS priority and waits while urgent work runs, but never loses a record.
//
//   brook-nightly-totals bootstrap.servers=127.0.0.1:9093 input=orders output=daily-totals
#include <cstdlib>

#include "actors/streams/serdes_json.hpp"
#include "example_main.hpp"

using namespace brook::streams;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  brook::examples::args a(argc, argv,
                          {{"application.id", "nightly-totals"},
                           {"input", "orders"},
                           {"output", "daily-totals"},
                           {"commit.interval.ms", "5000"}});

  stream_builder b;
  b.stream<std::string, std::string>(a.input)
      .with_urgency(flexible{6h})
      .map_values([](const std::string& v) { return std::strtod(v.c_str(), nullptr); })
      .group_by_key(grouped<std::string, double>::with(serdes::string(), serdes::json<double>()))
      .windowed_by(time_windows::of_size_and_grace(24h, 1h))
      .aggregate(
          [] { return 0.0; },
          [](const std::string&, double amount, double total) { return total + amount; },
          materialized<std::string, double>::as("daily").with_value_serde(serdes::json<double>()))
      .to_stream()
      .map([](const windowed<std::string>& k, double total) {
        return std::make_pair(k.key + "@" + std::to_string(k.window.start), std::to_string(total));
      })
      .to(a.output);
  return brook::examples::run(b.build(), a.props);
}
