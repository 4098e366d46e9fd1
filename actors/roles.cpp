// Trace contexts and hops, shared by every actor.
#include "actors/roles.hpp"

#include <caf/send.hpp>

#include <cstdio>
#include <random>

namespace callscribe {

std::int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string new_trace_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

trace_context forward(const trace_context& from, const char* sender) {
  return trace_context{from.trace_id, sender, now_us()};
}

void record_hop(caf::actor_system& sys, std::int64_t job_id, const char* actor, const char* event,
                const trace_context& cause, std::int64_t handled_at_us, std::string detail) {
  auto tracer = roles::find<tracer_actor>(sys, roles::tracer);
  if (!tracer)
    return;
  caf::anon_send(tracer,
                 hop{job_id, actor, event, cause.sent_at_us, handled_at_us, now_us(), std::move(detail)});
}

void record_message(caf::actor_system& sys, std::int64_t job_id, const char* actor, const char* type,
                    const trace_context& cause) {
  auto tracer = roles::find<tracer_actor>(sys, roles::tracer);
  if (!tracer)
    return;
  auto now = now_us();
  caf::anon_send(tracer, hop{job_id, actor, "received", cause.sent_at_us, now, now,
                             std::string(type) + " from " + cause.parent, true});
}

} // namespace callscribe
