// webhook: the one writer of new jobs. Replies once the job is durable; the
// HTTP session answers Twilio then.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <caf/typed_response_promise.hpp>
#include <memory>

#include <optional>
#include <vector>

namespace callscribe {

struct webhook_state {
  static inline const char* name = "webhook";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  // Group commit: recording callbacks that arrived since the last commit,
  // answered together once one transaction holds them all.
  struct waiting {
    incoming_recording in;
    caf::typed_response_promise<job_accepted> answer;
    std::int64_t handled_at_us = 0;
  };
  std::vector<waiting> batch;
  bool commit_queued = false;
};

// At most this many callbacks share one transaction.
constexpr std::size_t webhook_batch_limit = 512;

webhook_actor::behavior_type webhook(webhook_actor::stateful_pointer<webhook_state> self,
                                     std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
