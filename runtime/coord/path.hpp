#pragma once
// Coordinator key paths: absolute, slash-separated, ZooKeeper style ("/brokers/ids/1").
#include <string>
#include <string_view>

#include "runtime/status.hpp"

namespace brook::runtime::coord {

/// OK when `path` is "/" or "/" followed by non-empty segments separated by single '/', with no
/// trailing '/', no "." or ".." segment and no NUL byte; errc::invalid_request (naming the path
/// and the reason) otherwise. Pure; any thread.
status validate_path(std::string_view path);

/// "/a/b" -> "/a", "/a" -> "/". REQUIRES: a valid path other than "/".
std::string_view parent_path(std::string_view path);

/// Last segment: "/a/b" -> "b". REQUIRES: a valid path other than "/".
std::string_view base_name(std::string_view path);

/// parent + "/" + name, without doubling the root's slash: ("/", "a") -> "/a".
std::string child_path(std::string_view parent, std::string_view name);

}  // namespace brook::runtime::coord
