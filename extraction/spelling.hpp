// The ways one normalised word can stand for another: Hebrew prefix letters,
// full and defective Hebrew spelling, English inflections, and one-letter
// transcription errors. All work on normal forms (normalize_word) and count
// letters, not bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::extraction {

std::size_t letter_count(std::string_view word);

// The word with 1 to 4 leading prefix letters (ו ה ב כ ל מ ש) removed, as
// long as at least two letters remain: `ולמנעולן` gives `למנעולן`, `מנעולן`,
// `נעולן`; `וכשבבאר` gives `באר` too. Shortest prefix first. The word itself is not included.
std::vector<std::string> hebrew_prefix_splits(std::string_view word);

// A key under which full and defective spellings meet: a Hebrew word without
// ו and י after its first letter (`קריית` and `קרית` both give `קרת`), and
// with letters that sound alike folded (ע→א, ט→ת, ק→כ, and a last ה→א:
// `כרמיעל` meets `כרמיאל`, `סבה` meets `סבא`). Other words are their own key.
std::string spelling_key(std::string_view word);

// True when `written` is `name` with some ו or י after the first letter left
// out (defective spelling of a full-spelled name), or with letters that
// sound alike written for one another (`עתא` for `אתא`), or equal. Adding letters
// is not a variant: `חדירה` is a word, not a spelling of `חדרה`.
// With `sounds` false, only left-out ו and י count.
bool is_defective_spelling_of(std::string_view written, std::string_view name, bool sounds = true);

// A key under which the romanisations of one Hebrew name meet (Kiryat and
// Qiryat, Shmona and Shemona, Tsfat and Zefat, Kfar Sava and Kefar Saba):
// q→k, w→v, b→v, ph→f, tz/ts/z→z, kh/ch→h, ck→k; vowels and y after the
// first letter dropped; doubled letters single. For Latin words in normal
// form; other words are their own key.
std::string romanization_key(std::string_view word);

// The same Hebrew letters up to ones that sound alike (`כרמיעל`, `כרמיאל`),
// with no ו or י left out.
bool same_sound(std::string_view a, std::string_view b);

// Base forms of an English word that may be inflected: `locksmiths` →
// `locksmith`, `batteries` → `battery`, `boxes` → `box`. Empty for other words.
std::vector<std::string> english_stems(std::string_view word);

// Base forms of a Hebrew word that may carry a plural or feminine ending:
// `סתומים` → `סתומ`, `סתומה` → `סתומ`, `מנעולי` → `מנעול`. At least three
// letters stay. Empty for other words. Alias words go through it too, so the
// two meet at the base.
std::vector<std::string> hebrew_stems(std::string_view word);

// Every form of `word` with one letter deleted (for a deletion index).
std::vector<std::string> one_letter_deletions(std::string_view word);

// Optimal string alignment distance ≤ 1: one substitution, insertion,
// deletion, or swap of two neighbouring letters.
bool within_one_edit(std::string_view a, std::string_view b);

// The same distance ≤ max (two for long names: `cleavland`, `cincinatti`).
bool within_edits(std::string_view a, std::string_view b, std::size_t max);

} // namespace callscribe::extraction
