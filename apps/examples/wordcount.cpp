// Word count with the DSL: counts every word of the lines on `input` (total and per tumbling
// window of event time), writing the running counts to `<output>` and `<output>-windowed`.
//
//   brook-wordcount bootstrap.servers=127.0.0.1:9093 input=text output=word-counts
//                   window.ms=60000 grace.ms=10000
#include <cctype>
#include <sstream>

#include "example_main.hpp"

using namespace brook::streams;

int main(int argc, char** argv) {
  brook::examples::args a(argc, argv,
                          {{"application.id", "wordcount"},
                           {"input", "text"},
                           {"output", "word-counts"},
                           {"window.ms", "60000"},
                           {"grace.ms", "10000"},
                           {"commit.interval.ms", "1000"}});
  std::chrono::milliseconds window(int64_t(a.number("window.ms")));
  std::chrono::milliseconds grace(int64_t(a.number("grace.ms")));

  stream_builder b;
  auto words =
      b.stream<std::string, std::string>(a.input).flat_map_values([](const std::string& line) {
        std::vector<std::string> out;
        std::string w;
        for (char c : line + " ") {
          if (std::isalnum(static_cast<unsigned char>(c))) {
            w += char(std::tolower(static_cast<unsigned char>(c)));
          } else if (!w.empty()) {
            out.push_back(std::move(w));
            w.clear();
          }
        }
        return out;
      });
  auto by_word = words.group_by([](const std::string&, const std::string& w) { return w; },
                                grouped<std::string, std::string>::as("by-word"));
  by_word.count(materialized<std::string, int64_t>::as("counts")).to_stream().to(a.output);
  by_word.windowed_by(time_windows::of_size_and_grace(window, grace))
      .count(materialized<std::string, int64_t>::as("windowed-counts"))
      .to_stream()
      .map([](const windowed<std::string>& k, int64_t n) {
        return std::make_pair(k.key + "@" + std::to_string(k.window.start), n);
      })
      .to(a.output + "-windowed");
  return brook::examples::run(b.build(), a.props);
}
