// The fifty states and DC, by name and by code.
#include "extraction/us_states.hpp"

#include <array>
#include <string_view>

namespace callscribe::extraction {
namespace {

struct state {
  std::string_view code, name; // name in normal form: lower case
};

constexpr std::array<state, 51> states{{
    {"AL", "alabama"},        {"AK", "alaska"},         {"AZ", "arizona"},
    {"AR", "arkansas"},       {"CA", "california"},     {"CO", "colorado"},
    {"CT", "connecticut"},    {"DE", "delaware"},       {"DC", "district of columbia"},
    {"FL", "florida"},        {"GA", "georgia"},        {"HI", "hawaii"},
    {"ID", "idaho"},          {"IL", "illinois"},       {"IN", "indiana"},
    {"IA", "iowa"},           {"KS", "kansas"},         {"KY", "kentucky"},
    {"LA", "louisiana"},      {"ME", "maine"},          {"MD", "maryland"},
    {"MA", "massachusetts"},  {"MI", "michigan"},       {"MN", "minnesota"},
    {"MS", "mississippi"},    {"MO", "missouri"},       {"MT", "montana"},
    {"NE", "nebraska"},       {"NV", "nevada"},         {"NH", "new hampshire"},
    {"NJ", "new jersey"},     {"NM", "new mexico"},     {"NY", "new york"},
    {"NC", "north carolina"}, {"ND", "north dakota"},   {"OH", "ohio"},
    {"OK", "oklahoma"},       {"OR", "oregon"},         {"PA", "pennsylvania"},
    {"RI", "rhode island"},   {"SC", "south carolina"}, {"SD", "south dakota"},
    {"TN", "tennessee"},      {"TX", "texas"},          {"UT", "utah"},
    {"VT", "vermont"},        {"VA", "virginia"},       {"WA", "washington"},
    {"WV", "west virginia"},  {"WI", "wisconsin"},      {"WY", "wyoming"},
}};

// Codes that are also words a caller says right after a city name
// ("Springfield or Decatur", "Portland me and my wife"), or that speech
// engines write for a spoken word; these count only as full names.
constexpr std::array<std::string_view, 12> word_codes{"in", "or", "me", "oh", "hi", "ok",
                                                      "pa", "de", "co", "al", "ma", "id"};

bool is_word_code(std::string_view code) {
  for (auto w : word_codes)
    if (w == code)
      return true;
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  return out;
}

} // namespace

std::optional<state_mention> state_at(const std::vector<token>& tokens, std::size_t pos) {
  if (pos >= tokens.size() || tokens[pos].hebrew)
    return std::nullopt;
  std::optional<state_mention> best;
  for (const auto& s : states) {
    // Match the name word by word.
    std::size_t n = 0, at = 0;
    bool ok = true;
    while (ok && at < s.name.size()) {
      auto space = s.name.find(' ', at);
      auto word = s.name.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at);
      ok = pos + n < tokens.size() && tokens[pos + n].text == word;
      ++n;
      at = space == std::string_view::npos ? s.name.size() : space + 1;
    }
    if (ok && (!best || n > best->words)) // "west virginia" over "virginia"
      best = state_mention{std::string(s.code), n};
  }
  if (best)
    return best;
  const auto& w = tokens[pos].text;
  if (w.size() == 2 && !is_word_code(w))
    for (const auto& s : states)
      if (upper(w) == s.code)
        return state_mention{std::string(s.code), 1};
  return std::nullopt;
}

} // namespace callscribe::extraction
