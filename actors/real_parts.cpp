// The production parts of the pipeline: Twilio's REST API, the speech engine
// and the extraction engine the settings name.
#include "actors/pipeline.hpp"

#include "extraction/llm_extractor.hpp"
#include "speech/command_engine.hpp"
#include "speech/openai_engine.hpp"

#include <filesystem>
#include <stdexcept>

namespace callscribe {

void use_real_parts(pipeline_config& cfg) {
  const auto& s = cfg.settings;
  http::twilio_credentials creds{s.twilio_api_base, s.twilio_account_sid, s.twilio_auth_token};
  http::fetch_options fetch;
  fetch.timeout = std::chrono::seconds(s.download_timeout_seconds);
  fetch.max_bytes = s.download_max_bytes;
  http::retry_policy retry;
  retry.attempts = s.download_retries;
  retry.initial_backoff = std::chrono::milliseconds(s.download_backoff_ms);
  retry.max_backoff = std::chrono::milliseconds(std::max(s.download_backoff_ms * 16, 1000));
  std::string dir = s.data_dir + "/recordings";
  cfg.download = [=](const std::string& url, const std::string& sid, int channels) {
    return http::download_recording(creds, url, sid, channels, dir, fetch, retry);
  };
  http::fetch_options lookup = fetch;
  lookup.timeout = std::chrono::seconds(20);
  lookup.max_bytes = 1024 * 1024;
  cfg.lookup_call = [=](const std::string& call_sid, std::string* error) {
    return http::fetch_call(creds, call_sid, lookup, error);
  };
  cfg.list_recent_recordings = [=](const std::string& since_day, std::string* error) {
    return http::list_recordings_since(creds, since_day, lookup, error);
  };
  cfg.delete_recording = [=](const std::string& recording_sid, std::string* error) {
    return http::delete_recording(creds, recording_sid, lookup, error);
  };
  cfg.list_recordings = [=](const std::string& call_sid, std::string* error) {
    return http::list_call_recordings(creds, call_sid, lookup, error);
  };
  cfg.make_engine = engine_factory(s);
  cfg.gazetteer = std::make_shared<extraction::gazetteer>(s.places_dir);
  cfg.extractor = make_extractor(s, cfg.gazetteer);
}

std::shared_ptr<extraction::extractor> make_extractor(const config::settings& s,
                                                      std::shared_ptr<extraction::gazetteer> gazetteer) {
  if (s.extract_engine != "llm")
    return gazetteer;
  if (auto problem = config::extraction_settings_problem(s); !problem.empty())
    throw std::invalid_argument(problem);
  extraction::llm_options o;
  o.url = s.extract_url;
  o.model = s.extract_model;
  o.api_key = s.extract_api_key;
  o.timeout = std::chrono::seconds(s.extract_timeout_seconds);
  return std::make_shared<extraction::llm_extractor>(o, std::move(gazetteer));
}

namespace {

speech::openai_options openai_options_of(const config::settings& s) {
  speech::openai_options o;
  o.url = s.stt_url;
  o.model = s.stt_model;
  o.api_key = s.stt_api_key;
  o.language = s.stt_language;
  o.timeout = std::chrono::seconds(s.stt_timeout_seconds);
  return o;
}

speech::command_options command_options_of(const config::settings& s) {
  speech::command_options o;
  o.argv = speech::split_command(s.stt_command);
  o.language = s.stt_language;
  o.timeout = std::chrono::seconds(s.stt_timeout_seconds);
  return o;
}

} // namespace

std::function<std::unique_ptr<speech::speech_engine>()> engine_factory(const config::settings& s) {
  if (s.stt_engine == "openai") {
    auto o = openai_options_of(s);
    return [o] { return speech::make_openai_engine(o); };
  }
  if (s.stt_engine == "command") {
    auto o = command_options_of(s);
    return [o] { return speech::make_command_engine(o); };
  }
  speech::pocketsphinx_options ps;
  ps.model_dir = s.stt_model_dir;
  return [ps] { return speech::make_pocketsphinx_engine(ps); };
}

std::string speech_settings_problem(const config::settings& s) {
  try {
    if (s.stt_engine == "openai") {
      speech::make_openai_engine(openai_options_of(s)); // checks url and model
      return {};
    }
    if (s.stt_engine == "command") {
      if (s.stt_command.empty())
        return "stt.engine=command needs stt.command (a program and its arguments, {file} for the audio)";
      command_options_of(s);
      return {};
    }
    std::error_code ec;
    if (!std::filesystem::exists(s.stt_model_dir + "/en-us", ec))
      return "no PocketSphinx model in " + s.stt_model_dir +
             " (install pocketsphinx-en-us, or set stt.model-dir)";
    return {};
  } catch (const std::exception& e) {
    return "stt." + std::string(s.stt_engine == "openai" ? "url/stt.model" : "command") + ": " + e.what();
  }
}

} // namespace callscribe
