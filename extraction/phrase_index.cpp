// Phrase lookup: each word of the text expands into the few forms it may stand
// for, and a depth-first walk over those forms follows only n-gram keys that
// begin some phrase, so the cost grows with the text, not with the list.
#include "extraction/phrase_index.hpp"

#include "extraction/spelling.hpp"

#include <algorithm>
#include <functional>

namespace callscribe::extraction {
namespace {

std::string join_keys(const std::vector<std::string>& words, std::size_t n) {
  std::string key;
  for (std::size_t i = 0; i < n; ++i) {
    if (i)
      key.push_back(' ');
    key += spelling_key(words[i]);
  }
  return key;
}

} // namespace

bool phrase_index::add(std::string_view text, std::uint32_t value, std::uint64_t weight) {
  std::vector<std::string> words;
  for (auto& t : tokenize(text))
    words.push_back(std::move(t.text));
  return add_tokens(std::move(words), value, weight);
}

bool phrase_index::add_tokens(std::vector<std::string> words, std::uint32_t value, std::uint64_t weight) {
  if (words.empty())
    return false;
  auto id = static_cast<std::uint32_t>(phrases_.size());
  by_key_[join_keys(words, words.size())].push_back(id);
  for (std::size_t n = 1; n < words.size(); ++n)
    key_prefixes_.insert(join_keys(words, n));
  for (const auto& w : words) {
    if (letter_count(w) < opts_.fuzzy_min_letters)
      continue;
    auto remember = [&](const std::string& k) {
      auto& v = deletions_[k];
      if (std::find(v.begin(), v.end(), w) == v.end())
        v.push_back(w);
    };
    remember(w);
    for (const auto& d : one_letter_deletions(w))
      remember(d);
  }
  longest_ = std::max(longest_, words.size());
  phrases_.push_back(phrase{std::move(words), value, weight});
  return true;
}

void phrase_index::add_fuzzy_candidates(const std::string& form, std::vector<alternative>& out) const {
  if (letter_count(form) < opts_.fuzzy_min_letters)
    return;
  // A word that is itself a phrase word is not a misspelling of another.
  if (auto it = deletions_.find(form);
      it != deletions_.end() && std::find(it->second.begin(), it->second.end(), form) != it->second.end())
    return;
  auto consider = [&](const std::string& k) {
    auto it = deletions_.find(k);
    if (it == deletions_.end())
      return;
    for (const auto& w : it->second)
      if (w != form && letter_count(w) >= opts_.fuzzy_min_letters && within_one_edit(form, w))
        out.push_back({w, spelling_key(w), match_quality::fuzzy});
  };
  consider(form);
  for (const auto& d : one_letter_deletions(form))
    consider(d);
}

std::vector<phrase_index::alternative> phrase_index::alternatives(const token& t, bool first_word) const {
  std::vector<alternative> out;
  out.push_back({t.text, spelling_key(t.text), match_quality::exact});
  // Prefix letters attach to the first word of a name only: `בקריית שמונה`.
  if (first_word && t.hebrew)
    for (auto& s : hebrew_prefix_splits(t.text))
      out.push_back({s, spelling_key(s), match_quality::exact});
  if (opts_.english_inflections && !t.hebrew)
    for (auto& s : english_stems(t.text))
      out.push_back({s, s, match_quality::exact});
  auto exact_forms = out.size();
  for (std::size_t i = 0; i < exact_forms; ++i) {
    auto form = out[i].word; // a copy: adding candidates may move `out`
    add_fuzzy_candidates(form, out);
  }
  // Keep the best quality of each form.
  std::stable_sort(out.begin(), out.end(),
                   [](const alternative& a, const alternative& b) { return a.quality < b.quality; });
  std::vector<alternative> unique;
  for (auto& a : out)
    if (std::none_of(unique.begin(), unique.end(), [&](const alternative& u) { return u.word == a.word; }))
      unique.push_back(std::move(a));
  return unique;
}

void phrase_index::search(const std::vector<std::vector<alternative>>& alts_first,
                          const std::vector<std::vector<alternative>>& alts_next, std::size_t start,
                          std::vector<phrase_match>& out) const {
  std::vector<const alternative*> chosen;
  std::function<void(std::size_t, const std::string&, bool)> walk =
      [&](std::size_t pos, const std::string& key, bool fuzzy_used) {
        const auto& alts = pos == start ? alts_first[pos] : alts_next[pos];
        for (const auto& alt : alts) {
          bool fuzzy = alt.quality == match_quality::fuzzy;
          if (fuzzy && fuzzy_used)
            continue; // one misheard word per name at most
          std::string k = key.empty() ? alt.key : key + ' ' + alt.key;
          chosen.push_back(&alt);
          if (auto it = by_key_.find(k); it != by_key_.end()) {
            for (auto id : it->second) {
              const auto& p = phrases_[id];
              auto quality = match_quality::exact;
              bool ok = true;
              for (std::size_t i = 0; ok && i < chosen.size(); ++i) {
                const auto& c = *chosen[i];
                if (c.word == p.words[i])
                  quality = std::max(quality, c.quality);
                else if (is_defective_spelling_of(c.word, p.words[i]))
                  quality = std::max({quality, c.quality, match_quality::spelling});
                else
                  ok = false;
              }
              if (ok && quality == match_quality::fuzzy && p.words.size() == 1 && !opts_.fuzzy_single_word)
                ok = false;
              if (ok)
                out.push_back({start, pos + 1, p.value, p.weight, quality});
            }
          }
          if (pos + 1 < alts_next.size() && chosen.size() < longest_ && key_prefixes_.count(k))
            walk(pos + 1, k, fuzzy_used || fuzzy);
          chosen.pop_back();
        }
      };
  walk(start, std::string(), false);
}

std::vector<phrase_match> phrase_index::find(const std::vector<token>& text) const {
  std::vector<phrase_match> all;
  if (phrases_.empty())
    return all;
  std::vector<std::vector<alternative>> alts_first, alts_next;
  alts_first.reserve(text.size());
  alts_next.reserve(text.size());
  for (const auto& t : text) {
    alts_first.push_back(alternatives(t, true));
    alts_next.push_back(t.hebrew ? alternatives(t, false) : alts_first.back());
  }
  for (std::size_t i = 0; i < text.size(); ++i)
    search(alts_first, alts_next, i, all);

  // Longest first, then the better match, then the larger weight (the more
  // populous of two towns with one name), then the earlier.
  std::sort(all.begin(), all.end(), [](const phrase_match& a, const phrase_match& b) {
    auto la = a.last - a.first, lb = b.last - b.first;
    if (la != lb)
      return la > lb;
    if (a.quality != b.quality)
      return a.quality < b.quality;
    if (a.weight != b.weight)
      return a.weight > b.weight;
    return a.first < b.first;
  });
  std::vector<bool> taken(text.size(), false);
  std::vector<phrase_match> kept;
  for (const auto& m : all) {
    if (std::any_of(taken.begin() + m.first, taken.begin() + m.last, [](bool b) { return b; }))
      continue;
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    kept.push_back(m);
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return kept;
}

} // namespace callscribe::extraction
