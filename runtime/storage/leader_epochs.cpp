#include "runtime/storage/leader_epochs.hpp"

#include <fstream>
#include <sstream>

#include "runtime/durable_file.hpp"

namespace brook::runtime::storage {

result<leader_epochs> leader_epochs::load(const std::string& dir, int64_t log_end) {
  leader_epochs out;
  out.path_ = dir + "/leader-epoch-checkpoint";
  std::ifstream in(out.path_);
  if (!in) return out;  // a new replica
  std::string line, rest;
  entry prev{-1, -1};  // the previous line, kept or not: the whole file must ascend
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream ls(line);
    entry e{};
    if (!(ls >> e.epoch >> e.start_offset) || (ls >> rest) || e.epoch < 0 || e.epoch <= prev.epoch ||
        e.start_offset < prev.start_offset)
      return status{errc::corrupt_message, "bad line '" + line + "' in " + out.path_};
    prev = e;
    if (e.start_offset <= log_end) out.entries_.push_back(e);
  }
  return out;
}

status leader_epochs::assign(int32_t epoch, int64_t start_offset) {
  if (!entries_.empty() && epoch <= entries_.back().epoch) return {};
  while (!entries_.empty() && entries_.back().start_offset >= start_offset) entries_.pop_back();
  entries_.push_back({epoch, start_offset});
  return save();
}

status leader_epochs::truncate_from(int64_t log_end) {
  size_t before = entries_.size();
  // An epoch starting exactly at the new end holds no records any more: it goes too, so the
  // next fetch names the epoch of the last record this replica really has.
  while (!entries_.empty() && entries_.back().start_offset >= log_end) entries_.pop_back();
  return entries_.size() == before ? status{} : save();
}

std::pair<int32_t, int64_t> leader_epochs::end_offset_for(int32_t epoch, int64_t log_end) const {
  for (size_t i = entries_.size(); i-- > 0;) {
    if (entries_[i].epoch > epoch) continue;
    int64_t end = i + 1 < entries_.size() ? entries_[i + 1].start_offset : log_end;
    return {entries_[i].epoch, end};
  }
  return {-1, entries_.empty() ? log_end : entries_.front().start_offset};
}

status leader_epochs::save() const {
  std::string text;
  for (const auto& e : entries_) text += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
  return write_file_durably(path_, text);
}

}  // namespace brook::runtime::storage
