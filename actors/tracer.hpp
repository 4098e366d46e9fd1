// tracer: writes every hop of every job to job_events, in batches.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"
#include "storage/trace_store.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace callscribe {

struct tracer_state {
  static inline const char* name = "tracer";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  std::vector<storage::trace_event> buffer; // hops not written yet, oldest first
  bool flush_due = false;                   // a tick is on its way
  // What is still buffered is written when the actor ends (a shutdown or a
  // restart), so the trace of a finished job is not lost with it.
  ~tracer_state();
};

// A batch is written when it reaches this many hops, or this long after its
// first hop, whichever comes first; past `tracer_max_buffered` (the database
// is failing) the oldest hops are dropped and counted.
constexpr std::size_t tracer_batch = 256;
constexpr auto tracer_flush_interval = std::chrono::milliseconds(100);
constexpr std::size_t tracer_max_buffered = 20000;

tracer_actor::behavior_type tracer(tracer_actor::stateful_pointer<tracer_state> self,
                                   std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
