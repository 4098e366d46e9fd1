// One place list (Israeli localities or US cities, or a file of the same
// layout) loaded from its TSV file, and the places it names in a text.
#pragma once

#include "extraction/normalize.hpp"
#include "extraction/phrase_index.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace callscribe::extraction {

struct place {
  std::string name_he; // empty for lists without Hebrew names
  std::string name_en; // the US layout's `name`
  std::string region;  // district or state
  std::uint64_t population = 0;
};

struct place_match {
  std::size_t first = 0, last = 0; // token range
  const place* where = nullptr;
  match_quality quality = match_quality::exact;
};

class place_index {
public:
  enum class layout {
    il, // code, name_he, name_en, population, district
    us, // name, state, population
  };

  // Reads the TSV file (one header line, no quoting); the layout is told by
  // the number of columns. Throws std::runtime_error naming the file and line.
  static place_index load(const std::string& path);

  // The places named in `text`, longest name first (`New York` over `York`);
  // of several places with one name, the most populous.
  std::vector<place_match> find_all(const std::vector<token>& text) const;

  const std::vector<place>& places() const { return places_; }
  layout list_layout() const { return layout_; }

private:
  void add_names(std::uint32_t id);
  void add_name(std::uint32_t id, const std::string& name);

  layout layout_ = layout::us;
  std::vector<place> places_;
  phrase_index names_{phrase_index::options{false, 5, false}};
};

} // namespace callscribe::extraction
