// recording_finder: the call-status path. When a call completes, lists its
// recordings at Twilio and hands each completed one to the webhook, exactly
// as a recording-status callback would; asks again later (a bounded number
// of times) while Twilio lists none or is still processing one. Blocking
// HTTP, so it runs detached.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"

#include <chrono>
#include <memory>

namespace callscribe {

struct recording_finder_state {
  static inline const char* name = "recording_finder";
  std::shared_ptr<const pipeline_config> cfg;
};

// Lookups per completed call, and the wait before the next: download.backoff-ms
// doubling, at most a minute (1 s, 2 s … 32 s, 60 s with the default 1000).
constexpr int recording_lookups = 8;
std::chrono::milliseconds recording_lookup_delay(int lookups_so_far, int backoff_ms);

recording_finder_actor::behavior_type
recording_finder(recording_finder_actor::stateful_pointer<recording_finder_state> self,
                 std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
