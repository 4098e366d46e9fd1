// job_events: the trace of every hop of every job.
#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace callscribe::storage {

struct trace_event {
  std::int64_t job_id = 0;
  std::string actor;              // "webhook", "downloader", "transcriber", ...
  std::string event;              // "enqueued", "downloaded", "transcribed", ...
  std::int64_t sent_at_us = 0;    // when the message that caused it was sent
  std::int64_t handled_at_us = 0; // when the actor began handling it
  std::int64_t done_at_us = 0;    // when the actor finished
  std::string node;
  std::string detail; // short, never a secret
};

class trace_store {
public:
  explicit trace_store(database& db);
  void append(const trace_event& e);
  void append(const std::vector<trace_event>& events); // one transaction
  // In time order (when handled, else sent, else done; then as written):
  // the tracer writes in batches, so the order written is not the order of
  // the hops.
  std::vector<trace_event> for_job(std::int64_t job_id);
  std::vector<trace_event> for_call(const std::string& call_sid);
  // Deletes the events of jobs done or dead since before `cutoff_us`;
  // returns how many.
  int prune_finished_before(std::int64_t cutoff_us);

private:
  database& db_;
};

} // namespace callscribe::storage
