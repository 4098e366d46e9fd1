// webhook: the one writer of new jobs. Replies once the job is durable; the
// HTTP session answers Twilio then.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <memory>
#include <optional>

namespace callscribe {

struct webhook_state {
  static inline const char* name = "webhook";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
};

webhook_actor::behavior_type webhook(webhook_actor::stateful_pointer<webhook_state> self,
                                     std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
