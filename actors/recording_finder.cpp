// recording_finder: call_completed → list the call's recordings → one
// incoming_recording per completed recording to the webhook.
#include "actors/recording_finder.hpp"

#include "actors/enqueue_listed.hpp"
#include "actors/roles.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace callscribe {

std::chrono::milliseconds recording_lookup_delay(int lookups_so_far, int backoff_ms) {
  const long long first = std::max(backoff_ms, 1);
  const long long delay = first << std::min(std::max(lookups_so_far - 1, 0), 20);
  return std::chrono::milliseconds(std::min(delay, 60'000LL));
}

recording_finder_actor::behavior_type
recording_finder(recording_finder_actor::stateful_pointer<recording_finder_state> self,
                 std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  return {
      [self](call_completed& c) {
        const auto& cfg = *self->state.cfg;
        ++c.attempt;
        std::string error;
        auto listed = cfg.list_recordings ? cfg.list_recordings(c.call_sid, &error) : std::nullopt;
        if (!listed && error.empty())
          error = "no way to ask Twilio";
        bool again = !listed || listed->empty();
        if (listed) {
          auto webhook = roles::find<webhook_actor>(self->system(), roles::webhook);
          for (const auto& rec : *listed) {
            if (rec.status != "completed") {
              again = again || rec.status == "processing" || rec.status == "in-progress";
              continue;
            }
            spdlog::info("✅ Found existing recording for {}: {}", c.call_sid, rec.uri);
            if (!webhook) {
              again = true; // restarting: the next lookup hands it on
              continue;
            }
            enqueue_listed(self, webhook, rec, c.call_sid, forward(c.trace, "recording_finder"),
                           "OFFLINE_STT");
          }
        }
        if (!again)
          return;
        if (c.attempt >= recording_lookups) {
          spdlog::warn(
              "⚠️ [OFFLINE_STT] No completed recording listed for {} after {} lookups{}{}; giving up "
              "on the call-status path (a recording-status callback still counts)",
              c.call_sid, c.attempt, error.empty() ? "" : ": ", error);
          return;
        }
        if (!error.empty())
          spdlog::warn("⚠️ [OFFLINE_STT] Listing the recordings of {} failed: {}; trying again",
                       c.call_sid, error);
        self->delayed_send(self, recording_lookup_delay(c.attempt, cfg.settings.download_backoff_ms), c);
      },
  };
}

} // namespace callscribe
