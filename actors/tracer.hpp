// tracer: writes every hop of every job to job_events.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <memory>
#include <optional>

namespace callscribe {

struct tracer_state {
  static inline const char* name = "tracer";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
};

tracer_actor::behavior_type tracer(tracer_actor::stateful_pointer<tracer_state> self,
                                   std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
