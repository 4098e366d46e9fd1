#include "actors/log_context.hpp"

#include <utility>

namespace callscribe {
namespace {

thread_local log_context current;

} // namespace

const log_context& current_log_context() {
  return current;
}

log_scope::log_scope(const char* actor, std::int64_t job_id, std::string call_sid) : saved_(current) {
  current = log_context{job_id, std::move(call_sid), actor};
}

log_scope::~log_scope() {
  current = std::move(saved_);
}

} // namespace callscribe
