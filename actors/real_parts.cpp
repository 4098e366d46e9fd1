// The production parts of the pipeline: Twilio's REST API and PocketSphinx.
#include "actors/pipeline.hpp"

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
  speech::pocketsphinx_options ps;
  ps.model_dir = s.stt_model_dir;
  cfg.make_engine = [ps] { return speech::make_pocketsphinx_engine(ps); };
}

} // namespace callscribe
