// downloader head and its download workers.
#include "actors/downloader.hpp"

#include "actors/errc.hpp"
#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "fault/fault_point.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/business_store.hpp"
#include "storage/free_space.hpp"
#include "storage/intake.hpp"
#include "storage/job_store.hpp"
#include "storage/node_registry.hpp"

#include <caf/actor_clock.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace callscribe {
namespace {

using head_ptr = downloader_actor::stateful_pointer<downloader_state>;
using stage = downloader_state::stage;

constexpr auto tick_interval = std::chrono::seconds(1);

std::string owner_of(head_ptr self) {
  return self->state.cfg->settings.node_id;
}

// Job-level backoff for a recording that is still not ready after a whole
// round of download retries: doubles with each attempt, at most 5 minutes.
std::int64_t retry_delay_us(const config::settings& s, int attempts) {
  std::int64_t ms = s.download_backoff_ms;
  for (int i = 1; i < attempts && ms < 300000; ++i)
    ms *= 2;
  return std::min<std::int64_t>(ms, 300000) * 1000;
}

job_ticket ticket_from(head_ptr self, const storage::job_record& r) {
  job_ticket t;
  t.job_id = r.id;
  t.trace = trace_context{r.trace_id, "downloader", now_us()};
  t.call_sid = r.call_sid;
  t.recording_sid = r.recording_sid;
  t.recording_url = r.recording_url;
  t.channels = r.channels;
  t.business_id = r.business_id.value_or(0);
  t.from_number = r.from_number;
  t.to_number = r.to_number;
  t.audio_path = r.audio_path;
  t.owner = owner_of(self);
  t.created_at_us = storage::parse_iso8601_utc(r.created_at).value_or(0);
  if (t.business_id != 0)
    if (auto b = storage::business_store(*self->state.db).find(t.business_id))
      t.caller_phone = storage::caller_phone(b->phone_number, r.from_number, r.to_number);
  return t;
}

void fill(head_ptr self);
void pump(head_ptr self);

// The job leaves this node's line: back to the queue to be tried again later.
void release(head_ptr self, std::int64_t id, std::int64_t delay_us, const std::string& error) {
  auto& st = self->state;
  auto it = st.line.find(id);
  std::string call_sid = it != st.line.end() ? it->second.job.call_sid : "";
  try {
    storage::job_store(*st.db).release_for_retry(id, owner_of(self), now_us() + delay_us, error);
  } catch (const std::exception& e) {
    // The lease expires on its own; the job comes back then.
    spdlog::error("❌ [OFFLINE_STT] Could not put job {} back in the queue: {}", id, e.what());
  }
  spdlog::warn("⚠️ [OFFLINE_STT] Job {} for {} will be retried in {}s: {}", id, call_sid,
               delay_us / 1000000, error);
  st.line.erase(id);
}

void kill(head_ptr self, std::int64_t id, const std::string& reason) {
  auto& st = self->state;
  auto it = st.line.find(id);
  std::string call_sid = it != st.line.end() ? it->second.job.call_sid : "";
  try {
    storage::job_store(*st.db).mark_dead(id, owner_of(self), reason);
  } catch (const std::exception& e) {
    spdlog::error("❌ [OFFLINE_STT] Could not mark job {} dead: {}", id, e.what());
  }
  spdlog::error("❌ [OFFLINE_STT] Job {} for {} dead: {}", id, call_sid, reason);
  metrics::process().job_finished(false);
  if (it != st.line.end())
    record_hop(self->system(), id, "downloader", "dead", it->second.job.trace, now_us(), reason);
  st.line.erase(id);
}

// A finished download: resolve the business if the callback had no numbers,
// then make the download durable. Storage errors propagate to the caller.
void store_download(head_ptr self, const download_result& r, downloader_state::entry& e) {
  auto& st = self->state;
  auto id = r.job.job_id;
  storage::job_store jobs(*st.db);
  job_ticket job = r.job;
  if (job.business_id == 0) {
    auto b = storage::resolve_business(*st.db, job.from_number, job.to_number);
    if (!b) {
      std::error_code ec;
      std::filesystem::remove(job.audio_path, ec);
      kill(self, id, "unknown business");
      return;
    }
    job.business_id = b->id;
    job.caller_phone = storage::caller_phone(b->phone_number, job.from_number, job.to_number);
    jobs.set_business(id, job.owner, b->id, job.from_number, job.to_number);
  }
  if (!jobs.mark_downloaded(id, job.owner, job.audio_path)) {
    spdlog::warn("⚠️ [OFFLINE_STT] Job {} lost its lease during the download", id);
    st.line.erase(id);
    return;
  }
  auto& m = metrics::process();
  m.stage_took("download", static_cast<double>(now_us() - r.started_at_us) / 1e6);
  record_hop(self->system(), id, "downloader", "downloaded", r.job.trace, r.started_at_us,
             fmt::format("{}, attempt {}", r.detail, e.attempts));
  e.job = job;
  e.at = stage::ready;
}

void on_download(head_ptr self, download_result& r) {
  auto& st = self->state;
  auto it = st.line.find(r.job.job_id);
  if (it == st.line.end())
    return; // released meanwhile (a restart); the file, if any, is reused later
  auto id = r.job.job_id;
  switch (r.result) {
  case download_result::outcome::not_ready:
  case download_result::outcome::retry: {
    metrics::process().download_retried();
    record_hop(self->system(), id, "downloader", "retry", r.job.trace, r.started_at_us,
               fmt::format("{}{}, attempt {}", r.error, r.detail.empty() ? "" : " (" + r.detail + ")",
                           it->second.attempts));
    release(self, id, std::max(retry_delay_us(st.cfg->settings, it->second.attempts), r.retry_after_us),
            r.error);
    break;
  }
  case download_result::outcome::failed:
    kill(self, id, r.error);
    break;
  case download_result::outcome::ok:
    try {
      store_download(self, r, it->second);
    } catch (const std::exception& e) {
      release(self, id, retry_delay_us(st.cfg->settings, 1),
              std::string("could not record the download: ") + e.what());
    }
    break;
  }
  fill(self);
}

void start_download(head_ptr self, std::int64_t id) {
  auto& st = self->state;
  auto& e = st.line.at(id);
  download_worker_actor worker = st.cfg->detach_blocking ? self->spawn<caf::detached>(download_worker, st.cfg)
                                                         : self->spawn(download_worker, st.cfg);
  const auto& s = st.cfg->settings;
  // The worker's own retries bound its time; this only catches a worker that hangs.
  auto budget = std::chrono::seconds((s.download_timeout_seconds + 10) * (s.download_retries + 1) + 60);
  auto answer = self->request(worker, budget, download_request{e.job});
  // CAF 0.17 keeps a request's timeout in the actor clock until it falls due,
  // answered or not: about 190 bytes and a reference to this actor for the
  // whole budget (970 s by default), which held 12 MiB at 65 jobs/s
  // (heaptrack; README, "Memory over a long drain"). Cancelled as soon as the
  // answer comes.
  const caf::message_id timeout_id = answer.id();
  answer.then(
      [self, timeout_id](download_result& r) {
        self->clock().cancel_request_timeout(self, timeout_id);
        log_scope scope("downloader", r.job.job_id, r.job.call_sid);
        on_download(self, r);
      },
      [self, id, timeout_id](caf::error& err) {
        self->clock().cancel_request_timeout(self, timeout_id); // none left if it was the timeout
        if (self->state.line.count(id)) {
          release(self, id, retry_delay_us(self->state.cfg->settings, 1),
                  "download worker failed: " + self->system().render(err));
          fill(self);
        }
      });
}

// Hands a transcript on to the extractor. The head does this, not the
// transcriber, so a transcript is never dropped while the extractor is being
// replaced: without one, the job waits in line and the next pump tries again.
bool hand_on(head_ptr self, downloader_state::entry& e) {
  auto x = roles::find<extractor_actor>(self->system(), roles::extractor);
  if (!x)
    return false;
  auto job = e.job;
  job.trace = forward(job.trace, "downloader");
  self->send(x, transcript{job, e.transcript, "stored", 0});
  e.at = stage::finishing;
  e.finishing_since_us = now_us();
  return true;
}

bool is_error(const caf::error& err, errc code) {
  return err.category() == caf::atom("callscribe") && err.code() == static_cast<uint8_t>(code);
}

// The one-line reason an operator reads in last_error: our own errors carry
// it as their context; anything else is rendered by CAF.
std::string reason_of(head_ptr self, const caf::error& err) {
  const auto& ctx = err.context();
  if (err.category() == caf::atom("callscribe") && ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return self->system().render(err);
}

// Gives the transcriber the lowest-id job in line, once its audio is ready.
// A lower job still downloading is waited for, so jobs are transcribed in the
// order they were enqueued; one that is not ready leaves the line instead.
void pump(head_ptr self) {
  auto& st = self->state;
  if (st.transcriber_busy || st.awaiting_transcriber)
    return;
  for (auto& [id, e] : st.line) {
    if (e.at == stage::transcribing || e.at == stage::finishing)
      continue;
    if (e.at == stage::downloading)
      return;
    if (e.transcribed) {
      // Transcribed already (before a restart, or just now): go on from it.
      if (!hand_on(self, e))
        return;
      continue;
    }
    auto t = roles::find<transcriber_actor>(self->system(), roles::transcriber);
    if (!t)
      return; // being restarted: role_restarted or the next tick tries again
    e.at = stage::transcribing;
    st.transcriber_busy = true;
    auto job = e.job;
    job.trace = forward(job.trace, "downloader");
    self->request(t, caf::infinite, audio_ready{job})
        .then(
            [self, id = id](const transcript& t) {
              auto& st = self->state;
              st.transcriber_busy = false;
              if (auto it = st.line.find(id); it != st.line.end()) {
                it->second.transcript = t.text;
                it->second.transcribed = true;
                it->second.at = stage::ready;
              }
              pump(self);
            },
            [self, id = id](caf::error& err) {
              auto& st = self->state;
              st.transcriber_busy = false;
              if (st.line.count(id)) {
                auto why = reason_of(self, err);
                if (is_error(err, errc::bad_audio)) {
                  kill(self, id, why);
                } else {
                  // The attempt is spent; a job that keeps failing ends dead
                  // after worker.max-attempts, and the queue moves on.
                  const bool died =
                      !is_error(err, errc::engine_failed) && !is_error(err, errc::storage_failed);
                  if (died)
                    st.lost_to_transcriber.push_back(st.line.at(id).job);
                  release(self, id, 0, "transcriber failed: " + why);
                  if (died)
                    st.awaiting_transcriber = true; // it died: wait for its replacement
                }
              }
              fill(self);
            });
    // The job left the prefetch window: the next download starts now, not
    // when this transcription ends (with worker.prefetch=1 nothing would be
    // downloaded ahead at all).
    fill(self);
    return;
  }
}

// True while the data dir is under storage.min-free-megabytes; says so
// once when it starts and once when it ends.
bool short_of_space(head_ptr self) {
  auto& st = self->state;
  const auto now = now_us();
  if (now - st.space_checked_us < 1000000)
    return st.short_of_space;
  st.space_checked_us = now;
  const auto& s = st.cfg->settings;
  const auto room = storage::check_free_space(s.data_dir, s.min_free_megabytes);
  if (!room.enough && !st.short_of_space)
    spdlog::warn("⚠️ [OFFLINE_STT] No new downloads: {}; queued jobs wait for room", room.shortage);
  else if (room.enough && st.short_of_space)
    spdlog::info("✅ [OFFLINE_STT] Room in {} again: downloads resume", s.data_dir);
  st.short_of_space = !room.enough;
  return st.short_of_space;
}

// Claims jobs until the prefetch window is full, then pumps.
void fill(head_ptr self) {
  auto& st = self->state;
  const auto& s = st.cfg->settings;
  auto waiting = std::count_if(st.line.begin(), st.line.end(), [](const auto& kv) {
    return kv.second.at == stage::downloading || kv.second.at == stage::ready;
  });
  // Short of room: what is downloaded goes on to the transcriber, nothing new comes.
  if (waiting < s.prefetch && !short_of_space(self)) {
    std::vector<storage::job_record> claimed, gave_up;
    try {
      claimed =
          storage::job_store(*st.db).claim(owner_of(self), static_cast<int>(s.prefetch - waiting),
                                           std::chrono::seconds(s.lease_seconds), s.max_attempts, &gave_up);
    } catch (const std::exception& e) {
      spdlog::error("❌ [OFFLINE_STT] Could not claim jobs: {}", e.what());
    }
    for (const auto& r : gave_up) {
      spdlog::error("❌ [OFFLINE_STT] Job {} for {} dead: {}", r.id, r.call_sid, r.last_error);
      metrics::process().job_finished(false);
      record_hop(self->system(), r.id, "downloader", "dead",
                 trace_context{r.trace_id, "downloader", now_us()}, now_us(), r.last_error);
    }
    for (const auto& r : claimed) {
      if (st.line.count(r.id))
        continue;
      downloader_state::entry e;
      try {
        e.job = ticket_from(self, r);
      } catch (const std::exception& ex) {
        // Its lease runs out and the job is claimed again then.
        spdlog::error("❌ [OFFLINE_STT] Could not read job {}: {}", r.id, ex.what());
        continue;
      }
      std::error_code ec;
      bool have_audio = !r.audio_path.empty() && std::filesystem::exists(r.audio_path, ec);
      e.at = have_audio ? stage::ready : stage::downloading;
      e.attempts = r.attempts;
      if (r.transcribed_at_us != 0) {
        e.transcribed = true;
        e.transcript = r.transcript;
        e.at = stage::ready; // the audio is not needed again
      }
      record_hop(self->system(), r.id, "downloader", "claimed", e.job.trace, now_us(),
                 "attempt " + std::to_string(r.attempts));
      bool needs_audio = e.at == stage::downloading;
      st.line.emplace(r.id, std::move(e));
      if (needs_audio)
        start_download(self, r.id);
    }
  }
  pump(self);
}

// Extraction and the lead write take milliseconds; a job still unfinished
// long after its transcript was handed on was lost on the way (an actor
// replaced between two hops) and goes back to the queue.
constexpr std::int64_t finishing_limit_us = 300LL * 1000000;

void sweep(head_ptr self) {
  auto& st = self->state;
  auto now = now_us();
  std::vector<std::int64_t> lost;
  for (const auto& [id, e] : st.line)
    if (e.at == stage::finishing && now - e.finishing_since_us > finishing_limit_us)
      lost.push_back(id);
  for (auto id : lost)
    release(self, id, 0, "lost between extraction and the lead write");
}

// On PostgreSQL the node says it is alive as often as it renews leases, so
// its node.id stays its own (storage/node_registry.hpp).
void say_alive(head_ptr self) {
  auto& st = self->state;
  auto now = now_us();
  if (st.db->is_sqlite() || now - st.last_seen_us < st.cfg->settings.lease_seconds * 1000000LL / 3)
    return;
  try {
    if (!storage::node_seen(*st.db, storage::this_process(owner_of(self)), now))
      spdlog::error("❌ [OFFLINE_STT] Another process now runs as node.id={}: this one was presumed dead",
                    owner_of(self));
    st.last_seen_us = now;
  } catch (const std::exception& e) {
    spdlog::error("❌ [OFFLINE_STT] Could not note this node alive: {}", e.what());
  }
}

void renew(head_ptr self) {
  auto& st = self->state;
  auto now = now_us();
  auto lease = std::chrono::seconds(st.cfg->settings.lease_seconds);
  if (st.line.empty() || now - st.last_renew_us < lease.count() * 1000000 / 3)
    return;
  std::vector<std::int64_t> ids;
  for (const auto& kv : st.line)
    ids.push_back(kv.first);
  try {
    storage::job_store(*st.db).renew(owner_of(self), ids, lease);
    st.last_renew_us = now;
  } catch (const std::exception& e) {
    spdlog::error("❌ [OFFLINE_STT] Could not renew leases: {}", e.what());
  }
}

} // namespace

downloader_actor::behavior_type downloader(head_ptr self, std::shared_ptr<const pipeline_config> cfg) {
  auto& st = self->state;
  st.cfg = cfg;
  st.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  // A restarted node takes its own leases back at once; on SQLite one server
  // owns the file, so every lease is ours.
  int taken = storage::job_store(*st.db).take_back_leases(st.db->is_sqlite() ? "" : cfg->settings.node_id);
  if (taken > 0)
    spdlog::info("ℹ️ [OFFLINE_STT] Took back {} unfinished job(s) from before the restart", taken);
  self->delayed_send(self, tick_interval, tick_atom::value);
  fill(self);
  return {
      [self](const recording_job&) {
        log_scope scope("downloader");
        fill(self);
      },
      [self](const job_finished& f) {
        log_scope scope("downloader", f.job_id);
        record_message(self->system(), f.job_id, "downloader", "job_finished", f.trace);
        auto& st = self->state;
        if (!st.line.count(f.job_id))
          return;
        switch (f.result) {
        case job_finished::outcome::done:
          st.line.erase(f.job_id);
          break;
        case job_finished::outcome::dead:
          kill(self, f.job_id, f.error);
          break;
        case job_finished::outcome::retry:
          release(self, f.job_id, retry_delay_us(st.cfg->settings, 1), f.error);
          break;
        case job_finished::outcome::not_ours:
          // A stale report (the job was released and claimed again since):
          // the entry in line is the live one unless the job has ended.
          try {
            auto j = storage::job_store(*st.db).find(f.job_id);
            if (!j || j->state == storage::job_state::done || j->state == storage::job_state::dead ||
                j->lease_owner != owner_of(self))
              st.line.erase(f.job_id);
          } catch (const std::exception&) {
          }
          break;
        }
        fill(self);
      },
      [self](const role_restarted& r) {
        // Work handed to a replaced extractor or lead_writer went down with it.
        auto& st = self->state;
        const auto detail = r.role + " restarted after: " + r.reason;
        auto trace_restart = [&](const job_ticket& job) {
          record_hop(self->system(), job.job_id, "supervisor", "restarted", job.trace, now_us(), detail);
        };
        if (r.role == "transcriber") {
          for (const auto& job : st.lost_to_transcriber)
            trace_restart(job);
          st.lost_to_transcriber.clear();
          st.awaiting_transcriber = false;
          fill(self);
          return;
        }
        if (r.role != "extractor" && r.role != "lead_writer")
          return;
        std::vector<std::int64_t> lost;
        for (const auto& [id, e] : st.line)
          if (e.at == stage::finishing) {
            lost.push_back(id);
            trace_restart(e.job);
          }
        for (auto id : lost)
          release(self, id, 0, r.role + " restarted");
        fill(self);
      },
      [self](tick_atom) {
        log_scope scope("downloader");
        self->state.awaiting_transcriber = false;
        sweep(self);
        renew(self);
        say_alive(self);
        fill(self);
        self->delayed_send(self, tick_interval, tick_atom::value);
      },
  };
}

download_worker_actor::behavior_type download_worker(download_worker_actor::pointer self,
                                                     std::shared_ptr<const pipeline_config> cfg) {
  return {
      [self, cfg](download_request& req) -> caf::result<download_result> {
        log_scope scope("download_worker", req.job.job_id, req.job.call_sid);
        auto rp = self->make_response_promise<download_result>();
        download_result out;
        out.job = req.job;
        out.started_at_us = now_us();
        try {
          if (out.job.business_id == 0 && out.job.from_number.empty() && out.job.to_number.empty()) {
            std::string error;
            auto call = cfg->lookup_call(out.job.call_sid, &error);
            if (!call) {
              out.result = download_result::outcome::retry;
              out.error = "could not look up the call's numbers at Twilio: " + error;
              rp.deliver(std::move(out));
              self->quit();
              return rp;
            }
            out.job.from_number = call->from;
            out.job.to_number = call->to;
          }
          auto d = cfg->download(out.job.recording_url, out.job.recording_sid, out.job.channels);
          fault_point("in_download"); // the file is there, the job does not know it yet
          out.detail = d.result == http::download_outcome::status::ok
                           ? fmt::format("HTTP {}, {} bytes, {} request{}", d.http_status, d.bytes,
                                         d.requests, d.requests == 1 ? "" : "s")
                           : fmt::format("last HTTP {}", d.http_status);
          switch (d.result) {
          case http::download_outcome::status::ok:
            out.result = download_result::outcome::ok;
            out.job.audio_path = d.path;
            break;
          case http::download_outcome::status::not_ready:
            out.result = download_result::outcome::not_ready;
            out.error = "recording not ready yet (" + std::to_string(d.requests) + " requests)";
            break;
          case http::download_outcome::status::failed:
            out.result = d.retryable ? download_result::outcome::retry : download_result::outcome::failed;
            out.error = d.error;
            // An hour at most: a wrong header must not park a job for days.
            out.retry_after_us = std::min<std::int64_t>(d.retry_after.count(), 3600) * 1000000;
            break;
          }
        } catch (const std::exception& e) {
          out.result = download_result::outcome::retry;
          out.error = e.what();
        }
        rp.deliver(std::move(out));
        self->quit();
        return rp;
      },
  };
}

} // namespace callscribe
