// A business's services found in a transcript: each name and alias as a
// phrase (Hebrew prefixes, inflections, one-letter errors: phrase_index),
// with small words on either side not counting ("locked my keys in my car"
// for "locked the keys in the car"), words joined or split by the speech
// engine ("lock out" for "lockout"), and a few words said between an
// alias's words ("locked himself out", "האוטו של הבת שלי לא מניע").
#pragma once

#include "extraction/extractor.hpp"
#include "extraction/phrase_index.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace callscribe::extraction {

struct service_match {
  std::size_t first = 0, last = 0; // token range in the text given to find
  std::uint32_t service = 0;       // index into catalogue::services
  match_quality quality = match_quality::exact;
  std::string prefix;
  bool gapped = false; // words of the alias with other words between
};

class service_index {
public:
  explicit service_index(const catalogue& c);

  // Matches on `tokens`, longest first and not overlapping, by position.
  std::vector<service_match> find(const text_words& text) const;

  // Most words that may stand between two words of an alias, and in all.
  static constexpr std::size_t max_gap = 2, max_gaps = 3;

private:
  struct alias {
    std::vector<std::uint32_t> words; // content words (no fillers), as word_list_ ids
    std::uint32_t service;
  };
  phrase_index phrases_{phrase_index::options{true, 5}};
  // every alias word, for gapped matches; heard exactly (a misheard word
  // with others between is too little to go on)
  phrase_index single_words_{phrase_index::options{true, 1000}};
  std::vector<std::string> word_list_; // single_words_ value → word
  std::vector<alias> aliases_;
  // Words joined without spaces → service. A text's words are joined by
  // hashing on, and one lookup of the key_hash so far says whether it is such
  // a string (bits 1..: 1 + its index in compact_) and whether it leads on to
  // one (bit 0): most joinings stop at the first word.
  struct compact_phrase {
    std::string joined;
    std::uint32_t service;
  };
  std::vector<compact_phrase> compact_;
  flat_u64_map compact_keys_;
  std::size_t longest_compact_ = 0;
};

} // namespace callscribe::extraction
