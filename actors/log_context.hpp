// What a log line is about: the job, call and actor an actor is handling a
// message for. Thread-local, because a CAF handler runs start to end on one
// thread; `log_scope` sets it for the handler and restores it after, and the
// JSON log format reads it (log.format=json: "job", "call_sid", "actor").
#pragma once

#include <cstdint>
#include <string>

namespace callscribe {

struct log_context {
  std::int64_t job_id = 0; // 0: none
  std::string call_sid;
  const char* actor = nullptr;
};

// The context of the code running on this thread now.
const log_context& current_log_context();

class log_scope {
public:
  log_scope(const char* actor, std::int64_t job_id = 0, std::string call_sid = {});
  ~log_scope();
  log_scope(const log_scope&) = delete;
  log_scope& operator=(const log_scope&) = delete;

private:
  log_context saved_;
};

} // namespace callscribe
