#pragma once
// Process-wide logging in Kafka's line format:
//   [2026-11-25 01:02:03,456] INFO <message>
// Thread-safe; lines go to stderr. Use the BROOK_LOG_* macros (they skip formatting when disabled).
#include <sstream>
#include <string>

namespace brook::runtime::log {

enum class level : int { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(level l);
bool enabled(level l);
/// Parses debug|info|warn|error (case-insensitive); false if unknown.
bool parse_level(const std::string& text, level& out);
void write(level l, const std::string& message);

}  // namespace brook::runtime::log

#define BROOK_LOG(lvl, expr)                                              \
  do {                                                                    \
    if (::brook::runtime::log::enabled(lvl)) {                            \
      std::ostringstream brook_log_os_;                                   \
      brook_log_os_ << expr;                                              \
      ::brook::runtime::log::write(lvl, brook_log_os_.str());             \
    }                                                                     \
  } while (0)
#define BROOK_LOG_DEBUG(expr) BROOK_LOG(::brook::runtime::log::level::debug, expr)
#define BROOK_LOG_INFO(expr) BROOK_LOG(::brook::runtime::log::level::info, expr)
#define BROOK_LOG_WARN(expr) BROOK_LOG(::brook::runtime::log::level::warn, expr)
#define BROOK_LOG_ERROR(expr) BROOK_LOG(::brook::runtime::log::level::error, expr)
