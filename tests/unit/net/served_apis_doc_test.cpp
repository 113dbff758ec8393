// The served Kafka APIs are stated once, in supported_apis(); docs/protocol.md's table must say
// the same (the versions were once stated in four places and disagreed).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "net/kafka/codec.hpp"

namespace {

std::string protocol_doc() {
  std::ifstream in(std::string(BROOK_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServedApis, DocsTableMatchesTheCodecTable) {
  auto doc = protocol_doc();
  ASSERT_FALSE(doc.empty());
  for (const auto& a : brook::net::kafka::supported_apis()) {
    std::string row = "| " + std::string(a.name) + " | " + std::to_string(int(a.key)) + " | " +
                      std::to_string(a.min_version) + "-" + std::to_string(a.max_version) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/protocol.md lacks the row " << row;
  }
}

}  // namespace
