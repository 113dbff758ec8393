// brookd: one Brook node. Usage (as kafka-server-start.sh):
//   brookd [server.properties] [--override key=value]... [--log-level debug|info|warn|error]
#include <cstdio>
#include <cstring>
#include <string>

#include "actors/node/node.hpp"
#include "runtime/config.hpp"
#include "runtime/log.hpp"
#include "runtime/memory.hpp"

namespace {

int usage(const char* why) {
  if (why) std::fprintf(stderr, "brookd: %s\n", why);
  std::fprintf(stderr,
               "usage: brookd [server.properties] [--override key=value]... "
               "[--log-level debug|info|warn|error]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  brook::runtime::keep_freed_buffers();
  using namespace brook::runtime;
  properties props;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(nullptr), 0;
    if (a == "--override" || a == "--log-level") {
      if (i + 1 >= argc) return usage((a + " needs a value").c_str());
      std::string v = argv[++i];
      if (a == "--log-level") {
        log::level l;
        if (!log::parse_level(v, l)) return usage(("unknown log level '" + v + "'").c_str());
        log::set_level(l);
        continue;
      }
      auto kv = parse_assignment(v);
      if (!kv) return usage(kv.error().message().c_str());
      props[kv->first] = kv->second;  // applied after the file, so overrides win
      continue;
    }
    if (a.rfind("--", 0) == 0 || !config_path.empty())
      return usage(("unexpected argument '" + a + "'").c_str());
    config_path = a;
  }
  if (!config_path.empty()) {
    auto file = load_properties(config_path);
    if (!file) {
      std::fprintf(stderr, "brookd: %s\n", file.error().message().c_str());
      return 1;
    }
    for (auto& [k, v] : props) (*file)[k] = v;
    props = std::move(*file);
  }
  auto cfg = broker_config::from_properties(props);
  if (!cfg) {
    std::fprintf(stderr, "brookd: config error: %s\n", cfg.error().message().c_str());
    return 1;
  }
  return brook::actors::run_node(*cfg);
}
