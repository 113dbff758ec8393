#pragma once
// Rebuilding a task's stores from their changelog topics, and the checkpoints committed with a
// task's input offsets (the offset metadata) that say how far each changelog belongs to them.
#include <map>
#include <string>

#include "runtime/status.hpp"

namespace brook::streams {
struct streams_config;
}

namespace brook::streams::run {

class task_runner;

/// "name offset" per line; the offset is the changelog's next offset after the store's last
/// change that belongs to the committed input offsets.
std::string encode_checkpoints(const std::map<std::string, int64_t>& checkpoints);
std::map<std::string, int64_t> decode_checkpoints(const std::string& metadata);

/// Restores every store of the task from its changelog partition (the task's partition). Entries
/// before the store's checkpoint are applied; the keys of later ones (written for records after
/// the last commit, which will be processed again) are handed to the runner to write again, so
/// the changelog ends with the restored values. A table read from a topic restores up to the
/// committed offset of that topic (`committed`: broker topic -> offset, -1 none). Returns the
/// checkpoint each store now stands at.
runtime::result<std::map<std::string, int64_t>> restore_stores(
    task_runner& runner, const streams_config& cfg,
    const std::map<std::string, int64_t>& checkpoints,
    const std::map<std::string, int64_t>& committed);

}  // namespace brook::streams::run
