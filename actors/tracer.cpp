// tracer: one hop in, one job_events row out.
#include "actors/tracer.hpp"

#include "storage/trace_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {

tracer_actor::behavior_type tracer(tracer_actor::stateful_pointer<tracer_state> self,
                                   std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  if (cfg->settings.trace_level != "off")
    self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  return {
      [self](const hop& h) {
        auto& st = self->state;
        if (!st.db)
          return;
        try {
          storage::trace_store(*st.db).append(storage::trace_event{h.job_id, h.actor, h.event, h.sent_at_us,
                                                                   h.handled_at_us, h.done_at_us,
                                                                   st.cfg->settings.node_id, h.detail});
        } catch (const std::exception& e) {
          // A lost trace row must not take the pipeline down.
          spdlog::warn("⚠️ [TRACE] Could not record {} {} for job {}: {}", h.actor, h.event, h.job_id,
                       e.what());
        }
      },
  };
}

} // namespace callscribe
