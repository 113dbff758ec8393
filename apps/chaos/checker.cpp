#include "apps/chaos/checker.hpp"

#include <map>
#include <set>
#include <tuple>

namespace brook::chaos {

namespace {

constexpr size_t max_examples = 5;

using record_id = std::pair<int32_t, int64_t>;  // (producer, seq)

std::string id_text(const record_id& r) {
  return "record " + std::to_string(r.first) + ":" + std::to_string(r.second);
}

void note(partition_verdict& v, const std::string& what) {
  if (v.examples.size() < max_examples) v.examples.push_back(what);
}

}  // namespace

verdict check(int32_t partitions, const std::vector<acked_record>& acked,
              const std::vector<stored_record>& stored, const std::vector<seen_record>& seen) {
  verdict out;
  out.partitions.resize(size_t(std::max(partitions, 0)));
  for (int32_t p = 0; p < partitions; ++p) out.partitions[size_t(p)].partition = p;
  auto in = [&](int32_t p) { return p >= 0 && p < partitions; };

  // What each partition holds at the end, by offset.
  std::vector<std::map<int64_t, record_id>> at(out.partitions.size());
  std::set<record_id> once;
  std::vector<std::map<int32_t, int64_t>> last_seq(out.partitions.size());  // per producer
  for (const auto& s : stored) {
    if (!in(s.partition)) continue;
    auto& v = out.partitions[size_t(s.partition)];
    record_id id{s.producer, s.seq};
    at[size_t(s.partition)][s.offset] = id;
    ++v.stored;
    if (!once.insert(id).second) {
      ++v.duplicated;
      note(v, id_text(id) + " stored again at offset " + std::to_string(s.offset));
    }
    auto& last = last_seq[size_t(s.partition)];
    auto it = last.find(s.producer);
    if (it != last.end() && s.seq < it->second) {
      ++v.reordered;
      note(v, id_text(id) + " at offset " + std::to_string(s.offset) + " comes after seq " +
                  std::to_string(it->second) + " of its producer");
    }
    if (it == last.end() || s.seq > it->second) last[s.producer] = s.seq;
  }

  for (const auto& a : acked) {
    if (!in(a.partition)) continue;
    auto& v = out.partitions[size_t(a.partition)];
    ++v.acked;
    const auto& held = at[size_t(a.partition)];
    auto it = held.find(a.offset);
    record_id id{a.producer, a.seq};
    if (it == held.end() || it->second != id) {
      ++v.lost;
      note(v, id_text(id) + " acknowledged at offset " + std::to_string(a.offset) + " is " +
                  (it == held.end() ? std::string("gone") : "replaced by " + id_text(it->second)));
    }
  }

  // Consumers: within one assignment, offsets only grow and step over nothing stored.
  std::map<std::tuple<int32_t, int64_t, int32_t>, int64_t> last_offset;
  for (const auto& s : seen) {
    if (!in(s.partition)) continue;
    auto& v = out.partitions[size_t(s.partition)];
    const auto& held = at[size_t(s.partition)];
    record_id id{s.producer, s.seq};
    auto it = held.find(s.offset);
    if (it == held.end() || it->second != id) {
      ++v.vanished;
      note(v, "consumer " + std::to_string(s.consumer) + " saw " + id_text(id) + " at offset " +
                  std::to_string(s.offset) + ", which is " +
                  (it == held.end() ? std::string("gone") : "now " + id_text(it->second)));
    }
    auto key = std::make_tuple(s.consumer, s.session, s.partition);
    auto prev = last_offset.find(key);
    if (prev != last_offset.end()) {
      if (s.offset <= prev->second) {
        ++v.went_back;
        note(v, "consumer " + std::to_string(s.consumer) + " went from offset " +
                    std::to_string(prev->second) + " back to " + std::to_string(s.offset));
      } else {
        auto from = held.upper_bound(prev->second), to = held.lower_bound(s.offset);
        int64_t n = std::distance(from, to);
        if (n > 0) {
          v.skipped += n;
          note(v, "consumer " + std::to_string(s.consumer) + " stepped from offset " +
                      std::to_string(prev->second) + " to " + std::to_string(s.offset) + " over " +
                      std::to_string(n) + " stored record(s)");
        }
      }
    }
    if (prev == last_offset.end() || s.offset > prev->second) last_offset[key] = s.offset;
  }

  auto& t = out.total;
  t.partition = -1;
  for (const auto& v : out.partitions) {
    t.acked += v.acked;
    t.stored += v.stored;
    t.lost += v.lost;
    t.duplicated += v.duplicated;
    t.reordered += v.reordered;
    t.went_back += v.went_back;
    t.skipped += v.skipped;
    t.vanished += v.vanished;
    for (const auto& e : v.examples)
      if (t.examples.size() < 2 * max_examples)
        t.examples.push_back("partition " + std::to_string(v.partition) + ": " + e);
  }
  return out;
}

}  // namespace brook::chaos
