// The embedded extractor: a business's service catalogue and its place lists
// matched against a transcript, Hebrew-aware, with a confidence.
#pragma once

#include <memory>
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
};

// From the JSON text of a business's `services` and `places` arrays (as in
// businesses.json). Throws catalogue_error with a one-line reason.
catalogue parse_catalogue(const std::string& services_json, const std::string& places_json,
                          const std::string& language);

struct extraction_result {
  std::string service;   // a service `name` from the catalogue, or empty
  std::string city;      // the place's name in the business's language, or empty
  double confidence = 0; // 0 when nothing was found; see README for what it means
  std::string evidence;  // the words that matched, e.g. "service: 'locksmith'; city: 'Boston'"
};

class gazetteer {
public:
  // `places_dir` holds il_localities.tsv and us_cities.tsv (config/places).
  // Lists are loaded on first use and kept.
  explicit gazetteer(std::string places_dir);
  ~gazetteer();
  gazetteer(gazetteer&&) noexcept;
  gazetteer& operator=(gazetteer&&) noexcept;

  // Safe to call from several threads at once: the lists, once loaded, are
  // read-only. Throws catalogue_error when a place list cannot be loaded.
  extraction_result extract(const catalogue& c, const std::string& transcript);

  // Words a speech engine should listen for with this catalogue: every
  // service name and alias, then the `max_places` most populous places, in
  // the catalogue's language. Throws catalogue_error if a list cannot load.
  std::vector<std::string> vocabulary(const catalogue& c, std::size_t max_places);

  // Loads the catalogue's place lists now (about 0.1 s for "us"), so the first
  // call is not slow and a broken list file shows at start. Throws
  // catalogue_error.
  void preload(const catalogue& c);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace callscribe::extraction
