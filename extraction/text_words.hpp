// A tokenised text whose distinct words are expanded once into the forms
// they may stand for (prefix letters off, a romanisation key, an English
// base form), shared by every index that reads the text: a call's
// transcript is read by the catalogue and by each place list.
#pragma once

#include "extraction/normalize.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::extraction {

// Worse is larger, so the worst word of a phrase decides.
enum class match_quality : std::uint8_t {
  exact,    // the same words, up to prefix letters and inflection
  spelling, // a word in defective spelling (`קרית` for `קריית`) or another romanisation
  fuzzy,    // one word of five letters or more one edit (two if eight or more) from the name's
};

// A 64-bit FNV-1a hash of a spelling key, worked out once per word form and
// used by every index to ask "may this begin or go on a name?" without
// hashing the string again. A collision only costs a wasted string lookup.
// key_hash_more(key_hash(a), " b") is key_hash("a b"): a phrase's key is
// hashed word by word as a search walks on, with no string built.
inline std::uint64_t key_hash_more(std::uint64_t h, std::string_view more) {
  for (unsigned char c : more) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

inline std::uint64_t key_hash(std::string_view key) {
  return key_hash_more(14695981039346656037ull, key);
}

// The first two and the last two letters of a word (each pair of code
// points packed into one number) and how many letters it has: what a word
// misheard once mostly keeps (phrase_index), worked out once per form.
struct letter_edges {
  std::uint64_t first = 0, last = 0;
  std::size_t letters = 0;
};
letter_edges edges_of(std::string_view word);

struct word_form {
  enum class kind : std::uint8_t {
    as_said,      // the word itself
    prefix_split, // Hebrew prefix letters taken off (first word of a name only)
    romanized,    // romanization_key of a Latin word
    stem,         // a base form (`locksmiths` → `locksmith`, `סתומים` → `סתומ`)
    prefix_stem,  // a base form of a prefix_split (`והסתומים` → `סתומ`)
  };
  std::string word;
  std::string key;    // spelling_key(word)
  std::string prefix; // the letters taken off, for prefix_split
  kind how = kind::as_said;
  bool article = false;    // the prefix ends in `ה`, the definite article
  bool short_word = false; // romanized from a word of under 5 letters
  std::uint64_t hash = 0;  // key_hash(key)
  letter_edges edges = {}; // edges_of(word)
};

// The forms of one word: a range in a text's one array of forms.
class form_range {
public:
  form_range(const word_form* begin, const word_form* end) : begin_(begin), end_(end) {}
  const word_form* begin() const { return begin_; }
  const word_form* end() const { return end_; }
  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }

private:
  const word_form* begin_;
  const word_form* end_;
};

class text_words {
public:
  explicit text_words(std::vector<token> tokens);
  // The tokens at `keep` (in order) of another text, sharing its tokens and
  // their forms rather than copying or working them out again.
  text_words(const text_words& from, const std::vector<std::size_t>& keep);

  // Token `i` of this text (of the subset, for a subset).
  const token& token_at(std::size_t i) const { return keep_.empty() ? (*tokens_)[i] : (*tokens_)[keep_[i]]; }
  std::size_t size() const { return word_of_.size(); }
  // Every token of the whole text; for a subset, of the text it was taken
  // from (its own tokens are token_at(0 .. size())).
  const std::vector<token>& tokens() const { return *tokens_; }
  // Tokens with the same normal form share one word id.
  std::uint32_t word_of(std::size_t token) const { return word_of_[token]; }
  std::size_t distinct() const { return forms_->first.size() - 1; }
  form_range forms(std::uint32_t word) const {
    const auto* all = forms_->second.data();
    return {all + forms_->first[word], all + forms_->first[word + 1]};
  }

  static constexpr std::size_t romanized_min_letters = 5;

private:
  std::shared_ptr<const std::vector<token>> tokens_;
  std::vector<std::size_t> keep_; // a subset's tokens, by index in tokens_; empty for a whole text
  std::vector<std::uint32_t> word_of_;
  // Every distinct word's forms in one array (first: where each word's
  // begin, and the end), shared with subsets: one allocation, not one a word.
  std::shared_ptr<const std::pair<std::vector<std::uint32_t>, std::vector<word_form>>> forms_;
};

} // namespace callscribe::extraction
