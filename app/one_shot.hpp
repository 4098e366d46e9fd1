// A short-lived actor for one piece of work (a request to the webhook, a
// database read off the server's threads). Spawned with one dummy argument:
// CAF 0.17 binds a reference through a null tuple pointer when an actor
// function takes no arguments (UBSan reports it in init_fun_factory.hpp).
#pragma once

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <utility>

namespace callscribe::app {

template <caf::spawn_options Options = caf::no_spawn_options, class F>
void spawn_one_shot(caf::actor_system& sys, F work) {
  sys.spawn<Options>([work = std::move(work)](caf::event_based_actor* self, bool) { work(self); }, true);
}

} // namespace callscribe::app
