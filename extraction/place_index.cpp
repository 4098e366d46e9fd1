// Loading a place list and deciding which of its names may match a text.
//
// Which names may match. A name of two words or more (`New York`, `קריית
// שמונה`, `San Antonio`) may, except a US place of fewer than 1,000 people:
// that is where names that are everyday phrases live (`New Home` TX, in "we
// moved into a new home"). A name of one word is where most false matches come
// from (towns called Home, Good, Commerce, Enterprise; moshavim called שחר,
// ברכה, מתן), so it matches only when all of these hold:
//   - it has at least 3 letters;
//   - its place is a town people name on the phone: at least 50,000 people for
//     a US city (about 500 names), 5,000 for an Israeli locality (about 100);
//   - it is not an everyday word or first name (everyday_words.cpp: Mobile,
//     Reading, Orange; אזור, עומר).
// Transcripts are often all lower case, so capitalisation is not used. The
// price: a caller in a small one-word village (שחר, Home MI) gets no city,
// which is better than a wrong one; a person fills it in on the lead.
#include "extraction/place_index.hpp"

#include "extraction/everyday_words.hpp"
#include "extraction/spelling.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace callscribe::extraction {
namespace {

constexpr std::uint64_t us_single_word_min_population = 50'000;
constexpr std::uint64_t il_single_word_min_population = 5'000;
constexpr std::uint64_t us_multi_word_min_population = 1'000;
constexpr std::size_t single_word_min_letters = 3;

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    auto tab = line.find('\t', pos);
    out.push_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
    if (tab == std::string_view::npos)
      return out;
    pos = tab + 1;
  }
}

bool parse_count(std::string_view s, std::uint64_t& out) {
  if (s.empty())
    return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// `Ashdot Ya'aqov(Ihud)` is also called `Ashdot Ya'aqov`.
std::string without_brackets(const std::string& name) {
  auto open = name.find('(');
  if (open == std::string::npos)
    return name;
  auto close = name.find(')', open);
  std::string out = name.substr(0, open);
  if (close != std::string::npos)
    out += name.substr(close + 1);
  return out;
}

// CBS joins merged towns with a hyphen, and callers name the first:
// `תל אביב-יפו` → `תל אביב`, `Modi'in-Makkabbim-Re'ut` → `Modi'in`.
std::string first_part(const std::string& name) {
  auto hyphen = name.find('-');
  return hyphen == std::string::npos ? name : name.substr(0, hyphen);
}

} // namespace

place_index place_index::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read place list " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  place_index idx;
  std::size_t line_no = 0, pos = 0;
  bool layout_known = false;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.empty())
      continue;
    auto f = split_tabs(line);
    if (!layout_known) {
      if (f.size() == 5)
        idx.layout_ = layout::il;
      else if (f.size() == 3)
        idx.layout_ = layout::us;
      else
        throw std::runtime_error(path + ":" + std::to_string(line_no) +
                                 ": expected 3 columns (name, state, population) or 5 (code, name_he, "
                                 "name_en, population, district)");
      layout_known = true;
    }
    place p;
    std::string_view population;
    if (idx.layout_ == layout::il && f.size() == 5) {
      p.name_he = f[1];
      p.name_en = f[2];
      population = f[3];
      p.region = f[4];
    } else if (idx.layout_ == layout::us && f.size() == 3) {
      p.name_en = f[0];
      p.region = f[1];
      population = f[2];
    } else {
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": wrong number of columns");
    }
    if (!parse_count(population, p.population)) {
      if (line_no == 1)
        continue; // the header
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": population is not a number");
    }
    idx.places_.push_back(std::move(p));
  }
  for (std::uint32_t id = 0; id < idx.places_.size(); ++id)
    idx.add_names(id);
  return idx;
}

void place_index::add_names(std::uint32_t id) {
  const auto& p = places_[id];
  std::vector<std::string> names;
  for (const auto* name : {&p.name_he, &p.name_en}) {
    if (name->empty())
      continue;
    names.push_back(*name);
    names.push_back(without_brackets(*name));
    if (layout_ == layout::il) // US names keep their hyphens: Winston-Salem is not Winston
      names.push_back(first_part(without_brackets(*name)));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& n : names)
    add_name(id, n);
}

void place_index::add_name(std::uint32_t id, const std::string& name) {
  const auto& p = places_[id];
  std::vector<std::string> words;
  for (auto& t : tokenize(name))
    words.push_back(std::move(t.text));
  if (words.empty())
    return;
  if (words.size() > 1 && layout_ == layout::us && p.population < us_multi_word_min_population)
    return;
  if (words.size() == 1) {
    auto min_population =
        layout_ == layout::us ? us_single_word_min_population : il_single_word_min_population;
    if (letter_count(words[0]) < single_word_min_letters || p.population < min_population ||
        is_everyday_word(words[0]))
      return;
  }
  // Census abbreviations as people say them: St. Louis, Ft. Myers, Mt. Vernon.
  if (layout_ == layout::us && words.size() > 1) {
    const char* spoken = words[0] == "st"   ? "saint"
                         : words[0] == "ft" ? "fort"
                         : words[0] == "mt" ? "mount"
                                            : nullptr;
    if (spoken) {
      auto alt = words;
      alt[0] = spoken;
      names_.add_tokens(std::move(alt), id, p.population);
    }
  }
  names_.add_tokens(std::move(words), id, p.population);
}

std::vector<place_match> place_index::find_all(const std::vector<token>& text) const {
  std::vector<place_match> out;
  for (const auto& m : names_.find(text))
    out.push_back({m.first, m.last, &places_[m.value], m.quality});
  return out;
}

} // namespace callscribe::extraction
