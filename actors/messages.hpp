// Every message and typed interface of the pipeline, read first by everyone.
// Each message carries its job id and trace context, so every hop of every
// job can be traced (DESIGN.md §1, tracer).
#pragma once

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace callscribe {

// Where a message comes from in a job's trace.
struct trace_context {
  std::string trace_id;        // one per job, from the webhook on
  std::string parent;          // the actor that sent the message
  std::int64_t sent_at_us = 0; // wall clock when it was sent
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, trace_context& x) {
  return f(caf::meta::type_name("trace_context"), x.trace_id, x.parent, x.sent_at_us);
}

// Twilio → webhook: a validated RecordingStatusCallback.
struct incoming_recording {
  trace_context trace;
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  std::string recording_status;
  int duration_seconds = 0;
  int channels = 1;
  std::string from;
  std::string to;
  std::string idempotency_token = {}; // Twilio's I-Twilio-Idempotency-Token header, when it came by HTTP
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, incoming_recording& x) {
  return f(caf::meta::type_name("incoming_recording"), x.trace, x.call_sid, x.recording_sid, x.recording_url,
           x.recording_status, x.duration_seconds, x.channels, x.from, x.to, x.idempotency_token);
}

// webhook → HTTP session: the job is durable (or was already).
struct job_accepted {
  std::int64_t job_id = 0; // 0: nothing to store (in-progress)
  bool created = false;
  std::string state;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_accepted& x) {
  return f(caf::meta::type_name("job_accepted"), x.job_id, x.created, x.state);
}

// Twilio → webhook: a validated voice webhook (`voice`: answer it, opening
// the caller's lead) or call-status callback.
struct incoming_call {
  trace_context trace;
  std::string call_sid;
  std::string from;
  std::string to;
  std::string direction;
  std::string status;
  bool voice = false;
  std::string idempotency_token = {}; // Twilio's I-Twilio-Idempotency-Token header
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, incoming_call& x) {
  return f(caf::meta::type_name("incoming_call"), x.trace, x.call_sid, x.from, x.to, x.direction, x.status,
           x.voice, x.idempotency_token);
}

// webhook → HTTP session: the call is recorded; whose it is.
struct call_answer {
  bool known = false; // a business owns the number
  std::string business_name;
  std::string forward_to; // empty: the business takes messages only
  std::int64_t lead_id = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, call_answer& x) {
  return f(caf::meta::type_name("call_answer"), x.known, x.business_name, x.forward_to, x.lead_id);
}

// HTTP → recording finder: a call completed; list its recordings at Twilio
// (`attempt` counts the lookups so far, for the bounded retries).
struct call_completed {
  trace_context trace;
  std::string call_sid;
  int attempt = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, call_completed& x) {
  return f(caf::meta::type_name("call_completed"), x.trace, x.call_sid, x.attempt);
}

// webhook → downloader: a job was committed; claim it now rather than at the
// next poll.
struct recording_job {
  std::int64_t job_id = 0;
  trace_context trace;
  std::string call_sid;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, recording_job& x) {
  return f(caf::meta::type_name("recording_job"), x.job_id, x.trace, x.call_sid);
}

// What every stage after the claim needs to know about its job.
struct job_ticket {
  std::int64_t job_id = 0;
  trace_context trace;
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  int channels = 1;
  std::int64_t business_id = 0; // 0: not resolved yet
  std::string from_number;
  std::string to_number;
  std::string caller_phone;
  std::string audio_path;         // set once downloaded
  std::string owner;              // the lease holder (node id)
  std::int64_t created_at_us = 0; // when the job was enqueued, for the end-to-end time
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_ticket& x) {
  return f(caf::meta::type_name("job_ticket"), x.job_id, x.trace, x.call_sid, x.recording_sid,
           x.recording_url, x.channels, x.business_id, x.from_number, x.to_number, x.caller_phone,
           x.audio_path, x.owner, x.created_at_us);
}

// downloader head → one download worker, and its answer.
struct download_request {
  job_ticket job;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, download_request& x) {
  return f(caf::meta::type_name("download_request"), x.job);
}

struct download_result {
  job_ticket job; // business and numbers filled in when the worker resolved them
  enum class outcome : std::uint8_t { ok, not_ready, retry, failed } result = outcome::failed;
  std::string error;
  std::string detail;             // for the trace: HTTP status, bytes, requests
  std::int64_t started_at_us = 0; // when the worker began
  std::int64_t retry_after_us = 0; // Twilio's Retry-After, when longer than the job's own backoff
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, download_result& x) {
  return f(caf::meta::type_name("download_result"), x.job, x.result, x.error, x.detail, x.started_at_us,
           x.retry_after_us);
}

// downloader head → transcriber: audio on disk, its turn has come.
struct audio_ready {
  job_ticket job;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, audio_ready& x) {
  return f(caf::meta::type_name("audio_ready"), x.job);
}

// transcriber → extractor (the transcriber answers the head with it too).
struct transcript {
  job_ticket job;
  std::string text;
  std::string engine;
  double audio_seconds = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, transcript& x) {
  return f(caf::meta::type_name("transcript"), x.job, x.text, x.engine, x.audio_seconds);
}

// extractor → lead_writer: what was found in the transcript.
struct extracted {
  job_ticket job;
  std::string transcript;
  std::string service;
  std::string city;
  double confidence = 0;
  std::string evidence;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, extracted& x) {
  return f(caf::meta::type_name("extracted"), x.job, x.transcript, x.service, x.city, x.confidence,
           x.evidence);
}

// Any stage → downloader head: the job left the pipeline, done or not.
struct job_finished {
  std::int64_t job_id = 0;
  trace_context trace;
  // not_ours: the lead writer found the job no longer leased to it.
  enum class outcome : std::uint8_t { done, dead, retry, not_ours } result = outcome::done;
  std::string error;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, job_finished& x) {
  return f(caf::meta::type_name("job_finished"), x.job_id, x.trace, x.result, x.error);
}

// Any actor → tracer: one hop of one job.
struct hop {
  std::int64_t job_id = 0;
  std::string actor;
  std::string event;
  std::int64_t sent_at_us = 0;
  std::int64_t handled_at_us = 0;
  std::int64_t done_at_us = 0;
  std::string detail;
  bool message_level = false; // kept only with trace.level=messages
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, hop& x) {
  return f(caf::meta::type_name("hop"), x.job_id, x.actor, x.event, x.sent_at_us, x.handled_at_us,
           x.done_at_us, x.detail, x.message_level);
}

// supervisor → downloader head: this role was restarted; jobs it held were
// lost with it and go back through the job store.
struct role_restarted {
  std::string role;
  std::string reason; // why the old one stopped
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, role_restarted& x) {
  return f(caf::meta::type_name("role_restarted"), x.role, x.reason);
}

using tick_atom = caf::atom_constant<caf::atom("tick")>;
// webhook → itself: commit the callbacks gathered since the last commit.
using commit_atom = caf::atom_constant<caf::atom("commit")>;

// One typed interface per role.
using webhook_actor =
    caf::typed_actor<caf::replies_to<incoming_recording>::with<job_accepted>,
                     caf::replies_to<incoming_call>::with<call_answer>, caf::reacts_to<commit_atom>>;

using recording_finder_actor = caf::typed_actor<caf::reacts_to<call_completed>>;

using retention_actor = caf::typed_actor<caf::reacts_to<tick_atom>>;

// A callback could not be stored (the database refused the write): sweep
// as soon as the database takes writes again, not at the next period. The
// bool is false from outside and true for the reconciler's own retry.
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

using reconciler_actor = caf::typed_actor<caf::reacts_to<tick_atom>, caf::reacts_to<sweep_atom, bool>>;

using downloader_actor = caf::typed_actor<caf::reacts_to<recording_job>, caf::reacts_to<job_finished>,
                                          caf::reacts_to<role_restarted>, caf::reacts_to<tick_atom>>;

using download_worker_actor = caf::typed_actor<caf::replies_to<download_request>::with<download_result>>;

using transcriber_actor = caf::typed_actor<caf::replies_to<audio_ready>::with<transcript>>;

using extractor_actor = caf::typed_actor<caf::reacts_to<transcript>>;

using lead_writer_actor = caf::typed_actor<caf::reacts_to<extracted>>;

using tracer_actor = caf::typed_actor<caf::reacts_to<hop>, caf::reacts_to<tick_atom>>;

// Registers every message type above with the actor system.
void add_message_types(caf::actor_system_config& cfg);

} // namespace callscribe

namespace callscribe {

using restart_atom = caf::atom_constant<caf::atom("restart")>;

// The supervisor: spawns every role, restarts one that fails.
using supervisor_actor = caf::typed_actor<caf::reacts_to<restart_atom, std::string, std::string>>;

} // namespace callscribe
