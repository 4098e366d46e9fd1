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

#include <algorithm>
#include <iterator>

namespace callscribe {

namespace {

using webhook_ptr = webhook_actor::stateful_pointer<webhook_state>;

// What one stored (or refused) callback is answered, and what follows it.
void answer(webhook_ptr self, webhook_state::waiting& w, const storage::batch_outcome& o) {
  const auto& in = w.in;
  log_scope scope("webhook", o.result.job_id, in.call_sid);
  if (!o.error.empty()) {
    spdlog::error("❌ [OFFLINE_STT] Could not store the job for {}: {}", in.call_sid, o.error);
    w.answer.deliver(make_error(errc::storage_failed, o.error));
    return;
  }
  const auto& r = o.result;
  if (!r.stored) {
    spdlog::info("ℹ️ [OFFLINE_STT] Recording {} for {} is {}; waiting for completed", in.recording_sid,
                 in.call_sid, in.recording_status);
    w.answer.deliver(job_accepted{0, false, in.recording_status});
    return;
  }
  if (!r.created) {
    spdlog::info("ℹ️ [OFFLINE_STT] Duplicate delivery for {} ignored{}{}", in.recording_sid,
                 in.idempotency_token.empty() ? "" : " (I-Twilio-Idempotency-Token ",
                 in.idempotency_token.empty() ? "" : in.idempotency_token + ")");
    w.answer.deliver(job_accepted{r.job_id, false, storage::to_string(r.state)});
    return;
  }
  if (r.state == storage::job_state::dead) {
    spdlog::warn("⚠️ [OFFLINE_STT] Job {} for {} dead: {}", r.job_id, in.call_sid, r.dead_reason);
    metrics::process().job_finished(false);
    record_hop(self->system(), r.job_id, "webhook", "dead", in.trace, w.handled_at_us, r.dead_reason);
    w.answer.deliver(job_accepted{r.job_id, true, "dead"});
    return;
  }
  spdlog::info("✅ Recording queued for processing: {}", in.call_sid);
  spdlog::info("✅ [OFFLINE_STT] Job enqueued for {}", in.call_sid);
  // The trace keeps Twilio's idempotency token, to match a delivery with
  // Twilio's own request log.
  record_hop(self->system(), r.job_id, "webhook", "enqueued", in.trace, w.handled_at_us,
             in.idempotency_token.empty() ? in.recording_sid
                                          : in.recording_sid + " idempotency-token=" + in.idempotency_token);
  if (auto downloader = roles::find<downloader_actor>(self->system(), roles::downloader))
    self->send(downloader, recording_job{r.job_id, forward(in.trace, "webhook"), in.call_sid});
  w.answer.deliver(job_accepted{r.job_id, true, "queued"});
}

// One transaction for the callbacks waiting, then every answer. Callbacks
// that came while it ran wait for the next commit, queued behind them.
void commit(webhook_ptr self) {
  auto& st = self->state;
  st.commit_queued = false;
  const auto n = std::min(st.batch.size(), webhook_batch_limit);
  std::vector<webhook_state::waiting> now(
      std::make_move_iterator(st.batch.begin()),
      std::make_move_iterator(st.batch.begin() + static_cast<std::ptrdiff_t>(n)));
  st.batch.erase(st.batch.begin(), st.batch.begin() + static_cast<std::ptrdiff_t>(n));
  if (!st.batch.empty()) {
    st.commit_queued = true;
    self->send(self, commit_atom::value);
  }
  std::vector<storage::intake_request> requests;
  requests.reserve(now.size());
  for (const auto& w : now) {
    const auto& in = w.in;
    requests.push_back(storage::intake_request{in.call_sid, in.recording_sid, in.recording_url,
                                               in.recording_status, in.duration_seconds, in.channels, in.from,
                                               in.to, in.trace.trace_id});
  }
  auto outcomes = storage::record_recordings(*st.db, requests);
  for (std::size_t i = 0; i < now.size(); ++i)
    answer(self, now[i], outcomes[i]);
}

} // namespace

webhook_actor::behavior_type webhook(webhook_actor::stateful_pointer<webhook_state> self,
                                     std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  self->state.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  return {
      [self](const incoming_recording& in) -> caf::result<job_accepted> {
        auto& st = self->state;
        auto promise = self->make_response_promise<job_accepted>();
        st.batch.push_back(webhook_state::waiting{in, promise, now_us()});
        // The commit message goes behind every callback already in the
        // mailbox: they all join this transaction.
        if (!st.commit_queued) {
          st.commit_queued = true;
          self->send(self, commit_atom::value);
        }
        return promise;
      },
      [self](commit_atom) { commit(self); },
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
