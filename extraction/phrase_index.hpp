// A dictionary of phrases (place names, service names and aliases) found in a
// tokenised text by hash lookups on word n-grams, with the word forms of
// text_words.hpp (Hebrew prefixes and endings, English inflections,
// romanisations), spellings that meet in spelling_key (defective, sounding
// alike) and transcription errors (one edit, two in a long word).
#pragma once

#include "extraction/flat_set.hpp"
#include "extraction/normalize.hpp"
#include "extraction/text_words.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::extraction {

struct phrase_match {
  std::size_t first = 0; // token range [first, last) in the text
  std::size_t last = 0;
  std::uint32_t value = 0;  // what the phrase was added with
  std::uint64_t weight = 0; // likewise
  match_quality quality = match_quality::exact;
  std::string prefix; // Hebrew prefix letters before the first word (`וב` in `ובעפולה`)
  // One word met through another romanisation (`tsfat` for Zefat): common
  // English words meet such keys too (`water`, Betar), so a place needs a
  // word asking for it.
  bool loose = false;
};

class phrase_index {
public:
  struct options {
    // Inflected words find their base (`locksmiths` → `locksmith`, `סתומים`
    // → `סתומה` through the base `סתומ`); add the bases of phrase words too.
    bool english_inflections = false;
    std::size_t fuzzy_min_letters = 5;
    // One edit in a one-word phrase: over an English dictionary's 64,000
    // lower-case words, place names of one word matched about 200 words this
    // way (drawer → Draper, august → Augusta, bedding → Redding), so place
    // lists allow an edit only inside longer names, where the other words
    // anchor it. A business's few service words can afford it.
    bool fuzzy_single_word = true;
    // Latin words also stand for their romanization_key (spelling.hpp), for
    // lists that hold romanisation keys of Hebrew names (the Israeli list).
    bool romanized = false;
    // `ה` (the definite article) as a prefix: services take it (`המנעולן`),
    // place names never do (`החלון` is a window, not Holon).
    bool definite_article = true;
  };

  phrase_index() = default;
  explicit phrase_index(options o) : opts_(o) {}
  // Moves only: an index is large, and a copy is always a mistake.
  phrase_index(const phrase_index&) = delete;
  phrase_index& operator=(const phrase_index&) = delete;
  phrase_index(phrase_index&&) = default;
  phrase_index& operator=(phrase_index&&) = default;

  // `weight` breaks ties between phrases found on the same words (the larger
  // wins: a place's population). Returns false when the phrase has no words.
  bool add_tokens(std::vector<std::string> words, std::uint32_t value, std::uint64_t weight = 0);

  // Whether any phrase is in the script of `t` (Hebrew or not): a word of
  // the other script can be no part of a match.
  bool has_script_of(const token& t) const { return t.hebrew ? has_hebrew_ : has_latin_; }

  // The phrases in `text`, longest first: once words are taken by a match, a
  // shorter or worse one on any of them is dropped. Sorted by position.
  std::vector<phrase_match> find(const text_words& text) const;

  // Values of one-word phrases an edit or two away from a word (its forms in a
  // text_words), for lists that allow that only where the words around ask
  // for a place. Empty when the word is itself a phrase word.
  struct misheard {
    std::uint32_t value;
    std::string prefix; // Hebrew prefix letters taken off the word
  };
  std::vector<misheard> misheard_single_words(form_range forms) const;

private:
  struct phrase {
    std::vector<std::string> words;
    std::uint32_t value;
    std::uint64_t weight;
  };
  // Views into the text_words being searched or into this index's own
  // tables: a search allocates no strings per word form.
  struct alternative {
    std::string_view word;
    std::string_view key; // spelling_key(word)
    match_quality quality;
    std::string_view prefix;      // the Hebrew prefix letters taken off the token
    std::uint64_t hash = 0;       // key_hash(key)
    bool begins = false;          // `key` is a phrase or the first word of one
    bool short_romanized = false; // a romanisation key of a word under romanized_min_letters
    bool romanized = false;
    bool goes_on = false; // `key` is a later word of some phrase (last: set by unique_forms)
  };
  struct expansion;
  static constexpr std::size_t two_edit_min_letters = 8;

  bool uses(const word_form& f) const; // whether this index's options ever match such a form
  std::vector<alternative> exact_forms(form_range forms, bool first_word) const;
  // `even_phrase_words`: also for a word that is itself a phrase word (a
  // tiny town called Phenix is still "phoenix" misheard, where asked for).
  std::vector<alternative> fuzzy_forms(const std::vector<alternative>& exact,
                                       bool even_phrase_words = false) const;
  std::vector<alternative> unique_forms(std::vector<alternative> forms) const;
  void add_fuzzy_candidates(std::string_view form, std::vector<alternative>& out,
                            bool even_phrase_words) const;
  struct walk_state;
  // Every phrase starting at `start`; `w` is reused from one start to the next.
  void search(walk_state& w, std::size_t start) const;
  // `key`: key_hash of the spelling keys chosen so far, joined by spaces
  void walk(walk_state& w, std::size_t pos, std::uint64_t key, bool fuzzy_used) const;
  void visit(walk_state& w, std::size_t pos, std::uint64_t key, bool fuzzy_used,
             const alternative& alt) const;

  options opts_;
  std::vector<phrase> phrases_;
  // Keys are key_hash values of spelling keys joined by spaces: a search
  // hashes as it walks and builds no strings. A 64-bit collision is too
  // rare to matter, and a phrase found is checked word by word anyway.
  // Everything a search asks of a key is one lookup in keys_, whose value
  // holds these flags and, above them, 1 + the index in with_key_ of the
  // phrases with that whole key (0: none).
  enum key_flag : std::uint32_t {
    begins_a_phrase = 1,  // a whole key or a leading part of one
    goes_on_a_phrase = 2, // one word, after the first of some phrase
    leads_on = 4,         // a proper leading part of some whole key
  };
  static constexpr unsigned key_flag_bits = 3;
  flat_u64_map keys_;
  std::vector<std::vector<std::uint32_t>> with_key_;
  const std::vector<std::uint32_t>* phrases_with(std::uint32_t key_info) const {
    auto slot = key_info >> key_flag_bits;
    return slot ? &with_key_[slot - 1] : nullptr;
  }
  // For one-edit lookups: a phrase word (and each of its one-letter
  // deletions), by key_hash → 1 + the index in deletion_words_ of the phrase
  // words it comes from, with their spelling keys. Hashed so that a text
  // word's deletions are looked up without building them; a candidate is
  // checked by its edit distance anyway.
  struct known_word {
    std::string word, key;
    std::uint64_t hash;  // key_hash(key)
    std::size_t letters; // letter_count(word)
  };
  flat_u64_map deletions_;
  std::vector<std::vector<known_word>> deletion_words_;
  const std::vector<known_word>* deleted_to(std::uint64_t hash) const {
    auto slot = deletions_.get(hash);
    return slot ? &deletion_words_[slot - 1] : nullptr;
  }
  // The first two and the last two letters of every word in deletions_,
  // each → a mask of those words' letter counts (bit n: n letters, 31 and
  // longer in bit 31): in a word of five letters or more one edit keeps the
  // first two or the last two, so a word that shares neither pair with any
  // phrase word of about its length needs no deletion lookups. (Two edits may
  // change both; for long names such a miss is accepted.) Two lookups a word.
  flat_u64_map edge_letters_;
  static std::uint64_t edge_key(bool last, std::uint64_t pair);
  bool may_be_misheard(std::string_view form) const;
  bool may_be_misheard(const letter_edges& form) const;
  std::size_t longest_ = 0; // words in the longest phrase
  // Which scripts the phrases are in: a word of the other script cannot
  // begin a match (the US list has no Hebrew), so it is not expanded.
  bool has_hebrew_ = false, has_latin_ = false;
};

} // namespace callscribe::extraction
