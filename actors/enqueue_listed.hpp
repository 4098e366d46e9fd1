// A recording Twilio listed (the call-status path, the reconciliation sweep)
// handed to the webhook exactly as its recording-status callback would be.
#pragma once

#include "actors/messages.hpp"
#include "http/twilio_api.hpp"

#include <caf/error.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>

namespace callscribe {

// The webhook stores it (idempotent on RecordingSid); a failure is logged
// under `tag` ("OFFLINE_STT", "RECONCILE").
template <class Self>
void enqueue_listed(Self* self, const webhook_actor& webhook, const http::listed_recording& rec,
                    const std::string& call_sid, trace_context trace, const char* tag) {
  incoming_recording in{std::move(trace),
                        call_sid,
                        rec.sid,
                        rec.media_url,
                        "completed",
                        rec.duration_seconds,
                        rec.channels,
                        {},
                        {},
                        {}};
  self->request(webhook, std::chrono::seconds(30), in)
      .then([](const job_accepted&) {},
            [tag, sid = rec.sid, call_sid](caf::error& err) {
              spdlog::error("❌ [{}] Recording {} of {} not stored: {}", tag, sid, call_sid,
                            caf::to_string(err));
            });
}

} // namespace callscribe
