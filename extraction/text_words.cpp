#include "extraction/text_words.hpp"

#include "extraction/spelling.hpp"

#include <climits>
#include <cstdint>

namespace callscribe::extraction {
namespace {

void with_hashes(std::vector<word_form>& out, std::size_t from) {
  for (auto f = out.begin() + static_cast<std::ptrdiff_t>(from); f != out.end(); ++f) {
    f->hash = key_hash(f->key);
    f->edges = edges_of(f->word);
  }
}

// Appends the forms of `t` to `out`.
void expand(const token& t, std::vector<word_form>& out) {
  const auto from = out.size();
  out.push_back({t.text, spelling_key(t.text), {}, word_form::kind::as_said});
  if (t.hebrew) {
    for (auto& st : hebrew_stems(t.text)) {
      auto key = spelling_key(st);
      out.push_back({std::move(st), std::move(key), {}, word_form::kind::stem});
    }
    for (auto& s : hebrew_prefix_splits(t.text)) {
      auto prefix = t.text.substr(0, t.text.size() - s.size());
      bool article = prefix.size() >= 2 && prefix.compare(prefix.size() - 2, 2, "ה") == 0;
      for (auto& st : hebrew_stems(s)) {
        auto key = spelling_key(st);
        out.push_back({std::move(st), std::move(key), prefix, word_form::kind::prefix_stem, article});
      }
      auto key = spelling_key(s);
      out.push_back(
          {std::move(s), std::move(key), std::move(prefix), word_form::kind::prefix_split, article});
    }
    with_hashes(out, from);
    return;
  }
  if (auto k = romanization_key(t.text); k != t.text)
    out.push_back({k,
                   k,
                   {},
                   word_form::kind::romanized,
                   false,
                   letter_count(t.text) < text_words::romanized_min_letters});
  for (auto& s : english_stems(t.text))
    out.push_back({s, s, {}, word_form::kind::stem});
  with_hashes(out, from);
}

} // namespace

letter_edges edges_of(std::string_view w) {
  letter_edges e;
  const auto* p = reinterpret_cast<const unsigned char*>(w.data());
  for (std::size_t i = 0; i < w.size();) {
    std::uint64_t c = p[i];
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > 1) {
      c &= (0xFF >> (len + 1));
      for (std::size_t k = 1; k < len && i + k < w.size(); ++k)
        c = (c << 6) | (p[i + k] & 0x3F);
    }
    if (e.letters < 2)
      e.first = (e.first << 21) | c;
    e.last = ((e.last << 21) | c) & ((std::uint64_t{1} << 42) - 1);
    ++e.letters;
    i += len;
  }
  return e;
}

text_words::text_words(std::vector<token> tokens)
    : tokens_(std::make_shared<const std::vector<token>>(std::move(tokens))) {
  word_of_.reserve(tokens_->size());
  auto forms = std::make_shared<std::pair<std::vector<std::uint32_t>, std::vector<word_form>>>();
  auto& [starts, all_forms] = *forms;
  all_forms.reserve(tokens_->size() * 2); // Hebrew words have several forms, most words recur
  // Word ids through an open-addressed table of each word's first token
  // (at most half full, linear probing): no node or string per word, and
  // the cheap key_hash, mixed so its low bits index well.
  const auto& all = *tokens_;
  std::size_t slots = 16;
  while (slots < 2 * all.size())
    slots *= 2;
  constexpr std::uint32_t empty = UINT32_MAX;
  std::vector<std::uint32_t> first_token(slots, empty);
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    const auto& text = all[i].text;
    const auto h = key_hash(text);
    std::size_t slot = static_cast<std::size_t>((h ^ (h >> 32)) * 0x9E3779B97F4A7C15ull >> 20) & (slots - 1);
    while (first_token[slot] != empty && all[first_token[slot]].text != text)
      slot = (slot + 1) & (slots - 1);
    if (first_token[slot] == empty) {
      first_token[slot] = i;
      word_of_.push_back(static_cast<std::uint32_t>(starts.size()));
      starts.push_back(static_cast<std::uint32_t>(all_forms.size()));
      expand(all[i], all_forms);
    } else {
      word_of_.push_back(word_of_[first_token[slot]]);
    }
  }
  starts.push_back(static_cast<std::uint32_t>(all_forms.size())); // the end of the last word's
  forms_ = std::move(forms);
}

text_words::text_words(const text_words& from, const std::vector<std::size_t>& keep)
    : tokens_(from.tokens_), forms_(from.forms_) {
  keep_.reserve(keep.size());
  word_of_.reserve(keep.size());
  for (auto i : keep) {
    keep_.push_back(from.keep_.empty() ? i : from.keep_[i]);
    word_of_.push_back(from.word_of(i));
  }
}

} // namespace callscribe::extraction
