// Where the pipeline finds its actors. The supervisor is the only one that
// puts handles into CAF's registry, so a replacement is found at once by
// everyone who looks a role up at send time.
#pragma once

#include "actors/messages.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace callscribe::roles {

constexpr caf::atom_value webhook = caf::atom("webhook");
constexpr caf::atom_value downloader = caf::atom("downloader");
constexpr caf::atom_value transcriber = caf::atom("transcrib");
constexpr caf::atom_value extractor = caf::atom("extractor");
constexpr caf::atom_value lead_writer = caf::atom("leadwriter");
constexpr caf::atom_value tracer = caf::atom("tracer");
constexpr caf::atom_value recording_finder = caf::atom("finder");
constexpr caf::atom_value retention = caf::atom("retention");
constexpr caf::atom_value reconciler = caf::atom("reconcile");

template <class Handle> Handle find(caf::actor_system& sys, caf::atom_value role) {
  return caf::actor_cast<Handle>(sys.registry().get(role));
}

} // namespace callscribe::roles

namespace callscribe {

std::int64_t now_us();

// A new job's trace id: 16 random hex digits.
std::string new_trace_id();

// A trace context for a message this actor sends now.
trace_context forward(const trace_context& from, const char* sender);

// Sends one hop to the tracer, if there is one; `sent_at_us` is taken from
// the trace context of the message that caused it.
void record_hop(caf::actor_system& sys, std::int64_t job_id, const char* actor, const char* event,
                const trace_context& cause, std::int64_t handled_at_us, std::string detail = {});

// With trace.level=messages: this actor received a message of `type` (the
// sender and when it was sent are in `cause`), so the wait in each mailbox
// shows in the trace.
void record_message(caf::actor_system& sys, std::int64_t job_id, const char* actor, const char* type,
                    const trace_context& cause);

} // namespace callscribe
