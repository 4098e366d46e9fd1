// supervisor: spawns the pipeline's actors, monitors them and restarts a
// failed one with backoff. CAF 0.17 has no restart strategies: the down
// handler spawns the replacement and puts it in the registry, so the rest of
// the pipeline reaches it at once. Too many restarts in a window stop the
// process with a clear message (systemd restarts it).
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"

#include <caf/actor_addr.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

namespace callscribe {

struct supervisor_state {
  static inline const char* name = "supervisor";
  std::shared_ptr<const pipeline_config> cfg;
  std::map<caf::actor_addr, std::string> roles; // live child → its role
  std::deque<std::int64_t> restarts_us;         // recent restarts, oldest first
  bool stopping = false;
};

supervisor_actor::behavior_type supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                                           std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
