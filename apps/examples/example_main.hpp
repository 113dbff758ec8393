#pragma once
// What the example applications share: settings from the command line as key=value (Kafka
// Streams' names, e.g. bootstrap.servers=127.0.0.1:9093), start, run until SIGINT or SIGTERM,
// close (which commits), and print each task's numbers on the way out.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "actors/streams/streams.hpp"
#include "runtime/config.hpp"

namespace brook::examples {

/// The command line: key=value arguments over `defaults`. `input` and `output` (the topics) are
/// taken out at once; the example takes its other own settings with text() and number(); what
/// remains in `props` are the streams settings.
struct args {
  args(int argc, char** argv, runtime::properties defaults) : props(std::move(defaults)) {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto eq = a.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "expected key=value, got '" << a << "'\n";
        std::exit(2);
      }
      props[a.substr(0, eq)] = a.substr(eq + 1);
    }
    input = text("input");
    output = text("output");
  }
  std::string text(const std::string& key) {
    auto it = props.find(key);
    if (it == props.end()) return {};
    auto v = it->second;
    props.erase(it);
    return v;
  }
  /// A value that is not a number ends the program (exit 2).
  double number(const std::string& key) {
    auto v = text(key);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0') {
      std::cerr << key << " must be a number, got '" << v << "'\n";
      std::exit(2);
    }
    return d;
  }

  runtime::properties props;
  std::string input, output;
};

inline int run(const streams::topology& t, const runtime::properties& props) {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  try {
    streams::kafka_streams app(t, props);
    if (auto st = app.start(); !st) {
      std::cerr << "cannot start: " << st.to_string() << "\n";
      return 1;
    }
    std::cout << "running " << props.at("application.id") << "\n" << t.describe() << std::flush;
    // Until SIGINT/SIGTERM, or until a task gave up after crashing again and again.
    timespec second{1, 0};
    while (sigtimedwait(&sigs, nullptr, &second) < 0)
      if (app.current_state() == streams::kafka_streams::state::failed) {
        std::cerr << "a task failed for good (see the log); closing\n";
        app.close();
        return 1;
      }
    for (const auto& m : app.tasks())
      std::cout << "task " << m.id.to_string() << " processed " << m.processed << "\n";
    app.close();
    std::cout << "closed\n";
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace brook::examples
