#include "apps/chaos/report.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace brook::chaos {

namespace {

constexpr int chart_rows = 8;
constexpr size_t chart_columns = 72;

std::string format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

std::string escape_xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void verdict_lines(std::ostringstream& o, const verdict& v) {
  const auto& t = v.total;
  o << "Acknowledged " << t.acked << ", stored " << t.stored << ": lost " << t.lost
    << ", duplicated " << t.duplicated << ", reordered " << t.reordered << "; consumers: went back "
    << t.went_back << ", skipped " << t.skipped << ", saw and then vanished " << t.vanished << "\n";
  for (const auto& p : v.partitions)
    if (!p.ok())
      o << "  partition " << p.partition << ": lost " << p.lost << ", duplicated " << p.duplicated
        << ", reordered " << p.reordered << ", went back " << p.went_back << ", skipped "
        << p.skipped << ", vanished " << p.vanished << "\n";
  for (const auto& e : t.examples) o << "  e.g. " << e << "\n";
  o << (v.ok() ? "PASS: nothing acknowledged was lost, duplicated or reordered\n"
               : "FAIL: see above\n");
}

}  // namespace

failover_stats failover_of(const std::vector<fault_outcome>& faults) {
  std::vector<int64_t> ms;
  for (const auto& f : faults)
    if (f.failover_ms >= 0) ms.push_back(f.failover_ms);
  failover_stats s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.count = int64_t(ms.size());
  s.median = ms[ms.size() / 2];
  s.p99 = ms[std::min(ms.size() - 1, size_t(double(ms.size()) * 0.99))];
  s.max = ms.back();
  return s;
}

std::string timeline_text(const run_summary& s) {
  std::ostringstream o;
  const auto& acked = s.acked_per_second;
  size_t seconds = acked.size();
  size_t per_column = std::max<size_t>(1, (seconds + chart_columns - 1) / chart_columns);
  size_t columns = (seconds + per_column - 1) / per_column;
  std::vector<int64_t> col(columns, 0);
  for (size_t i = 0; i < seconds; ++i) col[i / per_column] += acked[i];
  for (auto& c : col) c /= int64_t(per_column);
  int64_t top = std::max<int64_t>(1, columns ? *std::max_element(col.begin(), col.end()) : 1);
  o << "Acknowledged writes per second (each column " << per_column << " s; top " << top
    << "/s), faults below:\n";
  for (int row = chart_rows; row >= 1; --row) {
    o << (row == chart_rows ? format("%8.0f |", double(top)) : std::string("         |"));
    for (auto c : col) o << (c * chart_rows >= top * row - top / 2 ? '#' : ' ');
    o << "\n";
  }
  o << "       0 +" << std::string(columns, '-') << "\n          ";
  std::string marks(columns, ' ');
  for (size_t i = 0; i < s.faults.size(); ++i) {
    if (s.faults[i].fired_ms < 0) continue;
    size_t c =
        std::min(columns ? columns - 1 : 0, size_t(s.faults[i].fired_ms / 1000) / per_column);
    if (c < marks.size()) marks[c] = marks[c] == ' ' ? '^' : '*';
  }
  o << marks << "\n";
  o << "Faults (^ one, * several in a column):\n";
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const auto& f = s.faults[i];
    o << format("%3.0f  ", double(i + 1)) << describe(f.planned);
    if (!f.target.empty()) o << " -> " << f.target;
    if (!f.error.empty()) o << "  SKIPPED: " << f.error;
    if (f.failover_ms >= 0) o << "  failover " << f.failover_ms << " ms";
    o << "\n";
  }
  size_t skipped = 0;
  for (const auto& f : s.faults) skipped += !f.error.empty();
  o << "Injected " << s.faults.size() - skipped << " of " << s.faults.size() << " faults ("
    << skipped << " skipped: no target at that moment)\n";
  auto fo = failover_of(s.faults);
  if (fo.count)
    o << "Failover over " << fo.count << " faults: median " << fo.median << " ms, p99 " << fo.p99
      << " ms, max " << fo.max << " ms\n";
  verdict_lines(o, s.result);
  return o.str();
}

std::string timeline_svg(const run_summary& s) {
  const int width = 900, height = 320, left = 70, right = 20, top = 30, bottom = 50;
  const auto& acked = s.acked_per_second;
  int64_t peak = 1;
  for (auto a : acked) peak = std::max(peak, a);
  double seconds = std::max<double>(1.0, double(acked.size()));
  double plot_w = width - left - right, plot_h = height - top - bottom;
  auto x_of = [&](double sec) { return left + plot_w * sec / seconds; };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"18\" font-size=\"13\">brook chaos: acknowledged writes per "
    << "second, seed " << s.seed << ", " << s.brokers << " brokers, acks=" << escape_xml(s.acks)
    << " — " << (s.result.ok() ? "PASS" : "FAIL") << "</text>\n";
  for (size_t i = 0; i < acked.size(); ++i) {
    double h = plot_h * double(acked[i]) / double(peak);
    o << "<rect x=\"" << format("%.1f", x_of(double(i))) << "\" y=\""
      << format("%.1f", top + plot_h - h) << "\" width=\""
      << format("%.1f", std::max(1.0, plot_w / seconds - 1)) << "\" height=\"" << format("%.1f", h)
      << "\" fill=\"#4a7fb5\"><title>" << i << " s: " << acked[i] << " acks</title></rect>\n";
  }
  o << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << width - right
    << "\" y2=\"" << top + plot_h << "\" stroke=\"black\"/>\n";
  o << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\""
    << top + plot_h << "\" stroke=\"black\"/>\n";
  o << "<text x=\"" << left - 6 << "\" y=\"" << top + 4 << "\" text-anchor=\"end\">" << peak
    << "/s</text>\n";
  o << "<text x=\"" << left - 6 << "\" y=\"" << top + plot_h << "\" text-anchor=\"end\">0</text>\n";
  for (double t = 0; t <= seconds; t += std::max(1.0, std::ceil(seconds / 10)))
    o << "<text x=\"" << format("%.1f", x_of(t)) << "\" y=\"" << top + plot_h + 14
      << "\" text-anchor=\"middle\">" << int(t) << "s</text>\n";
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const auto& f = s.faults[i];
    if (f.fired_ms < 0) continue;
    double x = x_of(double(f.fired_ms) / 1000);
    const char* color = f.error.empty() ? "#c0392b" : "#999999";
    o << "<line x1=\"" << format("%.1f", x) << "\" y1=\"" << top << "\" x2=\"" << format("%.1f", x)
      << "\" y2=\"" << top + plot_h << "\" stroke=\"" << color
      << "\" stroke-dasharray=\"3,2\"><title>" << escape_xml(describe(f.planned))
      << (f.failover_ms >= 0 ? ", failover " + std::to_string(f.failover_ms) + " ms" : "")
      << "</title></line>\n";
    // Numbers under the lines; with many faults only every fifth, so they stay readable.
    if (s.faults.size() <= 40 || (i + 1) % 5 == 0)
      o << "<text x=\"" << format("%.1f", x) << "\" y=\"" << top + plot_h + 28 + 10 * int(i % 2)
        << "\" text-anchor=\"middle\" fill=\"" << color << "\">" << i + 1 << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string summary_json(const run_summary& s) {
  using nlohmann::json;
  auto verdict_json = [](const partition_verdict& v) {
    return json{{"partition", v.partition},   {"acked", v.acked},
                {"stored", v.stored},         {"lost", v.lost},
                {"duplicated", v.duplicated}, {"reordered", v.reordered},
                {"went_back", v.went_back},   {"skipped", v.skipped},
                {"vanished", v.vanished},     {"examples", v.examples}};
  };
  json j;
  j["seed"] = s.seed;
  j["duration_ms"] = s.duration_ms;
  j["brokers"] = s.brokers;
  j["partitions"] = s.partitions;
  j["producers"] = s.producers;
  j["consumers"] = s.consumers;
  j["acks"] = s.acks;
  j["topic"] = s.topic;
  j["ok"] = s.result.ok();
  j["total"] = verdict_json(s.result.total);
  j["per_partition"] = json::array();
  for (const auto& p : s.result.partitions) j["per_partition"].push_back(verdict_json(p));
  j["acked_per_second"] = s.acked_per_second;
  j["errors_per_second"] = s.errors_per_second;
  j["faults"] = json::array();
  for (const auto& f : s.faults)
    j["faults"].push_back({{"at_ms", f.planned.at_ms},
                           {"kind", std::string(name_of(f.planned.kind))},
                           {"description", describe(f.planned)},
                           {"fired_ms", f.fired_ms},
                           {"target", f.target},
                           {"skipped", !f.error.empty()},
                           {"error", f.error},
                           {"partitions", f.partitions},
                           {"failover_ms", f.failover_ms}});
  auto fo = failover_of(s.faults);
  j["failover_ms"] = {{"count", fo.count}, {"median", fo.median}, {"p99", fo.p99}, {"max", fo.max}};
  return j.dump(2) + "\n";
}

}  // namespace brook::chaos
