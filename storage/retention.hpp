// The retention sweep: downloaded audio of finished jobs leaves the data dir
// after storage.retention-days (at once with 0), their trace events after
// trace.retention-days (never with 0), and with
// twilio.delete-after-processing the recording of a done job is deleted at
// Twilio. The transcript and the lead stay.
#pragma once

#include "storage/database.hpp"
#include "storage/job_store.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace callscribe::storage {

struct retention_policy {
  int retention_days = 7; // 0: as soon as the job is finished
  bool delete_at_twilio = false;
  int trace_retention_days = 30; // job_events of finished jobs; 0: kept
  // With several nodes (PostgreSQL) each deletes only the audio it
  // downloaded; empty: all audio (one node owns the SQLite file).
  std::string node_id = {};
};

struct retention_report {
  int audio_deleted = 0;  // local files removed (or found gone)
  int twilio_deleted = 0; // recordings deleted at Twilio
  int twilio_failed = 0;  // to be tried again at the next sweep
  std::string last_error; // of the last failure, one line
  int trace_events_deleted = 0;
};

// One sweep at `now_us` (a parameter, so tests set the clock). A finished
// job is `done` or `dead`; its age is its updated_at. `delete_remote` deletes
// a recording at Twilio (true: gone). Returns what it did.
retention_report
sweep_retention(database& db, const retention_policy& policy, std::int64_t now_us,
                const std::function<bool(const job_record&, std::string* error)>& delete_remote);

} // namespace callscribe::storage
