// A dictionary of phrases (place names, service names and aliases) found in a
// tokenised text by hash lookups on word n-grams, with Hebrew prefixes,
// spelling variants, English inflections and one-letter errors.
#pragma once

#include "extraction/normalize.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace callscribe::extraction {

// Worse is larger, so the worst word of a phrase decides.
enum class match_quality : std::uint8_t {
  exact,    // the same words, up to prefix letters and inflection
  spelling, // a word in defective spelling (`קרית` for `קריית`)
  fuzzy,    // one word of five letters or more at one edit from the name's
};

struct phrase_match {
  std::size_t first = 0; // token range [first, last) in the text
  std::size_t last = 0;
  std::uint32_t value = 0;  // what the phrase was added with
  std::uint64_t weight = 0; // likewise
  match_quality quality = match_quality::exact;
};

class phrase_index {
public:
  struct options {
    bool english_inflections = false; // `locksmiths` finds `locksmith`
    std::size_t fuzzy_min_letters = 5;
    // One edit in a one-word phrase: over an English dictionary's 64,000
    // lower-case words, place names of one word matched about 200 words this
    // way (drawer → Draper, august → Augusta, bedding → Redding), so place
    // lists allow an edit only inside longer names, where the other words
    // anchor it. A business's few service words can afford it.
    bool fuzzy_single_word = true;
  };

  phrase_index() = default;
  explicit phrase_index(options o) : opts_(o) {}

  // `weight` breaks ties between phrases found on the same words (the larger
  // wins: a place's population). Returns false when the phrase has no words.
  bool add(std::string_view phrase, std::uint32_t value, std::uint64_t weight = 0);
  bool add_tokens(std::vector<std::string> words, std::uint32_t value, std::uint64_t weight = 0);

  // The phrases in `text`, longest first: once words are taken by a match, a
  // shorter or worse one on any of them is dropped. Sorted by position.
  std::vector<phrase_match> find(const std::vector<token>& text) const;

  std::size_t size() const { return phrases_.size(); }

private:
  struct phrase {
    std::vector<std::string> words;
    std::uint32_t value;
    std::uint64_t weight;
  };
  struct alternative {
    std::string word;
    std::string key; // spelling_key(word)
    match_quality quality;
  };

  std::vector<alternative> alternatives(const token& t, bool first_word) const;
  void add_fuzzy_candidates(const std::string& form, std::vector<alternative>& out) const;
  void search(const std::vector<std::vector<alternative>>& alts_first,
              const std::vector<std::vector<alternative>>& alts_next, std::size_t start,
              std::vector<phrase_match>& out) const;

  options opts_;
  std::vector<phrase> phrases_;
  // spelling keys of a phrase's words joined by spaces → phrases
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_key_;
  // every proper leading part of those keys, to stop a search early
  std::unordered_set<std::string> key_prefixes_;
  // for one-edit lookups: a phrase word (and each of its one-letter
  // deletions) → the phrase words it comes from
  std::unordered_map<std::string, std::vector<std::string>> deletions_;
  std::size_t longest_ = 0; // words in the longest phrase
};

} // namespace callscribe::extraction
