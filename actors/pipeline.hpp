// What every actor of the pipeline is given at spawn: the settings, and the
// two blocking parts that tests may replace (how a recording is fetched, how
// the speech engine is made). Plain C++: no CAF here.
#pragma once

#include "config/options.hpp"
#include "extraction/gazetteer.hpp"
#include "http/twilio_api.hpp"
#include "speech/speech_engine.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace callscribe {

struct pipeline_config {
  config::settings settings;

  // Fetches a recording into settings.data_dir; the default calls Twilio.
  std::function<http::download_outcome(const std::string& recording_url, const std::string& recording_sid,
                                       int channels)>
      download;
  // Looks up a call's numbers at Twilio when the callback carried none.
  std::function<std::optional<http::call_info>(const std::string& call_sid, std::string* error)> lookup_call;
  // Lists the account's recordings created on or after a day (YYYY-MM-DD):
  // the reconciliation sweep.
  std::function<std::optional<std::vector<http::listed_recording>>(const std::string& since_day,
                                                                   std::string* error)>
      list_recent_recordings;
  // Deletes a recording at Twilio (twilio.delete-after-processing).
  std::function<bool(const std::string& recording_sid, std::string* error)> delete_recording;
  // Lists a call's recordings at Twilio (the call-status path).
  std::function<std::optional<std::vector<http::listed_recording>>(const std::string& call_sid,
                                                                   std::string* error)>
      list_recordings;
  // The place lists, loaded once and shared: the extractor matches with them,
  // the transcriber draws vocabulary hints from them (both calls are safe
  // from several threads).
  std::shared_ptr<extraction::gazetteer> gazetteer;
  // The engine extract.engine names (the gazetteer itself, or the llm engine
  // falling back to it); the extractor uses the gazetteer when this is unset.
  std::shared_ptr<extraction::extractor> extractor;
  // Makes the speech engine, once, inside the transcriber's own thread.
  std::function<std::unique_ptr<speech::speech_engine>()> make_engine;

  // Blocking roles (speech, SQL, downloads) run detached in production;
  // tests on CAF's test scheduler keep them attached so it can drive them.
  bool detach_blocking = true;
  // Restart budget: more than this many restarts within the window stops.
  int max_restarts = 5;
  std::chrono::seconds restart_window{60};
  std::function<void(const std::string& reason)> on_give_up;
};

// The production download and lookup functions and engine factory for these
// settings (Twilio's REST API, the engine stt.engine names).
void use_real_parts(pipeline_config& cfg);

// How many place names go into a business's vocabulary hints, most populous
// first: enough to cover where most callers are, few enough for a prompt.
constexpr std::size_t hint_places = 40;

// Makes the speech engine stt.engine names, configured from the settings.
std::function<std::unique_ptr<speech::speech_engine>()> engine_factory(const config::settings& s);

// The extractor extract.engine names: `gazetteer` itself, or the llm engine
// (extract.url, extract.model, CALLSCRIBE_EXTRACT_API_KEY,
// extract.timeout-seconds) falling back to it. The server and the one-shot
// commands share it. Throws std::invalid_argument with a one-line reason for
// llm settings it cannot use (see config::extraction_settings_problem).
std::shared_ptr<extraction::extractor> make_extractor(const config::settings& s,
                                                      std::shared_ptr<extraction::gazetteer> gazetteer);

// What is wrong with the speech settings, in one line, or "" when nothing is:
// checked at start so a bad set-up stops the server rather than every job.
std::string speech_settings_problem(const config::settings& s);

} // namespace callscribe
