// webhook: incoming_recording → storage::record_recording → job_accepted.
#include "actors/webhook.hpp"

#include "actors/errc.hpp"
#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/intake.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {

webhook_actor::behavior_type webhook(webhook_actor::stateful_pointer<webhook_state> self,
                                     std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  return {
      [self](const incoming_recording& in) -> caf::result<job_accepted> {
        log_scope scope("webhook", 0, in.call_sid);
        auto handled_at = now_us();
        storage::intake_result r;
        try {
          r = storage::record_recording(
              *self->state.db,
              storage::intake_request{in.call_sid, in.recording_sid, in.recording_url, in.recording_status,
                                      in.duration_seconds, in.channels, in.from, in.to, in.trace.trace_id});
        } catch (const std::exception& e) {
          spdlog::error("❌ [OFFLINE_STT] Could not store the job for {}: {}", in.call_sid, e.what());
          return make_error(errc::storage_failed, e.what());
        }
        if (!r.stored) {
          spdlog::info("ℹ️ [OFFLINE_STT] Recording {} for {} is {}; waiting for completed",
                       in.recording_sid, in.call_sid, in.recording_status);
          return job_accepted{0, false, in.recording_status};
        }
        if (!r.created) {
          spdlog::info("ℹ️ [OFFLINE_STT] Duplicate delivery for {} ignored{}{}", in.recording_sid,
                       in.idempotency_token.empty() ? "" : " (I-Twilio-Idempotency-Token ",
                       in.idempotency_token.empty() ? "" : in.idempotency_token + ")");
          return job_accepted{r.job_id, false, storage::to_string(r.state)};
        }
        if (r.state == storage::job_state::dead) {
          spdlog::warn("⚠️ [OFFLINE_STT] Job {} for {} dead: {}", r.job_id, in.call_sid, r.dead_reason);
          metrics::process().job_finished(false);
          record_hop(self->system(), r.job_id, "webhook", "dead", in.trace, handled_at, r.dead_reason);
          return job_accepted{r.job_id, true, "dead"};
        }
        spdlog::info("✅ Recording queued for processing: {}", in.call_sid);
        spdlog::info("✅ [OFFLINE_STT] Job enqueued for {}", in.call_sid);
        // The trace keeps Twilio's idempotency token, to match a delivery
        // with Twilio's own request log.
        record_hop(self->system(), r.job_id, "webhook", "enqueued", in.trace, handled_at,
                   in.idempotency_token.empty()
                       ? in.recording_sid
                       : in.recording_sid + " idempotency-token=" + in.idempotency_token);
        if (auto downloader = roles::find<downloader_actor>(self->system(), roles::downloader))
          self->send(downloader, recording_job{r.job_id, forward(in.trace, "webhook"), in.call_sid});
        return job_accepted{r.job_id, true, "queued"};
      },
      [self](const incoming_call& in) -> caf::result<call_answer> {
        log_scope scope("webhook", 0, in.call_sid);
        storage::call_intake r;
        try {
          r = storage::record_call(*self->state.db,
                                   storage::call_request{in.call_sid, in.from, in.to, in.direction, in.status,
                                                         in.voice, in.idempotency_token});
        } catch (const std::exception& e) {
          spdlog::error("❌ [WEBHOOK] Could not record call {}: {}", in.call_sid, e.what());
          return make_error(errc::storage_failed, e.what());
        }
        if (!r.owner) {
          spdlog::warn("⚠️ [WEBHOOK] Call {} to {} from {}: no business has either number", in.call_sid,
                       in.to, in.from);
          return call_answer{};
        }
        if (in.voice)
          spdlog::info("📞 [WEBHOOK] Call {} for {}: lead {} open", in.call_sid, r.owner->name, r.lead_id);
        return call_answer{true, r.owner->name, r.owner->forward_to, r.lead_id};
      },
  };
}

} // namespace callscribe
