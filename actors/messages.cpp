// Registers the pipeline's message types and renders its errors.
#include "actors/messages.hpp"

#include "actors/errc.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/message.hpp>

namespace callscribe {

const char* to_string(errc x) {
  switch (x) {
  case errc::storage_failed:
    return "storage_failed";
  case errc::engine_failed:
    return "engine_failed";
  case errc::engine_lost:
    return "engine_lost";
  case errc::download_failed:
    return "download_failed";
  case errc::bad_audio:
    return "bad_audio";
  case errc::unknown_business:
    return "unknown_business";
  case errc::shutting_down:
    return "shutting_down";
  }
  return "unknown";
}

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<trace_context>("trace_context");
  cfg.add_message_type<incoming_recording>("incoming_recording");
  cfg.add_message_type<job_accepted>("job_accepted");
  cfg.add_message_type<incoming_call>("incoming_call");
  cfg.add_message_type<call_answer>("call_answer");
  cfg.add_message_type<call_completed>("call_completed");
  cfg.add_message_type<recording_job>("recording_job");
  cfg.add_message_type<job_ticket>("job_ticket");
  cfg.add_message_type<download_request>("download_request");
  cfg.add_message_type<download_result>("download_result");
  cfg.add_message_type<audio_ready>("audio_ready");
  cfg.add_message_type<transcript>("transcript");
  cfg.add_message_type<extracted>("extracted");
  cfg.add_message_type<job_finished>("job_finished");
  cfg.add_message_type<hop>("hop");
  cfg.add_message_type<role_restarted>("role_restarted");
  cfg.add_error_category(caf::atom("callscribe"),
                         [](std::uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out = "callscribe:";
                           out += to_string(static_cast<errc>(code));
                           if (!ctx.empty())
                             out += " (" + caf::to_string(ctx) + ")";
                           return out;
                         });
}

} // namespace callscribe
