// One place list (Israeli localities or US cities, or a file of the same
// layout) loaded from its TSV file, and the places it names in a text.
#pragma once

#include "extraction/normalize.hpp"
#include "extraction/phrase_index.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace callscribe::extraction {

struct place {
  std::string name_he; // empty for lists without Hebrew names
  std::string name_en; // the US layout's `name`
  std::string region;  // district or state
  std::uint64_t population = 0;
};

struct place_match {
  std::size_t first = 0, last = 0; // token range, with a state said after the name
  const place* where = nullptr;    // the place meant: see candidates
  // Every place with the name said, most populous first. A state said after
  // it narrows them (`Springfield, Illinois`); `where` is the first left.
  std::vector<const place*> candidates;
  match_quality quality = match_quality::exact;
  std::string prefix; // Hebrew prefix letters on the first word
  // How much the words around must say before the name counts as a place:
  // see place_index.cpp.
  enum class support : std::uint8_t { none, context, state };
  support needs = support::none;
  bool abbreviation = false; // `ת"א`
  bool state_said = false;
  bool misheard = false; // a one-word name one or two edits away: only where a place is asked for
  bool loose = false;    // a one-word name in a looser spelling (phrase_match::loose): likewise
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

  // The places named in `text`, longest name first (`New York` over `York`),
  // sorted by position; of several places with one name, the most populous
  // unless a state said after it picks another.
  std::vector<place_match> find_all(const text_words& text) const;

  const std::vector<place>& places() const { return places_; }
  layout list_layout() const { return layout_; }

private:
  struct name_group {
    std::vector<std::uint32_t> places;                        // into places_, most populous first
    place_match::support needs = place_match::support::state; // the least any member needs
  };
  void add_names(std::uint32_t id);
  void add_name(std::uint32_t id, const std::string& name, bool latin, bool part);
  void add_abbreviations();
  std::uint32_t group_for(const std::vector<std::string>& words);
  place_match match_for(std::size_t first, std::size_t last, std::uint32_t group) const;

  layout layout_ = layout::us;
  std::vector<place> places_;
  std::vector<name_group> groups_;
  std::unordered_map<std::string, std::uint32_t> group_by_words_;
  std::unordered_map<std::string, std::uint32_t> abbreviations_; // normal form → group
  // one-word names that match freely, by spelling key, for names split in two (`כרמי אל`)
  std::unordered_map<std::string, std::uint32_t> whole_words_;
  flat_u64_set split_heads_; // key_hash of those names without their last 1–3 letters
  phrase_index names_{phrase_index::options{false, 5, false, false, false}};
};

} // namespace callscribe::extraction
