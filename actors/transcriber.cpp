// transcriber: audio_ready → decode, transcribe, store → transcript.
#include "actors/transcriber.hpp"

#include "actors/errc.hpp"
#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "fault/fault_point.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/business_store.hpp"
#include "storage/job_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {

namespace {

// The business's words and language, looked up once per business. Without
// them the engine still works, only without the bias.
const speech::recognition_hints& hints_for(transcriber_state& st, std::int64_t business_id) {
  auto it = st.hints.find(business_id);
  if (it != st.hints.end())
    return it->second;
  speech::recognition_hints h;
  try {
    if (auto b = storage::business_store(*st.db).find(business_id)) {
      auto c = extraction::parse_catalogue(b->services_json, b->places_json, b->language);
      h.language = b->language;
      h.phrases = st.gazetteer->vocabulary(c, hint_places);
    }
  } catch (const std::exception& e) {
    spdlog::warn("⚠️ [OFFLINE_STT] No vocabulary hints for business {}: {}", business_id, e.what());
  }
  return st.hints.emplace(business_id, std::move(h)).first->second;
}

// Makes the speech engine (loading a model is slow); until it is made,
// /readyz says the engine is loading. Throws what the factory throws.
void make_engine(transcriber_state& st) {
  metrics::process().speech_engine_ready(false);
  st.engine = st.cfg->make_engine();
  metrics::process().speech_engine_ready(true);
}

} // namespace

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

transcriber_actor::behavior_type transcriber(transcriber_actor::stateful_pointer<transcriber_state> self,
                                             std::shared_ptr<const pipeline_config> cfg) {
  auto& st = self->state;
  st.cfg = cfg;
  st.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  st.gazetteer = cfg->gazetteer;
  // Made here, in the transcriber's own thread, once.
  try {
    const auto loading_since = now_us();
    make_engine(st);
    spdlog::info("✅ [OFFLINE_STT] Speech engine ready: {} ({} ms)", st.engine->name(),
                 (now_us() - loading_since) / 1000);
  } catch (const std::exception& e) {
    spdlog::error("❌ [OFFLINE_STT] Cannot start the speech engine: {}", e.what());
    self->quit(make_error(errc::engine_lost, e.what()));
  }
  return {
      [self](const audio_ready& in) -> caf::result<transcript> {
        auto& st = self->state;
        const auto& job = in.job;
        log_scope scope("transcriber", job.job_id, job.call_sid);
        record_message(self->system(), job.job_id, "transcriber", "audio_ready", job.trace);
        auto handled_at = now_us();
        spdlog::info("🎧 [OFFLINE_STT] Starting offline transcription for {}", job.call_sid);
        spdlog::info("[OFFLINE_STT] Starting offline transcription for {}", job.call_sid);
        storage::job_store jobs(*st.db);
        try {
          if (!jobs.set_state(job.job_id, job.owner, storage::job_state::transcribing))
            return make_error(errc::storage_failed, "the job is no longer leased to this node");
        } catch (const std::exception& e) {
          return make_error(errc::storage_failed, e.what());
        }
        speech::audio audio;
        try {
          audio = speech::decode_file(job.audio_path);
        } catch (const std::exception& e) {
          spdlog::error("❌ [OFFLINE_STT] Cannot decode the recording of {}: {}", job.call_sid, e.what());
          record_hop(self->system(), job.job_id, "transcriber", "failed", job.trace, handled_at,
                     std::string("cannot decode the recording: ") + e.what());
          return make_error(errc::bad_audio, e.what());
        }
        speech::transcription t;
        try {
          t = speech::transcribe(*st.engine, audio, hints_for(st, job.business_id));
        } catch (const std::exception& e) {
          // The engine's state is unknown now: make a fresh one and report the
          // job failed, so a recording that always breaks the engine uses up
          // its own attempts and ends dead without taking the process down.
          // Only an engine that cannot be made again ends this actor, for
          // the supervisor to replace.
          spdlog::error("❌ [OFFLINE_STT] Speech engine failed on {}: {}", job.call_sid, e.what());
          record_hop(self->system(), job.job_id, "transcriber", "failed", job.trace, handled_at,
                     std::string("speech engine failed: ") + e.what());
          try {
            make_engine(st);
          } catch (const std::exception& again) {
            spdlog::error("❌ [OFFLINE_STT] Could not restart the speech engine: {}", again.what());
            auto lost = make_error(errc::engine_lost, again.what());
            self->quit(lost);
            return lost;
          }
          return make_error(errc::engine_failed, e.what());
        }
        fault_point("in_transcription"); // the text is made, not stored
        try {
          if (!jobs.store_transcript(job.job_id, job.owner, t.text))
            return make_error(errc::storage_failed, "the job is no longer leased to this node");
        } catch (const std::exception& e) {
          return make_error(errc::storage_failed, e.what());
        }
        spdlog::info("[OFFLINE_STT] ✅ Transcript obtained: {} chars", utf8_length(t.text));
        if (t.text.empty())
          spdlog::info("ℹ️ [OFFLINE_STT] No words in the recording of {} (silence or noise)",
                       job.call_sid);
        const double busy = static_cast<double>(now_us() - handled_at) / 1e6;
        metrics::process().transcribed(busy, t.rtf);
        metrics::process().stage_took("transcribe", busy);
        record_hop(self->system(), job.job_id, "transcriber", t.text.empty() ? "no_words" : "transcribed",
                   job.trace, handled_at,
                   fmt::format("{}, {:.2f} s audio, rtf {:.2f}, {} chars{}", t.engine, t.audio_seconds, t.rtf,
                               utf8_length(t.text), t.text.empty() ? ", no words (silence or noise)" : ""));
        // The head hands it on to the extractor: it knows when one is there.
        transcript out{job, t.text, t.engine, t.audio_seconds};
        out.job.trace = forward(job.trace, "transcriber");
        return out;
      },
  };
}

} // namespace callscribe
