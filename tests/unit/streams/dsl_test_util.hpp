#pragma once
// What the DSL tests share: the namespace, a short name for std::string, and splitting a line
// into words.
#include <sstream>
#include <string>
#include <vector>

#include "actors/streams/dsl.hpp"
#include "actors/streams/test_driver.hpp"

namespace dsl_test {

using namespace brook::streams;
using str = std::string;

inline std::vector<str> words(const str& line) {
  std::istringstream in(line);
  std::vector<str> out;
  for (str w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace dsl_test
