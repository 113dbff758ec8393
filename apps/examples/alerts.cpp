// An urgent alerting handler with the Processor API: readings (key: sensor, value: a number as
// text) above `threshold` raise one alert on `alerts` when a sensor crosses it, and one "clear"
// when it falls back; every record is handled as it arrives (urgent{}).
//
//   brook-alerts bootstrap.servers=127.0.0.1:9093 input=sensor-readings output=alerts threshold=90
#include <cstdlib>

#include "example_main.hpp"

using namespace brook::streams;

namespace {

class threshold_alerter : public processor<std::string, std::string> {
 public:
  explicit threshold_alerter(double threshold) : threshold_(threshold) {}
  void process(const record<std::string, std::string>& r, context_type& ctx) override {
    char* end = nullptr;
    double v = std::strtod(r.value.c_str(), &end);
    if (end == r.value.c_str()) return;  // not a number: nothing to say
    auto& above = ctx.state_store<kv_store<std::string, int64_t>>("above");
    bool was = above.get(r.key).value_or(0) != 0;
    bool is = v > threshold_;
    if (was == is) return;
    above.put(r.key, is ? 1 : 0);
    ctx.forward(r.with_value(std::string(is ? "ALERT " : "clear ") + r.value + " (offset " +
                             std::to_string(ctx.metadata().offset) + ")"));
  }

 private:
  double threshold_;
};

}  // namespace

int main(int argc, char** argv) {
  brook::examples::args a(argc, argv,
                          {{"application.id", "alerts"},
                           {"input", "sensor-readings"},
                           {"output", "alerts"},
                           {"threshold", "90"},
                           {"commit.interval.ms", "1000"}});
  double threshold = a.number("threshold");

  topology t;
  t.add_source<std::string, std::string>("readings", {a.input})
      .add_processor<threshold_alerter>(
          "alerter", [threshold] { return std::make_unique<threshold_alerter>(threshold); },
          {"readings"})
      .add_state_store(stores::key_value<std::string, int64_t>("above"), {"alerter"})
      .add_sink<std::string, std::string>("alerts", a.output, {"alerter"})
      .set_urgency("alerter", urgent{});
  return brook::examples::run(t, a.props);
}
