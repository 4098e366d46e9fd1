// retention: tick → storage::sweep_retention → a line when it did something.
#include "actors/retention.hpp"

#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "storage/retention.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {

retention_actor::behavior_type retention(retention_actor::stateful_pointer<retention_state> self,
                                         std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  // The first sweep a moment after start, when the pipeline is up.
  self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
  return {
      [self](tick_atom) {
        log_scope scope("retention");
        const auto& cfg = *self->state.cfg;
        const auto& s = cfg.settings;
        storage::retention_policy policy{s.retention_days, s.delete_after_processing, s.trace_retention_days,
                                         self->state.db->is_sqlite() ? "" : s.node_id};
        auto remote = [&cfg](const storage::job_record& job, std::string* error) {
          if (!cfg.delete_recording) {
            *error = "no way to ask Twilio";
            return false;
          }
          return cfg.delete_recording(job.recording_sid, error);
        };
        try {
          auto r = storage::sweep_retention(*self->state.db, policy, now_us(), remote);
          if (r.audio_deleted || r.twilio_deleted)
            spdlog::info(
                "🧹 [RETENTION] Deleted {} audio file(s) past {} day(s) and {} recording(s) at Twilio",
                r.audio_deleted, s.retention_days, r.twilio_deleted);
          if (r.trace_events_deleted)
            spdlog::info("🧹 [RETENTION] Deleted {} trace event(s) of jobs finished over {} day(s) ago",
                         r.trace_events_deleted, s.trace_retention_days);
          if (r.twilio_failed || !r.last_error.empty())
            spdlog::warn(
                "⚠️ [RETENTION] {} recording(s) not deleted at Twilio yet (tried again next sweep): {}",
                r.twilio_failed, r.last_error);
        } catch (const std::exception& e) {
          spdlog::error("❌ [RETENTION] Sweep failed: {}", e.what());
        }
        self->delayed_send(self, std::chrono::seconds(s.sweep_seconds), tick_atom::value);
      },
  };
}

} // namespace callscribe
