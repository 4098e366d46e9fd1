// reconciler: tick → list recordings since the mark → incoming_recording for
// each completed one without a job → move the mark.
#include "actors/reconciler.hpp"

#include "actors/enqueue_listed.hpp"
#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "storage/health_probe.hpp"
#include "storage/job_store.hpp"
#include "storage/reconcile_mark.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {
namespace {

constexpr std::int64_t hour_us = 3'600'000'000LL;

using self_ptr = reconciler_actor::stateful_pointer<reconciler_state>;

constexpr auto sweep_retry = std::chrono::seconds(5);

// Lists the account's recordings since the mark and hands on those with no
// job; false when it could not (Twilio or the database), to be tried again.
bool sweep(self_ptr self) {
  const auto& cfg = *self->state.cfg;
  const auto& s = cfg.settings;
  auto& db = *self->state.db;
  const auto started = now_us();
  try {
    // First run: the last day. After a sweep, from a little before it
    // started, so recordings still processing then are listed again.
    const std::string since =
        storage::reconcile_mark(db, s.twilio_account_sid).value_or(storage::utc_day(started - 24 * hour_us));
    std::string error;
    auto listed = cfg.list_recent_recordings ? cfg.list_recent_recordings(since, &error) : std::nullopt;
    if (!listed) {
      spdlog::warn("⚠️ [RECONCILE] Could not list recordings since {}: {}; trying again next sweep",
                   since, error.empty() ? "no way to ask Twilio" : error);
      return false;
    }
    storage::job_store jobs(db);
    auto webhook = roles::find<webhook_actor>(self->system(), roles::webhook);
    int queued = 0;
    bool complete = true;
    for (const auto& rec : *listed) {
      if (rec.status != "completed" || jobs.find_by_recording_sid(rec.sid))
        continue;
      if (!webhook) {
        complete = false; // restarting: the next sweep hands it on
        continue;
      }
      spdlog::info("✅ [RECONCILE] Found recording {} of {} with no job: {}", rec.sid, rec.call_sid, rec.uri);
      enqueue_listed(self, webhook, rec, rec.call_sid, trace_context{new_trace_id(), "reconciler", now_us()},
                     "RECONCILE");
      ++queued;
    }
    spdlog::info("ℹ️ [RECONCILE] {} recording(s) listed since {}; {} had no job", listed->size(), since,
                 queued);
    if (complete)
      storage::set_reconcile_mark(db, s.twilio_account_sid, storage::utc_day(started - 2 * hour_us));
    return true;
  } catch (const std::exception& e) {
    spdlog::error("❌ [RECONCILE] Sweep failed: {}", e.what());
    return false;
  }
}

// Another sweep in a few seconds, unless one is on its way already.
void sweep_soon(self_ptr self) {
  if (self->state.sweep_soon)
    return;
  self->state.sweep_soon = true;
  self->delayed_send(self, sweep_retry, sweep_atom::value, true);
}

} // namespace

reconciler_actor::behavior_type reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
                                           std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  // The first sweep soon after start: what was lost while the server was down.
  self->delayed_send(self, std::chrono::seconds(2), tick_atom::value);
  return {
      [self](tick_atom) {
        log_scope scope("reconciler");
        self->delayed_send(self, std::chrono::minutes(self->state.cfg->settings.reconcile_minutes),
                           tick_atom::value);
        sweep(self);
      },
      [self](sweep_atom, bool retry) {
        log_scope scope("reconciler");
        auto& st = self->state;
        if (!retry)
          return sweep_soon(self);
        st.sweep_soon = false;
        try {
          // The callback was lost to a refused write: wait until one works.
          storage::probe_write(*st.db, st.cfg->settings.node_id);
        } catch (const std::exception&) {
          return sweep_soon(self);
        }
        spdlog::info("ℹ️ [RECONCILE] The database takes writes again: sweeping for callbacks it refused");
        if (!sweep(self))
          sweep_soon(self);
      },
  };
}

} // namespace callscribe
