// Phrase lookup: each word of the text expands into the few forms it may stand
// for, and a depth-first walk over those forms follows only n-gram keys that
// begin some phrase, so the cost grows with the text, not with the list.
#include "extraction/phrase_index.hpp"

#include "extraction/overlaps.hpp"
#include "extraction/spelling.hpp"

#include <algorithm>
#include <deque>
#include <optional>

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

bool phrase_index::add_tokens(std::vector<std::string> words, std::uint32_t value, std::uint64_t weight) {
  if (words.empty())
    return false;
  auto id = static_cast<std::uint32_t>(phrases_.size());
  const auto whole = key_hash(join_keys(words, words.size()));
  {
    auto& info = keys_[whole];
    if (!(info >> key_flag_bits)) {
      with_key_.emplace_back();
      info |= static_cast<std::uint32_t>(with_key_.size()) << key_flag_bits;
    }
    info |= begins_a_phrase;
    with_key_[(info >> key_flag_bits) - 1].push_back(id);
  }
  for (std::size_t n = 1; n < words.size(); ++n) {
    keys_[key_hash(join_keys(words, n))] |= begins_a_phrase | leads_on;
    keys_[key_hash(spelling_key(words[n]))] |= goes_on_a_phrase;
  }
  for (const auto& w : words) {
    if (letter_count(w) < opts_.fuzzy_min_letters)
      continue;
    auto remember = [&](const std::string& k) {
      auto& slot = deletions_[key_hash(k)];
      if (!slot) {
        deletion_words_.emplace_back();
        slot = static_cast<std::uint32_t>(deletion_words_.size());
      }
      auto& v = deletion_words_[slot - 1];
      if (std::none_of(v.begin(), v.end(), [&](const auto& e) { return e.word == w; })) {
        auto key = spelling_key(w);
        auto h = key_hash(key);
        v.push_back({w, std::move(key), h, letter_count(w)});
      }
    };
    remember(w);
    for (const auto& d : one_letter_deletions(w))
      remember(d);
    const auto [first, last, letters] = edges_of(w);
    const auto bit = std::uint32_t{1} << std::min<std::size_t>(letters, 31);
    edge_letters_[edge_key(false, first)] |= bit;
    edge_letters_[edge_key(true, last)] |= bit;
  }
  longest_ = std::max(longest_, words.size());
  for (const auto& w : words) {
    bool hebrew =
        !w.empty() && static_cast<unsigned char>(w[0]) >= 0xD6 && static_cast<unsigned char>(w[0]) <= 0xD7;
    (hebrew ? has_hebrew_ : has_latin_) = true;
  }
  phrases_.push_back(phrase{std::move(words), value, weight});
  return true;
}

std::uint64_t phrase_index::edge_key(bool last, std::uint64_t pair) {
  return (static_cast<std::uint64_t>(last) << 63) | pair;
}

bool phrase_index::may_be_misheard(std::string_view form) const {
  return may_be_misheard(edges_of(form));
}

bool phrase_index::may_be_misheard(const letter_edges& e) const {
  const auto [first, last, letters] = e;
  const std::size_t reach = letters >= two_edit_min_letters ? 2 : 1;
  std::uint32_t lengths = 0; // letter counts within reach, as in edge_letters_
  for (std::size_t n = letters > reach ? letters - reach : 0; n <= letters + reach; ++n)
    lengths |= std::uint32_t{1} << std::min<std::size_t>(n, 31);
  return (edge_letters_.get(edge_key(false, first)) & lengths) ||
         (edge_letters_.get(edge_key(true, last)) & lengths);
}

void phrase_index::add_fuzzy_candidates(std::string_view form, std::vector<alternative>& out,
                                        bool even_phrase_words) const {
  if (deletion_words_.empty() || letter_count(form) < opts_.fuzzy_min_letters || !may_be_misheard(form))
    return;
  // A word that is itself a phrase word is not a misspelling of another.
  const auto* self = deleted_to(key_hash(form));
  if (!even_phrase_words && self &&
      std::any_of(self->begin(), self->end(), [&](const auto& e) { return e.word == form; }))
    return;
  auto consider = [&](const std::vector<known_word>* words) {
    if (!words)
      return;
    for (const auto& [w, key, hash, letters] : *words)
      // A long name may be misheard twice (`cleavland`); the deletion index
      // finds such pairs when each lost one letter.
      if (w != form && letters >= opts_.fuzzy_min_letters &&
          (within_one_edit(form, w) || (letters >= two_edit_min_letters && within_edits(form, w, 2))))
        out.push_back({w, key, match_quality::fuzzy, {}, hash});
  };
  consider(self);
  // Each one-letter deletion by its hash, the hash of the letters before it
  // carried along: this runs for every distinct long word of a transcript,
  // against every list, and builds no strings.
  std::uint64_t before = key_hash({});
  for (std::size_t i = 0; i < form.size();) {
    std::size_t len = 1;
    while (i + len < form.size() && (static_cast<unsigned char>(form[i + len]) & 0xC0) == 0x80)
      ++len;
    consider(deleted_to(key_hash_more(before, form.substr(i + len))));
    before = key_hash_more(before, form.substr(i, len));
    i += len;
  }
}

bool phrase_index::uses(const word_form& f) const {
  using kind = word_form::kind;
  switch (f.how) {
  case kind::as_said:
    return true;
  case kind::prefix_split:
    return !f.article || opts_.definite_article;
  case kind::prefix_stem:
    return opts_.english_inflections && (!f.article || opts_.definite_article);
  case kind::stem:
    return opts_.english_inflections;
  case kind::romanized:
    return opts_.romanized;
  }
  return false;
}

std::vector<phrase_index::alternative> phrase_index::exact_forms(form_range forms, bool first_word) const {
  std::vector<alternative> out;
  for (const auto& f : forms) {
    using kind = word_form::kind;
    // Prefix letters attach to the first word of a name only (`בקריית
    // שמונה`), except the article on a later word of a service: `לוח החשמל`.
    if (f.how == kind::prefix_split || f.how == kind::prefix_stem) {
      if (f.article && !opts_.definite_article)
        continue;
      if (!first_word && !(opts_.definite_article && f.prefix == "ה"))
        continue;
    }
    if ((f.how == kind::stem || f.how == kind::prefix_stem) && !opts_.english_inflections)
      continue;
    if (f.how == kind::romanized && !opts_.romanized)
      continue;
    auto quality = f.how == kind::romanized ? match_quality::spelling : match_quality::exact;
    out.push_back({f.word, f.key, quality, f.prefix, f.hash, false, f.short_word, f.how == kind::romanized});
  }
  return unique_forms(std::move(out));
}

std::vector<phrase_index::alternative> phrase_index::fuzzy_forms(const std::vector<alternative>& exact,
                                                                 bool even_phrase_words) const {
  std::vector<alternative> out;
  for (const auto& e : exact) {
    if (e.quality != match_quality::exact)
      continue;
    auto before = out.size();
    add_fuzzy_candidates(e.word, out, even_phrase_words);
    for (auto j = before; j < out.size(); ++j)
      out[j].prefix = e.prefix;
  }
  // A form already there exactly is no misspelling.
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const alternative& f) {
                             return std::any_of(exact.begin(), exact.end(),
                                                [&](const alternative& e) { return e.word == f.word; });
                           }),
            out.end());
  return unique_forms(std::move(out));
}

std::vector<phrase_index::alternative> phrase_index::unique_forms(std::vector<alternative> out) const {
  // Keep the best quality of each form, in place: a word has a dozen forms
  // at most.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& a = out[i];
    std::size_t j = 0;
    while (j < kept && out[j].word != a.word)
      ++j;
    if (j < kept) {
      if (a.quality < out[j].quality)
        out[j] = a;
      continue;
    }
    out[kept++] = a;
  }
  out.resize(kept);
  for (auto& a : out) {
    const auto info = keys_.get(a.hash);
    a.begins = info & begins_a_phrase;
    a.goes_on = info & goes_on_a_phrase;
  }
  // Better forms first, keeping their order: an insertion sort, since a
  // word has a dozen forms at most and std::stable_sort would allocate.
  for (std::size_t i = 1; i < out.size(); ++i)
    for (std::size_t j = i; j > 0 && out[j].quality < out[j - 1].quality; --j)
      std::swap(out[j], out[j - 1]);
  return out;
}

// The forms of one distinct word, the misspellings computed only when a walk
// needs them: most words of a transcript begin nothing, and looking up every
// one-letter deletion of every word in every list was most of the cost.
struct phrase_index::expansion {
  std::vector<alternative> first, next; // exact forms as a name's first word, and later
  std::optional<std::vector<alternative>> first_fuzzy, next_fuzzy;
  bool later_word = false; // an exact form is a non-first word of some name
};

// One walk from a start word: the forms chosen so far and where matches go.
struct phrase_index::walk_state {
  std::vector<expansion*>& words;
  std::size_t start;
  std::vector<phrase_match>& out;
  std::vector<const alternative*> chosen;
};

void phrase_index::search(walk_state& w, std::size_t start) const {
  w.start = start;
  w.chosen.clear();
  walk(w, start, 0, false);
}

void phrase_index::visit(walk_state& w, std::size_t pos, std::uint64_t key, bool fuzzy_used,
                         const alternative& alt) const {
  if (pos == w.start ? !alt.begins : !alt.goes_on)
    return; // most words begin nothing, and most go on nothing
  bool fuzzy = alt.quality == match_quality::fuzzy;
  const std::uint64_t k = pos == w.start ? alt.hash : key_hash_more(key_hash_more(key, " "), alt.key);
  w.chosen.push_back(&alt);
  const auto info = keys_.get(k);
  if (const auto* ids = phrases_with(info)) {
    for (auto id : *ids) {
      const auto& p = phrases_[id];
      if (p.words.size() != w.chosen.size())
        continue; // a hash collision
      auto quality = match_quality::exact;
      bool ok = true;
      for (std::size_t i = 0; ok && i < w.chosen.size(); ++i) {
        const auto& c = *w.chosen[i];
        if (c.word == p.words[i])
          quality = std::max(quality, c.quality);
        else if (is_defective_spelling_of(c.word, p.words[i]))
          quality = std::max({quality, c.quality, match_quality::spelling});
        else
          ok = false;
      }
      if (ok && p.words.size() == 1 && quality == match_quality::fuzzy && !opts_.fuzzy_single_word)
        ok = false;
      if (ok && p.words.size() == 1 && w.chosen.front()->short_romanized)
        ok = false; // `work` is not Barqay: a short word needs the rest of a name
      // One word in another spelling is loose unless it is a long name with
      // only ו or י left out (`הרצליה`): `בכלל` is not כליל, `באמצע` not
      // אמציה, though their letters meet by sound.
      bool loose = false;
      if (ok && p.words.size() == 1 && quality == match_quality::spelling) {
        const auto& c = *w.chosen.front();
        bool one_kind = is_defective_spelling_of(c.word, p.words[0], false) || same_sound(c.word, p.words[0]);
        loose = c.romanized || letter_count(p.words[0]) < 5;
        // Letters left out and others sounding alike, in one word: too far.
        if (!c.romanized && !one_kind && letter_count(p.words[0]) >= 5)
          ok = false;
      }
      if (ok)
        w.out.push_back(
            {w.start, pos + 1, p.value, p.weight, quality, std::string(w.chosen.front()->prefix), loose});
    }
  }
  if (pos + 1 < w.words.size() && w.words[pos + 1] && w.chosen.size() < longest_ && (info & leads_on))
    walk(w, pos + 1, k, fuzzy_used || fuzzy);
  w.chosen.pop_back();
}

void phrase_index::walk(walk_state& w, std::size_t pos, std::uint64_t key, bool fuzzy_used) const {
  auto& e = *w.words[pos];
  for (const auto& alt : pos == w.start ? e.first : e.next)
    visit(w, pos, key, fuzzy_used, alt);
  if (fuzzy_used || deletion_words_.empty())
    return; // one misheard word per name at most
  // A misheard first word needs a next word that goes on some name, unless
  // single words may be misheard too; a later word is reached only after
  // a matching start, so it is rare and may always try.
  bool try_fuzzy = pos != w.start || opts_.fuzzy_single_word ||
                   (pos + 1 < w.words.size() && w.words[pos + 1] && w.words[pos + 1]->later_word);
  if (!try_fuzzy)
    return;
  auto& slot = pos == w.start ? e.first_fuzzy : e.next_fuzzy;
  if (!slot)
    slot = fuzzy_forms(pos == w.start ? e.first : e.next);
  for (const auto& alt : *slot)
    visit(w, pos, key, fuzzy_used, alt);
}

std::vector<phrase_index::misheard> phrase_index::misheard_single_words(form_range forms) const {
  std::vector<misheard> out;
  std::vector<alternative> exact;
  for (const auto& f : forms)
    if (f.how == word_form::kind::as_said || (f.how == word_form::kind::prefix_split && !f.article))
      exact.push_back({f.word, f.key, match_quality::exact, f.prefix, f.hash});
  for (const auto& alt : fuzzy_forms(exact, true)) {
    const auto* ids = phrases_with(keys_.get(alt.hash));
    if (!ids)
      continue;
    for (auto id : *ids)
      if (phrases_[id].words.size() == 1 && phrases_[id].words[0] == alt.word &&
          std::none_of(out.begin(), out.end(),
                       [&](const misheard& m) { return m.value == phrases_[id].value; }))
        out.push_back({phrases_[id].value, std::string(alt.prefix)});
  }
  return out;
}

std::vector<phrase_match> phrase_index::find(const text_words& text) const {
  std::vector<phrase_match> all;
  if (phrases_.empty())
    return all;
  // A transcript says the same words many times; expand each word once.
  // Most words neither begin nor go on any name here: first, cheaply, which
  // words may matter at all.
  enum : std::uint8_t { begins = 1, goes_on = 2, misheard = 4 };
  std::vector<std::uint8_t> kind_of(text.distinct(), 0);
  std::vector<std::uint8_t> known(text.distinct(), 0); // bytes rather than bits: faster to read
  std::vector<std::uint8_t> at(text.size(), 0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto& t = text.token_at(i);
    if (t.hebrew ? !has_hebrew_ : !has_latin_)
      continue; // no phrase starts or goes on here
    auto id = text.word_of(i);
    if (!known[id]) {
      known[id] = true;
      for (const auto& f : text.forms(id)) {
        if (!uses(f))
          continue; // a form this index never matches (a stem, for a place list)
        const auto info = keys_.get(f.hash);
        kind_of[id] |= (info & begins_a_phrase) ? begins : 0;
        kind_of[id] |= (info & goes_on_a_phrase) ? goes_on : 0;
        if (!deletion_words_.empty() && f.edges.letters >= opts_.fuzzy_min_letters &&
            may_be_misheard(f.edges))
          kind_of[id] |= misheard;
      }
    }
    at[i] = kind_of[id];
  }
  // A misheard word matters alone only where single words may be misheard;
  // else after a word that begins or goes on a name (`san luis obisbo`), or
  // before one that goes on one.
  std::vector<std::uint8_t> live(text.size(), 0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool exact = at[i] & (begins | goes_on);
    bool heard =
        (at[i] & misheard) && (opts_.fuzzy_single_word || (i > 0 && (at[i - 1] & (begins | goes_on))) ||
                               (i + 1 < text.size() && (at[i + 1] & goes_on)));
    live[i] = exact || heard;
  }
  // Expansions of the live words only (a deque: they stay where they are);
  // most distinct words are not live.
  std::deque<expansion> seen;
  std::vector<expansion*> of_word(text.distinct(), nullptr);
  std::vector<expansion*> words(text.size(), nullptr);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!live[i])
      continue;
    const auto& t = text.token_at(i);
    auto id = text.word_of(i);
    if (!of_word[id]) {
      auto& e = *(of_word[id] = &seen.emplace_back());
      e.first = exact_forms(text.forms(id), true);
      // A later word of a name takes no prefix letters (but the article,
      // where allowed): the forms that came without them. exact_forms keeps
      // the form without prefix where two are the same word, since those
      // come first.
      if (t.hebrew) {
        e.next.reserve(e.first.size());
        for (const auto& a : e.first)
          if (a.prefix.empty() || (opts_.definite_article && a.prefix == "ה"))
            e.next.push_back(a);
      } else {
        e.next = e.first;
      }
      e.later_word =
          std::any_of(e.next.begin(), e.next.end(), [](const alternative& a) { return a.goes_on; });
    }
    words[i] = of_word[id];
  }
  walk_state w{words, 0, all, {}};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (words[i])
      search(w, i);

  // Longest first, then the better match, then the larger weight (the more
  // populous of two towns with one name), then the earlier.
  // Their indexes are sorted, not the matches, which hold a string each.
  std::vector<std::uint32_t> order(all.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const auto &a = all[x], &b = all[y];
    auto la = a.last - a.first, lb = b.last - b.first;
    if (la != lb)
      return la > lb;
    if (a.quality != b.quality)
      return a.quality < b.quality;
    if (a.weight != b.weight)
      return a.weight > b.weight;
    return a.first < b.first;
  });
  return without_overlaps(std::move(all), order, text.size());
}

} // namespace callscribe::extraction
