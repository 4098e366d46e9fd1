// reconciler: Twilio does not retry a callback we answered 5xx, or one that
// was lost on the way; every twilio.reconcile-minutes (and soon after start)
// this lists the account's recordings since its durable high-water mark and
// hands every completed one that has no job to the webhook, as a callback
// would. Idempotent: a recording with a job is left alone. Blocking HTTP and
// SQL, so it runs detached.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <memory>
#include <optional>

namespace callscribe {

struct reconciler_state {
  static inline const char* name = "reconciler";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  bool sweep_soon = false; // a sweep_atom retry is on its way
};

reconciler_actor::behavior_type reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
                                           std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
