// tracer: hops in, batches of job_events rows out.
#include "actors/tracer.hpp"

#include "metrics/pipeline_metrics.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {
namespace {

// Writes the buffer in one transaction. On failure the hops stay for the
// next try, and only the overflow past tracer_max_buffered is dropped: a lost
// trace row must not take the pipeline down, nor grow without bound.
void flush(tracer_state& st) {
  if (!st.db || st.buffer.empty())
    return;
  try {
    storage::trace_store(*st.db).append(st.buffer);
    metrics::process().trace_written(st.buffer.size());
    st.buffer.clear();
  } catch (const std::exception& e) {
    spdlog::warn("⚠️ [TRACE] Could not record {} trace event(s), will retry: {}", st.buffer.size(),
                 e.what());
    if (st.buffer.size() > tracer_max_buffered) {
      auto excess = st.buffer.size() - tracer_max_buffered;
      st.buffer.erase(st.buffer.begin(), st.buffer.begin() + static_cast<std::ptrdiff_t>(excess));
      metrics::process().trace_dropped(excess);
      spdlog::error("❌ [TRACE] Dropped the {} oldest trace event(s): the buffer is full", excess);
    }
  }
}

} // namespace

tracer_state::~tracer_state() {
  flush(*this);
}

tracer_actor::behavior_type tracer(tracer_actor::stateful_pointer<tracer_state> self,
                                   std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  const auto& level = cfg->settings.trace_level;
  if (level != "off")
    self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  const bool keep_messages = level == "messages";
  return {
      [self, keep_messages](const hop& h) {
        auto& st = self->state;
        if (!st.db || (h.message_level && !keep_messages))
          return;
        st.buffer.push_back(storage::trace_event{h.job_id, h.actor, h.event, h.sent_at_us, h.handled_at_us,
                                                 h.done_at_us, st.cfg->settings.node_id, h.detail});
        if (st.buffer.size() >= tracer_batch) {
          flush(st);
        } else if (!st.flush_due) {
          st.flush_due = true;
          self->delayed_send(self, tracer_flush_interval, tick_atom::value);
        }
      },
      [self](tick_atom) {
        auto& st = self->state;
        st.flush_due = false;
        flush(st);
        if (!st.buffer.empty()) { // the database failed: try again later
          st.flush_due = true;
          self->delayed_send(self, tracer_flush_interval * 10, tick_atom::value);
        }
      },
  };
}

} // namespace callscribe
