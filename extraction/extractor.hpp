// What every extraction engine shares: a business's catalogue in, a service,
// a city, a confidence and the evidence for them out. The gazetteer is the
// embedded engine; the llm engine asks a chat endpoint and falls back to it.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace callscribe::extraction {

struct catalogue_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct service_def {
  std::string name;                 // what is written to the lead
  std::vector<std::string> aliases; // other ways callers say it
};

struct catalogue {
  std::vector<service_def> services;
  std::vector<std::string> places; // "il", "us" or a TSV file path
  std::string language;            // "he", "en", ...
  // The business's name, when known: its words in a greeting ("KeyPro
  // Locksmith, hello") are not what the caller asked for.
  std::string business_name;
};

// From the JSON text of a business's `services` and `places` arrays (as in
// businesses.json). Throws catalogue_error with a one-line reason.
catalogue parse_catalogue(const std::string& services_json, const std::string& places_json,
                          const std::string& language);

// Why a field got its value: the words in the transcript that said it.
struct evidence {
  std::string field;     // "service" or "city"
  std::string text;      // the words as they appear in the transcript
  std::size_t begin = 0; // byte range of `text` in the transcript
  std::size_t end = 0;
  std::string channel; // "caller", "business", or "" for one unlabelled channel
  std::string match;   // how: "exact", "spelling", "fuzzy", "abbreviation", "words apart", "llm"
  std::string note;    // more, e.g. "most populous of 8 places named Springfield"
};

struct extraction_result {
  std::string service;                        // a service `name` from the catalogue, or empty
  std::string city;                           // the place's name in the business's language, or empty
  double confidence = 0;                      // 0 when nothing was found; see README for what it means
  std::vector<extraction::evidence> evidence; // one per field found, service first
  // Set when the engine had trouble and another answered (the llm engine's
  // fallback to the gazetteer): one line for the operator's log.
  std::string warning;
};

// The evidence as a JSON array text, as stored on the lead and printed by
// `callscribe extract`: [{"field","text","begin","end","channel","match"[,"note"]}].
std::string evidence_json(const std::vector<evidence>& e);

// Transcripts of two channels are labelled lines, caller first:
// "Caller: …\nBusiness: …" (speech/transcribe.cpp writes them so).
std::string two_channel_text(const std::string& caller, const std::string& business);

class extractor {
public:
  virtual ~extractor() = default;
  // Safe to call from several threads at once. Throws catalogue_error when
  // the catalogue's place lists cannot be loaded; any other trouble is in
  // the result (`warning`), not thrown.
  virtual extraction_result extract(const catalogue& c, const std::string& transcript) = 0;
};

} // namespace callscribe::extraction
