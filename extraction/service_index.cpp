#include "extraction/service_index.hpp"

#include "extraction/context.hpp"
#include "extraction/overlaps.hpp"
#include "extraction/spelling.hpp"

#include <algorithm>

namespace callscribe::extraction {
namespace {

std::string joined_without_spaces(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += w;
  return out;
}

} // namespace

service_index::service_index(const catalogue& c) {
  auto add = [&](const std::string& phrase, std::uint32_t service) {
    std::vector<std::string> all, content;
    for (auto& t : tokenize(phrase)) {
      if (!is_filler(t.text))
        content.push_back(t.text);
      all.push_back(std::move(t.text));
    }
    auto& words = content.empty() ? all : content;
    if (words.empty())
      return;
    phrases_.add_tokens(words, service);
    // The base forms of Hebrew words meet a text's base forms: `סתומה` and
    // `סתומים` both have `סתומ`.
    auto based = words;
    bool changed = false;
    for (auto& w : based)
      if (auto stems = hebrew_stems(w); !stems.empty()) {
        w = stems.front();
        changed = true;
      }
    if (changed)
      phrases_.add_tokens(based, service);
    if (words.size() > 1 || letter_count(words[0]) >= 6) {
      auto joined = joined_without_spaces(words);
      longest_compact_ = std::max(longest_compact_, joined.size());
      for (std::size_t n = 1; n < joined.size(); ++n)
        compact_keys_[key_hash(std::string_view(joined).substr(0, n))] |= 1;
      auto& info = compact_keys_[key_hash(joined)];
      if (info >> 1 == 0) { // the first alias to join so: it keeps the string
        compact_.push_back({std::move(joined), service});
        info |= static_cast<std::uint32_t>(compact_.size()) << 1;
      }
    }
    alias a{{}, service};
    for (const auto& w : words) {
      auto it = std::find(word_list_.begin(), word_list_.end(), w);
      if (it == word_list_.end()) {
        single_words_.add_tokens({w}, static_cast<std::uint32_t>(word_list_.size()));
        it = word_list_.insert(word_list_.end(), w);
      }
      a.words.push_back(static_cast<std::uint32_t>(it - word_list_.begin()));
    }
    if (words.size() > 1)
      aliases_.push_back(std::move(a));
  };
  for (std::uint32_t i = 0; i < c.services.size(); ++i) {
    add(c.services[i].name, i);
    for (const auto& a : c.services[i].aliases)
      add(a, i);
  }
}

std::vector<service_match> service_index::find(const text_words& text) const {
  // Fillers out, positions kept.
  std::vector<std::size_t> at;
  at.reserve(text.size());
  std::vector<std::int8_t> filler(text.distinct(), -1); // per distinct word; -1 not yet asked
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto& f = filler[text.word_of(i)];
    if (f < 0)
      f = is_filler(text.token_at(i).text) ? 1 : 0;
    if (!f)
      at.push_back(i);
  }
  const text_words words(text, at);
  auto word = [&](std::size_t i) -> const std::string& { return words.token_at(i).text; };
  std::vector<service_match> all;
  for (const auto& m : phrases_.find(words))
    all.push_back({at[m.first], at[m.last - 1] + 1, m.value, m.quality, m.prefix});

  // Joined or split: "lock out" for "lockout", "carlockout".
  // What a word alone is, asked once per distinct word: nearly every
  // joining stops there. UINT32_MAX: not yet asked.
  std::vector<std::uint32_t> alone(compact_.empty() ? 0 : text.distinct(), UINT32_MAX);
  for (std::size_t i = 0; i < words.size() && !compact_.empty(); ++i) {
    auto& first = alone[words.word_of(i)];
    if (first == UINT32_MAX)
      first = word(i).size() > longest_compact_ ? 0 : compact_keys_.get(key_hash(word(i)));
    if (!first)
      continue;
    std::uint64_t hash = key_hash(word(i));
    std::size_t length = word(i).size();
    for (std::size_t n = 0; n < 4 && i + n < words.size(); ++n) {
      if (n > 0) {
        hash = key_hash_more(hash, word(i + n));
        length += word(i + n).size();
        if (length > longest_compact_)
          break;
      }
      const auto info = n == 0 ? first : compact_keys_.get(hash);
      if (const auto index = info >> 1) {
        const auto& c = compact_[index - 1];
        std::string joined;
        for (std::size_t k = 0; k <= n; ++k)
          joined += word(i + k);
        if (joined == c.joined)
          all.push_back({at[i], at[i + n] + 1, c.service, match_quality::exact, {}});
      }
      if (!(info & 1))
        break;
    }
  }

  // Gapped: each alias word in order, at most max_gap words between two and
  // max_gaps in all. Matched as `spelling`: less sure than the phrase said.
  if (!aliases_.empty()) {
    // The alias words heard at each token (word_list_ ids, few), and where
    // each was heard: an alias is tried only where its first word was.
    std::vector<std::pair<std::size_t, std::uint32_t>> word_at; // (token, word), in text order
    std::vector<std::vector<std::size_t>> heard_at(word_list_.size());
    for (const auto& m : single_words_.find(words))
      if (m.last - m.first == 1) {
        word_at.emplace_back(m.first, m.value);
        heard_at[m.value].push_back(m.first);
      }
    auto heard = [&](std::size_t pos, std::uint32_t w) {
      return std::binary_search(word_at.begin(), word_at.end(), std::make_pair(pos, w));
    };
    for (const auto& a : aliases_) {
      for (std::size_t i : heard_at[a.words[0]]) {
        std::size_t pos = i, gaps = 0;
        bool ok = true;
        for (std::size_t k = 1; ok && k < a.words.size(); ++k) {
          std::size_t next = pos + 1;
          while (next < words.size() && next - pos - 1 <= max_gap && !heard(next, a.words[k]))
            ++next;
          if (next >= words.size() || next - pos - 1 > max_gap) {
            ok = false;
            break;
          }
          gaps += next - pos - 1;
          pos = next;
        }
        if (ok && gaps > 0 && gaps <= max_gaps)
          all.push_back({at[i], at[pos] + 1, a.service, match_quality::spelling, {}, true});
      }
    }
  }

  // Longest first (in the words of the text), then the better heard.
  std::sort(all.begin(), all.end(), [](const service_match& a, const service_match& b) {
    if (a.last - a.first != b.last - b.first)
      return a.last - a.first > b.last - b.first;
    if (a.quality != b.quality)
      return a.quality < b.quality;
    return a.first < b.first;
  });
  return without_overlaps(all, text.size());
}

} // namespace callscribe::extraction
