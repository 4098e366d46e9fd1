// recording_jobs: the durable queue. Every state change of a job goes through
// here, and every change made by a worker is guarded by that worker's lease.
#pragma once

#include "storage/database.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::storage {

enum class job_state { queued, downloading, downloaded, transcribing, extracting, writing, done, dead };

const char* to_string(job_state s);
std::optional<job_state> job_state_from_string(const std::string& s);

struct new_job {
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  std::optional<std::int64_t> business_id;
  std::string from_number; // may be empty (status callbacks carry no From/To)
  std::string to_number;
  int channels = 1;
  int duration_seconds = 0;
  // Empty: the job starts `queued`. Otherwise it starts `dead` with this
  // reason (RecordingStatus absent/failed, unknown business).
  std::string dead_reason;
  std::string trace_id; // the trace context the job was born with
};

struct job_record {
  std::int64_t id = 0;
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  std::optional<std::int64_t> business_id;
  std::string from_number;
  std::string to_number;
  job_state state = job_state::queued;
  int attempts = 0;
  std::string last_error;
  std::string audio_path;             // set once the download is durable
  std::string transcript;             // set once the transcription is durable (may be empty: no words)
  std::int64_t transcribed_at_us = 0; // when it was stored; 0: not transcribed yet
  int channels = 1;
  int duration_seconds = 0;
  std::string lease_owner;
  std::int64_t lease_expires_at_us = 0;
  std::int64_t next_attempt_at_us = 0;
  std::string trace_id;
  std::string created_at; // ISO-8601 UTC
  std::string updated_at;
  std::string extracted_service; // this job's extraction, once written
  std::string extracted_city;
  std::optional<double> extraction_confidence;
};

struct insert_result {
  std::int64_t job_id = 0;
  bool created = false; // false: a job with this RecordingSid already existed
};

class job_store {
public:
  explicit job_store(database& db);

  // Idempotent on recording_sid: a second insert returns the first job's id.
  insert_result insert(const new_job& job);

  std::optional<job_record> find(std::int64_t id);
  std::optional<job_record> find_by_recording_sid(const std::string& recording_sid);
  std::vector<job_record> find_by_call_sid(const std::string& call_sid); // id order
  std::vector<job_record> recent(int limit);                             // newest first
  // A page of jobs, newest first: those in `state` (all when unset) with an
  // id below `before` (all when 0), at most `limit`.
  std::vector<job_record> page(std::optional<job_state> state, std::int64_t before, int limit);
  // The same, narrowed to one CallSid and/or one phone number (the caller's
  // or the business's); an empty one does not narrow.
  std::vector<job_record> page(std::optional<job_state> state, std::int64_t before, int limit,
                               const std::string& call_sid, const std::string& phone);
  // An operator's retry: a dead or done job is queued again from the start
  // (attempts, error, audio and transcript cleared; its lead keeps what it
  // has, and the lead rules apply to the new run). False when the job is not
  // there or not dead or done.
  bool requeue(std::int64_t id);

  // Claims up to `limit` claimable jobs in id order for `owner`: not done or
  // dead, no live lease (none, or expired), next attempt due. Each claim
  // counts an attempt and sets the lease to now + lease. A claimable job that
  // has already used `max_attempts` is marked dead instead ("gave up after N
  // attempts: <last error>") and not returned. A `queued` job becomes
  // `downloading`; a job with a durable stage result keeps its state.
  // The jobs ended that way are added to `gave_up`, when given, so the caller
  // can say so.
  std::vector<job_record> claim(const std::string& owner, int limit, std::chrono::seconds lease,
                                int max_attempts, std::vector<job_record>* gave_up = nullptr);

  // Extends the lease of each of these jobs that `owner` still holds.
  void renew(const std::string& owner, const std::vector<std::int64_t>& ids, std::chrono::seconds lease);

  // At start: every non-terminal job leased by `owner` (all owners when
  // `owner` is empty, as on SQLite) gets its lease cleared, so it is
  // claimable at once. Returns how many.
  int take_back_leases(const std::string& owner);

  // The guarded updates return false when `owner` no longer holds the lease
  // (it expired and another worker claimed the job) or the job is terminal.
  bool set_state(std::int64_t id, const std::string& owner, job_state state);
  bool set_business(std::int64_t id, const std::string& owner, std::int64_t business_id,
                    const std::string& from_number, const std::string& to_number);
  bool mark_downloaded(std::int64_t id, const std::string& owner, const std::string& audio_path);
  bool store_transcript(std::int64_t id, const std::string& owner, const std::string& transcript);
  // Back to `queued` with the lease dropped, due again at next_attempt_at_us;
  // keeps its id (so its place in line), attempts and stage results.
  bool release_for_retry(std::int64_t id, const std::string& owner, std::int64_t next_attempt_at_us,
                         const std::string& error);
  // Ends the job `dead` with `reason`. An empty owner skips the lease guard.
  bool mark_dead(std::int64_t id, const std::string& owner, const std::string& reason);

  // The earliest next_attempt_at_us among queued jobs not due yet (0: none),
  // so the claimer can sleep until then.
  std::int64_t next_due_us();

  // Number of jobs per state, for /metrics and the dashboard.
  std::vector<std::pair<job_state, std::int64_t>> count_by_state();
  // When the oldest job not yet done or dead was created (µs since the
  // epoch; nullopt when there is none).
  std::optional<std::int64_t> oldest_unfinished_created_us();

private:
  database& db_;
};

} // namespace callscribe::storage
