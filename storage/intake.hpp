// Turning a recording callback into a durable job: which business the call
// belongs to, whether the job can run at all, and the idempotent insert.
#pragma once

#include "storage/business_store.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::storage {

struct intake_request {
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  std::string recording_status; // completed, in-progress, absent, failed
  int duration_seconds = 0;
  int channels = 1;
  std::string from; // empty on status callbacks
  std::string to;
  std::string trace_id;
};

struct intake_result {
  bool stored = false; // false: nothing to store (in-progress)
  std::int64_t job_id = 0;
  bool created = false; // false: a duplicate delivery
  job_state state = job_state::queued;
  std::string dead_reason;
  std::optional<std::int64_t> business_id;
};

// A call Twilio told us about (the voice webhook, a call-status callback).
struct call_request {
  std::string call_sid;
  std::string from;
  std::string to;
  std::string direction;
  std::string status;
  bool open_lead = false;             // the voice webhook opens the caller's lead
  std::string idempotency_token = {}; // Twilio's I-Twilio-Idempotency-Token, kept on the call
};

struct call_intake {
  std::optional<business> owner; // none: no business has either number
  std::int64_t lead_id = 0;      // with open_lead and an owner
};

// Records the call (insert or update by CallSid, never erasing what another
// callback told) and, when asked, opens one lead per call for the business
// and its caller. Idempotent: Twilio may deliver a callback twice.
call_intake record_call(database& db, const call_request& r);

// The business whose number is `to` (an inbound call), else whose number is
// `from` (an outbound call).
std::optional<business> resolve_business(database& db, const std::string& from, const std::string& to);

// The customer's number: the side of the call that is not the business.
std::string caller_phone(const std::string& business_phone, const std::string& from, const std::string& to);

// Stores the job (idempotent on RecordingSid). Numbers missing from the
// callback are taken from `calls`; when they are nowhere, the business is
// left unresolved for the downloader to ask Twilio. Known numbers with no
// business, or a RecordingStatus of absent/failed, store a job that is dead
// with its reason, so operators see it.
intake_result record_recording(database& db, const intake_request& r);

// One request's outcome in a batch: its result, or why it was not stored.
struct batch_outcome {
  intake_result result;
  std::string error; // empty: stored (or nothing to store)
};

// Group commit: every request in one transaction, one disk sync for them
// all. When that transaction fails, each request is tried again in a
// transaction of its own, so one bad request costs only its own answer.
// The outcomes are in the order of `requests`.
std::vector<batch_outcome> record_recordings(database& db, const std::vector<intake_request>& requests);

} // namespace callscribe::storage
