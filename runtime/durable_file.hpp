#pragma once
// Small metadata files that must survive a crash whole: written to a temp file, fsynced,
// renamed over the old one, and the directory fsynced (so the rename itself is durable).
#include <string>

#include "runtime/status.hpp"

namespace brook::runtime {

/// Replaces `path` with `contents` atomically and durably. Errors name the path.
status write_file_durably(const std::string& path, const std::string& contents);

/// Removes `path` (missing is fine) and fsyncs its directory so the removal survives a crash.
status remove_file_durably(const std::string& path);

}  // namespace brook::runtime
