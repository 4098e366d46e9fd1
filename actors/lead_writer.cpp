// lead_writer: extraction → storage::lead_store::write_and_finish → job_finished.
#include "actors/lead_writer.hpp"

#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/lead_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {
namespace {

void log_field(std::int64_t lead_id, const char* field, storage::field_outcome o, const std::string& value,
               const std::string& kept) {
  switch (o) {
  case storage::field_outcome::written:
    spdlog::info("[OFFLINE_EXTRACT] ✅ Updated lead {} {}: '{}'", lead_id, field, value);
    break;
  case storage::field_outcome::kept_by_person:
    spdlog::info("[OFFLINE_EXTRACT] ⏭️ Kept lead {} {}: '{}' (set by a person)", lead_id, field, kept);
    break;
  case storage::field_outcome::kept_stronger:
    spdlog::info("[OFFLINE_EXTRACT] ⏭️ Kept lead {} {}: '{}' (found earlier with more confidence)",
                 lead_id, field, kept);
    break;
  case storage::field_outcome::unchanged:
  case storage::field_outcome::nothing_found:
    break;
  }
}

} // namespace

lead_writer_actor::behavior_type lead_writer(lead_writer_actor::stateful_pointer<lead_writer_state> self,
                                             std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  return {
      [self](const extracted& in) {
        auto& st = self->state;
        const auto& job = in.job;
        log_scope scope("lead_writer", job.job_id, job.call_sid);
        record_message(self->system(), job.job_id, "lead_writer", "extracted", job.trace);
        auto handled_at = now_us();
        storage::lead_write w;
        w.job_id = job.job_id;
        w.owner = job.owner;
        w.call_sid = job.call_sid;
        w.business_id = job.business_id;
        w.caller_phone = job.caller_phone;
        w.transcript = in.transcript;
        w.service = in.service;
        w.city = in.city;
        w.confidence = in.confidence;
        w.evidence = in.evidence;
        // Written in the lead's transaction, so a done job always has it;
        // trace.level=off leaves the actor empty and nothing is written.
        if (st.cfg->settings.trace_level != "off")
          w.event = storage::trace_event{job.job_id,
                                         "lead_writer",
                                         "done",
                                         job.trace.sent_at_us,
                                         handled_at,
                                         0,
                                         st.cfg->settings.node_id,
                                         ""};
        job_finished finished{job.job_id, forward(job.trace, "lead_writer"), job_finished::outcome::done, ""};
        try {
          auto r = storage::lead_store(*st.db).write_and_finish(w);
          if (r.state == storage::lead_write_result::status::not_owner) {
            finished.result = job_finished::outcome::not_ours;
            spdlog::warn(
                "⚠️ [OFFLINE_EXTRACT] Job {} for {} is no longer ours (finished, or its lease expired); "
                "lead left as it is",
                job.job_id, job.call_sid);
          } else {
            log_field(r.lead_id, "service_type", r.service_type, in.service, r.kept_service_type);
            log_field(r.lead_id, "city", r.city, in.city, r.kept_city);
            spdlog::info("✅ [OFFLINE_STT] Completed processing for {}", job.call_sid);
            auto& m = metrics::process();
            const auto now = now_us();
            m.stage_took("write", static_cast<double>(now - handled_at) / 1e6);
            if (job.created_at_us > 0)
              m.stage_took("end_to_end", static_cast<double>(now - job.created_at_us) / 1e6);
            m.job_finished(true);
          }
        } catch (const std::exception& e) {
          spdlog::error("❌ [OFFLINE_EXTRACT] Could not write the lead of {}: {}", job.call_sid, e.what());
          finished.result = job_finished::outcome::retry;
          finished.error = std::string("lead write failed: ") + e.what();
        }
        if (auto d = roles::find<downloader_actor>(self->system(), roles::downloader))
          self->send(d, finished);
      },
  };
}

} // namespace callscribe
