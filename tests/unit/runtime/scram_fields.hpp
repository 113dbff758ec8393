#pragma once
// Test helper for the SASL tests: the "key=value" fields of a SCRAM message.
#include <map>
#include <string>

inline std::map<std::string, std::string> scram_fields(const std::string& msg) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= msg.size()) {
    size_t end = msg.find(',', start);
    if (end == std::string::npos) end = msg.size();
    const std::string f = msg.substr(start, end - start);
    const size_t eq = f.find('=');
    if (eq != std::string::npos) out[f.substr(0, eq)] = f.substr(eq + 1);
    start = end + 1;
  }
  return out;
}
