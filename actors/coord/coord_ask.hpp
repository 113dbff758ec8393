#pragma once
// One coordinator request from an event-based actor, its answer always as a coord_response: a
// failed request (coordinator gone, timeout) arrives as errc::coordinator_not_available naming
// the CAF error. Included by .cpp files that already include caf/all.hpp.
#include <caf/all.hpp>
#include <chrono>
#include <functional>

#include "actors/interfaces/coordinator.hpp"

namespace brook::actors {

constexpr std::chrono::seconds coord_request_timeout{10};

/// Sends `msg...` (a coordinator request) and passes the answer to `then`.
template <class Self, class... Message>
void ask_coordinator(Self* self, const coordinator_actor& coord,
                     std::function<void(net::coord_response&)> then, Message&&... msg) {
  self->request(coord, coord_request_timeout, std::forward<Message>(msg)...)
      .then([then](net::coord_response& r) { then(r); },
            [then](caf::error& e) {
              net::coord_response r;
              r.error = net::errc::coordinator_not_available;
              r.message = "coordinator request failed: " + caf::to_string(e);
              then(r);
            });
}

/// Registers `self` as a watcher of `path` (events arrive as net::coord_watch_event).
template <class Self>
void watch_coordinator(Self* self, const coordinator_actor& coord, const std::string& path,
                       std::function<void(net::coord_response&)> then) {
  ask_coordinator(self, coord, std::move(then), watch_atom::value, path,
                  caf::actor_cast<caf::actor>(self));
}

}  // namespace brook::actors
