// Chaos reports: the timeline marks faults, the JSON carries the verdict and failover figures.
#include "apps/chaos/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace brook::chaos {
namespace {

run_summary sample() {
  run_summary s;
  s.seed = 7;
  s.duration_ms = 10000;
  s.brokers = 3;
  s.partitions = 1;
  s.acks = "all";
  s.acked_per_second = {100, 100, 20, 100, 100};
  fault_outcome f;
  f.planned.kind = fault_kind::kill9_broker;
  f.planned.broker = 2;
  f.planned.at_ms = 2000;
  f.planned.duration_ms = 800;
  f.fired_ms = 2010;
  f.target = "broker 2 (pid 1)";
  f.partitions = {0};
  f.failover_ms = 120;
  s.faults.push_back(f);
  fault_outcome skipped = f;
  skipped.planned.kind = fault_kind::partition_broker;
  skipped.error = "not here";
  skipped.failover_ms = -1;
  s.faults.push_back(skipped);
  s.result = check(1, {{0, 0, 1, 0}}, {{0, 0, 1, 0}}, {});
  return s;
}

TEST(ChaosReport, TextShowsTheChartFaultsFailoverAndVerdict) {
  auto text = timeline_text(sample());
  EXPECT_NE(text.find('#'), std::string::npos);
  EXPECT_NE(text.find('^'), std::string::npos);
  EXPECT_NE(text.find("kill9-broker broker 2 for 800 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("failover 120 ms"), std::string::npos);
  EXPECT_NE(text.find("SKIPPED: not here"), std::string::npos);
  EXPECT_NE(text.find("PASS"), std::string::npos);
}

TEST(ChaosReport, JsonCarriesVerdictFaultsAndFailover) {
  auto j = nlohmann::json::parse(summary_json(sample()));
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["total"]["lost"].get<int64_t>(), 0);
  ASSERT_EQ(j["faults"].size(), 2u);
  EXPECT_EQ(j["faults"][0]["kind"], "kill9-broker");
  EXPECT_EQ(j["faults"][1]["skipped"].get<bool>(), true);
  EXPECT_EQ(j["failover_ms"]["count"].get<int64_t>(), 1);
  EXPECT_EQ(j["failover_ms"]["max"].get<int64_t>(), 120);
}

TEST(ChaosReport, SvgIsADocumentWithBarsAndFaultLines) {
  auto svg = timeline_svg(sample());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<rect"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
}

}  // namespace
}  // namespace brook::chaos
