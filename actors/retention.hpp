// retention: every storage.sweep-seconds (and soon after start), applies
// storage.retention-days to downloaded audio and, with
// twilio.delete-after-processing, deletes done jobs' recordings at Twilio
// (storage/retention.hpp). Files and HTTP block, so it runs detached.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <memory>
#include <optional>

namespace callscribe {

struct retention_state {
  static inline const char* name = "retention";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
};

retention_actor::behavior_type retention(retention_actor::stateful_pointer<retention_state> self,
                                         std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
