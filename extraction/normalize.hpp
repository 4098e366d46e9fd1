// Text normalisation for matching: one normal form for a word however it was
// written (case, niqqud, final letters, gershayim, compatibility forms), and a
// tokeniser that remembers where each word came from in the original text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::extraction {

struct token {
  std::string text;      // normal form, see normalize_word
  std::size_t begin = 0; // byte range of the word in the original text,
  std::size_t end = 0;   // for evidence
  bool hebrew = false;   // starts with a Hebrew letter
  bool acronym = false;  // Hebrew written with gershayim inside (`ת"א`, `בב"ש`)
  // The line of the transcript the word is on: in a two-channel call a line
  // is one speaker's, so the words before a line's first word are the other
  // speaker's and say nothing about it. 0 from tokenize.
  std::uint32_t line = 0;
};

// NFKC, case folded, combining marks dropped (Hebrew niqqud and cantillation,
// Latin accents), Hebrew final letters turned into their regular forms, and
// apostrophes, gershayim and geresh removed (so `חמ"ד` is `חמד`, `Be'er` is
// `beer`); an English possessive `'s` is dropped. Returns UTF-8.
std::string normalize_word(std::string_view word);
// The same into `out` (replacing what it held), reusing its storage.
void normalize_word_into(std::string_view word, std::string& out);

// Splits at whitespace, punctuation, hyphens and maqaf, symbols; each word is
// normalised. A word whose normal form is empty (only marks) is skipped.
std::vector<token> tokenize(std::string_view text);
// The same, appended to `tokens`, with `offset` added to every byte range
// (for a part of a larger text).
void tokenize_into(std::string_view text, std::size_t offset, std::vector<token>& tokens);

// The normal forms of tokenize(text), joined by single spaces.
std::string normalize_text(std::string_view text);

} // namespace callscribe::extraction
