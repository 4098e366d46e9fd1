// The `llm` extraction engine: any OpenAI-compatible chat-completions endpoint asked for a
// JSON-schema answer; a failed or malformed answer falls back to another engine (the gazetteer).
#pragma once

#include "extraction/extractor.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

namespace callscribe::extraction {

struct llm_options {
  // The full chat-completions URL, e.g. https://api.openai.com/v1/chat/completions or
  // http://127.0.0.1:8000/v1/chat/completions (vLLM, llama.cpp's server, Ollama, LocalAI). Used as
  // given: nothing is appended, so any OpenAI-compatible path works.
  std::string url;
  std::string model;   // e.g. "gpt-4o-mini"
  std::string api_key; // sent as "Authorization: Bearer …" only when not empty
  // The whole request, connecting included; after it the fallback answers. Seconds convert.
  std::chrono::milliseconds timeout{std::chrono::seconds(20)};
  std::string fallback_name = "gazetteer"; // named in the warning
};

// The model's answer did not hold what was asked: a one-line reason.
struct llm_answer_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class llm_extractor final : public extractor {
public:
  // Throws std::invalid_argument with a one-line reason when the url is not an http(s) URL, the
  // model is empty, the timeout is not positive or there is no fallback.
  llm_extractor(llm_options o, std::shared_ptr<extractor> fallback);

  // One request, no retries (the fallback is the plan B). Any trouble (no connection, timeout,
  // an HTTP error, an answer that is not the schema's) returns the fallback's answer with
  // `warning` saying why, in one line that never holds the API key. Safe to call from several
  // threads at once: every call has its own libcurl handle. Throws catalogue_error only as the
  // fallback does (a place list that cannot load).
  extraction_result extract(const catalogue& c, const std::string& transcript) override;

private:
  llm_options o_;
  std::shared_ptr<extractor> fallback_;
  std::string where_; // host[:port], for messages
};

// The pieces below are plain functions so tests can check them without a server.

// The JSON body POSTed for one transcript: model, the system and user messages, temperature 0
// and a strict json_schema response_format (service: one of the catalogue's names or null;
// city: string or null; confidence: number; evidence: {service, city} quotes or null).
std::string llm_request_body(const std::string& model, const catalogue& c, const std::string& transcript);

// The model's content (its JSON text) checked against the catalogue and turned into a result
// whose evidence has match "llm". `places` (may be null) names the city as the place lists do:
// when it finds a place spanning the whole of the model's city, its name is used (so "Afula"
// becomes "עפולה" for a Hebrew business), else the model's own text is kept. Throws
// llm_answer_error with a one-line reason.
extraction_result read_llm_answer(const catalogue& c, const std::string& transcript,
                                  const std::string& content, extractor* places);

} // namespace callscribe::extraction
