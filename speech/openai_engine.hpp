// The `openai` speech engine: any OpenAI-compatible POST /v1/audio/transcriptions
// (OpenAI, Groq, whisper.cpp's server, faster-whisper/speaches, LocalAI); how Hebrew calls are transcribed.
#pragma once

#include "speech/speech_engine.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace callscribe::speech {

struct openai_options {
  std::string url;     // the endpoint: a base like "https://api.openai.com/v1" (then /audio/transcriptions is
                       // appended; a bare "http://host:port" gets /v1/audio/transcriptions) or the full
                       // ".../audio/transcriptions" URL
  std::string model;   // e.g. "whisper-1"
  std::string api_key; // bearer token; may be empty for local servers
  std::string language; // default language when hints carry none; "iw" is sent as "he"
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{300};       // per request
  int attempts = 4;                        // requests per chunk while 429/5xx/network
  std::chrono::milliseconds backoff{1000}; // doubles, ±20% jitter; Retry-After wins when present (seconds or
                                           // HTTP date), capped at 60 s
  std::size_t upload_limit = 25u * 1024 * 1024; // whole request body; longer audio is split at quiet moments
  // The silence rule. Whisper's own: a segment is silence when its no_speech_prob is above
  // max_no_speech_prob AND its avg_logprob is below min_avg_logprob (a confident segment is kept even
  // when the model also thought it might be silence). On top of that, any segment whose avg_logprob is
  // below floor_avg_logprob is dropped on its own: an average token probability under e^-2 (13%) is
  // invented text, and it catches servers that report no no_speech_prob at all. A field the server
  // does not send never drops a segment.
  double max_no_speech_prob = 0.6;
  double min_avg_logprob = -1.0;
  double floor_avg_logprob = -2.0;
  // The prompt: hints.phrases joined with ", ", whole phrases only, most important first, within this
  // many UTF-8 bytes. Whisper keeps only the last ~224 tokens of a prompt, so an overlong one loses
  // its most important (first) phrases; 600 bytes is about 150 tokens of English and stays under the
  // limit for Hebrew (two bytes a letter, a token every two or three bytes).
  std::size_t prompt_budget = 600;
  std::function<void(std::chrono::milliseconds)> sleep; // injectable for tests; default sleeps
};

// Throws std::invalid_argument with a one-line reason when url or model is empty / url not http(s),
// attempts < 1, or upload_limit too small to carry two seconds of audio.
std::unique_ptr<speech_engine> make_openai_engine(const openai_options& o);

// The pieces below are plain functions so tests can check them without a server.

// "iw" (the old code) → "he"; "he-IL" → "he"; lower case; empty stays empty.
std::string openai_language(const std::string& language);

// The prompt sent with each request: trimmed, distinct phrases, ", "-joined, within budget_bytes.
std::string openai_prompt(const std::vector<std::string>& phrases, std::size_t budget_bytes);

// Where to cut `samples` so that no piece is longer than max_samples: each cut is the middle of the
// quietest 0.3 s window in the last 30 s (at most half a piece) before the longest possible cut.
// Returns the start index of every piece after the first (empty when no cut is needed).
std::vector<std::size_t> quiet_cuts(const std::vector<std::int16_t>& samples, int sample_rate,
                                    std::size_t max_samples);

} // namespace callscribe::speech
