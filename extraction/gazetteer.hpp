// The embedded extractor: a business's service catalogue and its place lists
// matched against a transcript, Hebrew-aware, with a confidence.
#pragma once

#include "extraction/extractor.hpp"

#include <memory>
#include <string>
#include <vector>

namespace callscribe::extraction {

class gazetteer final : public extractor {
public:
  // `places_dir` holds il_localities.tsv and us_cities.tsv (config/places).
  // Lists are loaded on first use and kept.
  explicit gazetteer(std::string places_dir);
  ~gazetteer() override;
  gazetteer(gazetteer&&) noexcept;
  gazetteer& operator=(gazetteer&&) noexcept;

  // Safe to call from several threads at once: the lists, once loaded, are
  // read-only. Throws catalogue_error when a place list cannot be loaded.
  extraction_result extract(const catalogue& c, const std::string& transcript) override;

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
