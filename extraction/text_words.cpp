#include "extraction/text_words.hpp"

#include "extraction/spelling.hpp"

#include <unordered_map>

namespace callscribe::extraction {
namespace {

std::vector<word_form> with_hashes(std::vector<word_form> forms) {
  for (auto& f : forms)
    f.hash = key_hash(f.key);
  return forms;
}

std::vector<word_form> expand(const token& t) {
  std::vector<word_form> out;
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
    return with_hashes(std::move(out));
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
  return with_hashes(std::move(out));
}

} // namespace

text_words::text_words(std::vector<token> tokens)
    : tokens_(std::make_shared<const std::vector<token>>(std::move(tokens))) {
  word_of_.reserve(tokens_->size());
  auto forms = std::make_shared<std::vector<std::vector<word_form>>>();
  // Views into tokens_, which no longer changes: no string copied per word.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  ids.reserve(tokens_->size() / 2);
  for (const auto& t : *tokens_) {
    auto [it, fresh] = ids.try_emplace(std::string_view(t.text), static_cast<std::uint32_t>(forms->size()));
    if (fresh)
      forms->push_back(expand(t));
    word_of_.push_back(it->second);
  }
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
