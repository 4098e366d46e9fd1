// lead_writer: the only writer of leads. One transaction per job: the lead's
// fields, the job's `done` and its trace event, guarded by the job's lease.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <memory>
#include <optional>

namespace callscribe {

struct lead_writer_state {
  static inline const char* name = "lead_writer";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
};

lead_writer_actor::behavior_type lead_writer(lead_writer_actor::stateful_pointer<lead_writer_state> self,
                                             std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
