#pragma once
// The three urgencies of stream data, as promises a handler makes about each record's output:
//   urgent{}                  handled as it arrives, on threads of its own, output sent at once
//   not_so_urgent{deadline}   micro-batched, earliest deadline first among its peers (1 s)
//   flexible{deadline}        large batches on spare capacity at low OS priority, deferred while
//                             urgent work runs, promoted as its deadline nears (1 h)
// A record's lateness is how far its output (acknowledged by the broker) came after its event
// time plus the deadline; `brook streams describe` shows it per task.
#include <chrono>
#include <string>
#include <variant>

namespace brook::streams {

struct urgent {
  std::chrono::milliseconds deadline{5};
};
struct not_so_urgent {
  std::chrono::milliseconds deadline{1000};
};
struct flexible {
  std::chrono::milliseconds deadline{std::chrono::hours(1)};
};
using urgency = std::variant<urgent, not_so_urgent, flexible>;

enum class urgency_class { urgent = 0, not_so_urgent = 1, flexible = 2 };

inline urgency_class class_of(const urgency& u) {
  return urgency_class(u.index());
}
inline std::chrono::milliseconds deadline_of(const urgency& u) {
  return std::visit([](const auto& x) { return x.deadline; }, u);
}
inline const char* name_of(urgency_class c) {
  static const char* const names[] = {"urgent", "not_so_urgent", "flexible"};
  return names[int(c)];
}

}  // namespace brook::streams
