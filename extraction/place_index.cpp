// Loading a place list and deciding which of its names may match a text.
//
// Places that share a name (eight Springfields) form one group: the text
// names the group, and a state said after the name, or else population,
// picks the place.
//
// Which names match freely. A name of two words or more (`New York`, `קריית
// שמונה`, `San Antonio`) does, except a US place of fewer than 1,000 people:
// that is where names that are everyday phrases live (`New Home` TX, in "we
// moved into a new home"). A name of one word is where most false matches come
// from (towns called Home, Good, Commerce, Enterprise; moshavim called שחר,
// ברכה, מתן), so it matches freely only when all of these hold:
//   - its place is a town people name on the phone: at least 50,000 people for
//     a US city (about 500 names), 5,000 for an Israeli locality (about 100);
//   - it is not an everyday word or first name (everyday_words.cpp: Mobile,
//     Reading, Orange; אזור, עומר).
// Other names still match, flagged with the support they need: an everyday
// word that is a big town's name, or a small Israeli locality, needs words
// around that say a place is meant ("I live in Orange", "אני גר בעומר"); a
// small US town needs its state said after it ("Moab, Utah") when its name is
// an English word (thousands are called Home, Hope or Why), and only those
// words around when it is not and 5,000 people live there ("we stopped at a
// gas station in Truckee"). A later part of a hyphenated name (`כרכור`), and
// a one-word name met in a looser spelling or misheard, need the words around
// too. Names under 3 letters never match.
// Transcripts are often all lower case, so capitalisation is not used.
#include "extraction/place_index.hpp"

#include "extraction/context.hpp"
#include "extraction/everyday_words.hpp"
#include "extraction/spelling.hpp"
#include "extraction/us_states.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace callscribe::extraction {
namespace {

constexpr std::uint64_t us_single_word_min_population = 50'000;
constexpr std::uint64_t il_single_word_min_population = 5'000;
constexpr std::uint64_t us_multi_word_min_population = 1'000;
// A one-word US town this big that is no English word may be named with
// words around that say a place ("we stopped at a gas station in Truckee").
constexpr std::uint64_t us_small_town_min_population = 5'000;
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

// `תל אביב-יפו` → `תל אביב`, `Modi'in-Makkabbim-Re'ut` → `Modi'in`.
std::string first_part(const std::string& name) {
  auto hyphen = name.find('-');
  return hyphen == std::string::npos ? name : name.substr(0, hyphen);
}

// Every part of a hyphenated name, trimmed: `תל אביב - יפו` → `תל אביב`, `יפו`.
std::vector<std::string> hyphen_parts(const std::string& name) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= name.size()) {
    auto hyphen = name.find('-', pos);
    auto part = name.substr(pos, hyphen == std::string::npos ? std::string::npos : hyphen - pos);
    auto b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    if (b != std::string::npos)
      out.push_back(part.substr(b, e - b + 1));
    if (hyphen == std::string::npos)
      break;
    pos = hyphen + 1;
  }
  return out;
}

// Lower-case words of an English dictionary (Debian's wamerican), to tell
// a small town's name that is a word (Hope, Why, Love) from one that is not
// (Truckee, Sedona): the second may be named with "I live in" before it.
// Empty when the file is not there; then every small town needs its state.
const std::unordered_set<std::string>& english_words() {
  static const std::unordered_set<std::string> words = [] {
    std::unordered_set<std::string> out;
    for (const char* path : {"/usr/share/dict/american-english", "/usr/share/dict/words"}) {
      std::ifstream in(path);
      std::string w;
      while (std::getline(in, w))
        if (!w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
          out.insert(w);
      if (!out.empty())
        break;
    }
    return out;
  }();
  return words;
}

// Hebrew abbreviations of city names as written with gershayim (`ת"א`), in
// normal form (no gershayim), and the name_he they stand for.
struct abbreviation {
  const char* written;
  const char* name_he;
};
constexpr abbreviation hebrew_abbreviations[] = {
    {"תא", "תל אביב-יפו"}, {"בש", "באר שבע"},     {"רמהש", "רמת השרון"},    {"פת", "פתח תקווה"},
    {"רג", "רמת גן"},      {"קש", "קריית שמונה"}, {"ראשלצ", "ראשון לציון"}, {"בב", "בני ברק"},
    {"כס", "כפר סבא"},     {"קג", "קריית גת"},    {"קא", "קריית אתא"},
};

// English names of Israeli towns that are not romanisations of the Hebrew.
// And nicknames of US cities that callers say.
struct exonym {
  const char* exonym;
  const char* name_en; // as in the list
  bool israeli;
  const char* region; // state or district, as in the list
};
constexpr exonym english_exonyms[] = {
    {"Safed", "Zefat", true, "הצפון"},
    {"Jaffa", "Tel Aviv - Yafo", true, "תל אביב"},
    {"Beersheba", "Be'er Sheva", true, "הדרום"},
    {"Beersheva", "Be'er Sheva", true, "הדרום"},
    {"Philly", "Philadelphia", false, "PA"},
    {"Vegas", "Las Vegas", false, "NV"},
    {"NYC", "New York", false, "NY"},
    {"NOLA", "New Orleans", false, "LA"},
    {"San Fran", "San Francisco", false, "CA"},
    {"OKC", "Oklahoma City", false, "OK"},
    {"Indy", "Indianapolis", false, "IN"},
    {"St Pete", "St. Petersburg", false, "FL"},
    {"KCK", "Kansas City", false, "KS"},
    {"Jax", "Jacksonville", false, "FL"},
};

// What callers call some Israeli towns: the distinctive word of the name
// (`טבעון` for קריית טבעון, `מבשרת` for מבשרת ציון), a part of a joined
// town (`יפו`), or an old name (`נצרת עילית`, renamed נוף הגליל in 2019).
// Short forms that are also words or surnames (ביאליק, זכרון, מלאכי)
// need the words around to ask for a place, like other everyday names.
struct short_form {
  const char* said;
  const char* name_he;
  bool everyday;
};
constexpr short_form hebrew_short_forms[] = {
    {"מבשרת", "מבשרת ציון", false},     {"טבעון", "קריית טבעון", false},  {"יפו", "תל אביב-יפו", false},
    {"נצרת עילית", "נוף הגליל", false}, {"יוקנעם", "יקנעם עילית", false}, {"מזכרת", "מזכרת בתיה", false},
    {"אונו", "קריית אונו", false},      {"עקרון", "קריית עקרון", false},  {"ביאליק", "קריית ביאליק", true},
    {"מוצקין", "קריית מוצקין", true},   {"מלאכי", "קריית מלאכי", true},   {"זכרון", "זכרון יעקב", true},
};

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += (out.empty() ? "" : " ") + w;
  return out;
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
      idx.names_ = phrase_index(phrase_index::options{false, 5, false, idx.layout_ == layout::il, false});
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
  // Each group's members most populous first; its names enter the phrase
  // index once, weighted by that first member.
  std::unordered_map<std::uint32_t, std::vector<std::vector<std::string>>> forms;
  for (const auto& [words, group] : idx.group_by_words_) {
    std::vector<std::string> w;
    for (auto& t : tokenize(words))
      w.push_back(t.text);
    forms[group].push_back(std::move(w));
  }
  for (std::uint32_t g = 0; g < idx.groups_.size(); ++g) {
    auto& members = idx.groups_[g].places;
    std::stable_sort(members.begin(), members.end(), [&](std::uint32_t a, std::uint32_t b) {
      return idx.places_[a].population > idx.places_[b].population;
    });
    for (auto& w : forms[g])
      idx.names_.add_tokens(std::move(w), g, idx.places_[members.front()].population);
  }
  if (idx.layout_ == layout::il) {
    idx.add_abbreviations();
    for (const auto& [words, group] : idx.group_by_words_)
      if (words.find(' ') == std::string::npos && idx.groups_[group].needs == place_match::support::none &&
          letter_count(words) >= 5) {
        idx.whole_words_.emplace(spelling_key(words), group);
        const auto cps = letter_count(words);
        for (std::size_t tail = 1; tail <= 3 && tail + 2 <= cps; ++tail) {
          // Hebrew letters are two bytes: the head is the name less `tail` letters.
          if (words.size() == 2 * cps)
            idx.split_heads_.insert(key_hash(spelling_key(words.substr(0, 2 * (cps - tail)))));
        }
      }
  }
  return idx;
}

std::uint32_t place_index::group_for(const std::vector<std::string>& words) {
  auto [it, fresh] = group_by_words_.try_emplace(joined(words), static_cast<std::uint32_t>(groups_.size()));
  if (fresh)
    groups_.emplace_back();
  return it->second;
}

void place_index::add_names(std::uint32_t id) {
  const auto& p = places_[id];
  for (const auto* name : {&p.name_he, &p.name_en}) {
    if (name->empty())
      continue;
    std::vector<std::string> names{*name, without_brackets(*name)};
    // CBS joins merged towns with a hyphen; callers name one of them:
    // `פרדס חנה-כרכור` is also `כרכור`. US names keep their hyphens:
    // Winston-Salem is not Winston.
    std::vector<std::string> later_parts;
    if (layout_ == layout::il) {
      auto parts = hyphen_parts(without_brackets(*name));
      names.push_back(parts.front());
      later_parts.assign(parts.begin() + 1, parts.end());
    }
    if (name == &p.name_en)
      for (const auto& e : english_exonyms)
        if (p.name_en == e.name_en && (layout_ == layout::il) == e.israeli && p.region == e.region)
          names.push_back(e.exonym);
    // Speech engines join short names: `תלאביב`, `רמתגן`.
    if (layout_ == layout::il && name == &p.name_he && p.population >= il_single_word_min_population) {
      auto base = first_part(without_brackets(*name));
      if (std::count(base.begin(), base.end(), ' ') == 1)
        names.push_back(base.substr(0, base.find(' ')) + base.substr(base.find(' ') + 1));
    }
    if (layout_ == layout::il && name == &p.name_he)
      for (const auto& f : hebrew_short_forms)
        if (p.name_he == f.name_he)
          names.push_back(f.said);
    // `יקנעם עילית` is what callers mean by `יקנעם` (the moshava is small).
    if (layout_ == layout::il)
      for (const char* upper : {" עילית", " Illit"})
        if (auto at = name->rfind(upper); at != std::string::npos && at + std::strlen(upper) == name->size())
          names.push_back(name->substr(0, at));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& n : names)
      add_name(id, n, name == &p.name_en, false);
    // A later part alone (`כרכור`, `יפו`, but also `שלום` of שגב-שלום) needs
    // words around that say a place.
    for (const auto& n : later_parts)
      if (std::find(names.begin(), names.end(), n) == names.end())
        add_name(id, n, name == &p.name_en, true);
  }
}

void place_index::add_name(std::uint32_t id, const std::string& name, bool latin, bool part) {
  const auto& p = places_[id];
  std::vector<std::string> words;
  for (auto& t : tokenize(name))
    words.push_back(std::move(t.text));
  if (words.empty())
    return;
  using support = place_match::support;
  auto needs = support::none;
  if (words.size() > 1 && layout_ == layout::us && p.population < us_multi_word_min_population)
    needs = support::state;
  if (words.size() == 1) {
    if (letter_count(words[0]) < single_word_min_letters)
      return;
    bool everyday_short_form = false;
    for (const auto& f : hebrew_short_forms)
      everyday_short_form = everyday_short_form || (f.everyday && name == f.said);
    if (layout_ == layout::us && p.population < us_single_word_min_population)
      needs = p.population >= us_small_town_min_population && !english_words().empty() &&
                      !english_words().count(words[0])
                  ? support::context
                  : support::state;
    else if (layout_ == layout::il && p.population < il_single_word_min_population)
      needs = support::context;
    else if (is_everyday_word(words[0]) || everyday_short_form)
      needs = support::context;
    // `אזור` is "area": "אני באזור המרכז" says nothing about Azor.
    if (words[0] == "אזור" || words[0] == "azor")
      needs = support::state;
  }
  if (part && needs == support::none)
    needs = support::context;
  std::vector<std::vector<std::string>> forms{words};
  // Census abbreviations as people say them: St. Louis, Ft. Myers, Mt. Vernon.
  // And the other way, as speech engines write them: Ft Worth, St Paul.
  if (layout_ == layout::us && words.size() > 1) {
    static const std::pair<const char*, const char*> spellings[] = {
        {"st", "saint"}, {"ft", "fort"}, {"mt", "mount"}, {"saint", "st"}, {"fort", "ft"}, {"mount", "mt"}};
    for (const auto& [written, said] : spellings)
      if (words[0] == written) {
        forms.push_back(words);
        forms.back()[0] = said;
      }
  }
  // Israeli names in Latin letters come in several romanisations: the CBS's
  // `Qiryat Shemona` is also Kiryat Shmona. Their keys meet (spelling.hpp);
  // a one-word key needs three letters so that `Lod` is not `lady`.
  if (layout_ == layout::il && latin) {
    std::vector<std::string> keys;
    for (const auto& w : words)
      keys.push_back(romanization_key(w));
    if (keys != words && (keys.size() > 1 || letter_count(keys[0]) >= 3))
      forms.push_back(std::move(keys));
  }
  for (const auto& f : forms) {
    auto& g = groups_[group_for(f)];
    if (std::find(g.places.begin(), g.places.end(), id) == g.places.end())
      g.places.push_back(id);
    g.needs = std::min(g.needs, needs);
  }
}

void place_index::add_abbreviations() {
  for (const auto& a : hebrew_abbreviations) {
    auto it = group_by_words_.find(joined([&] {
      std::vector<std::string> w;
      for (auto& t : tokenize(a.name_he))
        w.push_back(t.text);
      return w;
    }()));
    if (it != group_by_words_.end())
      abbreviations_.emplace(a.written, it->second);
  }
}

place_match place_index::match_for(std::size_t first, std::size_t last, std::uint32_t group) const {
  place_match m;
  m.first = first;
  m.last = last;
  for (auto id : groups_[group].places)
    m.candidates.push_back(&places_[id]);
  m.where = m.candidates.front();
  m.needs = groups_[group].needs;
  return m;
}

std::vector<place_match> place_index::find_all(const text_words& words) const {
  const auto& text = words.tokens();
  std::vector<place_match> out;
  std::vector<bool> taken(text.size(), false);
  // Questions about a word are asked once per distinct word, not per word
  // of the call: -1 not yet known.
  const auto distinct = words.distinct();
  std::vector<std::int8_t> long_word(distinct, -1), short_word(distinct, -1), asks_for_place(distinct, -1),
      split_head(distinct, -1);
  auto once = [&](std::vector<std::int8_t>& known, std::size_t i, auto&& question) {
    auto& k = known[words.word_of(i)];
    if (k < 0)
      k = question(i) ? 1 : 0;
    return k == 1;
  };
  auto letters = [&](std::size_t i) { return letter_count(text[i].text); };
  // A one-word name split in two by the speech engine (`לכרמי אל`): it
  // wins over what the halves match alone, unless that is a real name.
  std::vector<place_match> split;
  std::vector<bool> in_split(text.size(), false);
  for (std::size_t i = 0; i + 1 < text.size() && !whole_words_.empty(); ++i) {
    // The engine splits off a short tail (`כרמי אל`, `ראש העין` is two words
    // anyway): only a second word of at most three letters is looked at.
    if (in_split[i] || !text[i].hebrew || !text[i + 1].hebrew ||
        !once(short_word, i + 1, [&](std::size_t k) { return letters(k) <= 3; }) ||
        !once(split_head, i, [&](std::size_t k) {
          const auto& forms = words.forms(words.word_of(k));
          return std::any_of(forms.begin(), forms.end(), [&](const word_form& f) {
            return (f.how == word_form::kind::as_said || f.how == word_form::kind::prefix_split) &&
                   split_heads_.contains(f.hash);
          });
        }))
      continue;
    for (const auto& f : words.forms(words.word_of(i))) {
      using kind = word_form::kind;
      if ((f.how != kind::as_said && f.how != kind::prefix_split) || !split_heads_.contains(f.hash))
        continue; // no name begins so
      const auto& word = f.word;
      const auto& prefix = f.prefix;
      auto it = whole_words_.find(spelling_key(word + text[i + 1].text));
      if (it == whole_words_.end())
        continue;
      auto pm = match_for(i, i + 2, it->second);
      pm.quality = match_quality::spelling;
      pm.prefix = prefix;
      in_split[i] = in_split[i + 1] = true;
      split.push_back(std::move(pm));
      break;
    }
  }
  for (const auto& m : names_.find(words)) {
    bool real =
        !m.loose && m.quality == match_quality::exact && groups_[m.value].needs == place_match::support::none;
    if (!real && std::any_of(in_split.begin() + m.first, in_split.begin() + m.last, [](bool b) { return b; }))
      continue;
    auto pm = match_for(m.first, m.last, m.value);
    pm.quality = m.quality;
    pm.prefix = m.prefix;
    if (m.loose) {
      pm.loose = true;
      if (pm.needs == place_match::support::none)
        pm.needs = place_match::support::context;
    }
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    out.push_back(std::move(pm));
  }
  for (auto& m : split)
    if (!taken[m.first] && !taken[m.first + 1]) {
      taken[m.first] = taken[m.first + 1] = true;
      out.push_back(std::move(m));
    }
  // `ת"א`, `בב"ש`: only where written as an abbreviation, since `תא` is a word.
  for (std::size_t i = 0; i < text.size() && !abbreviations_.empty(); ++i) {
    if (!text[i].acronym || taken[i])
      continue;
    std::vector<std::string> forms{text[i].text};
    for (auto& s : hebrew_prefix_splits(text[i].text))
      forms.push_back(std::move(s));
    for (const auto& f : forms) {
      if (auto it = abbreviations_.find(f); it != abbreviations_.end()) {
        auto pm = match_for(i, i + 1, it->second);
        pm.abbreviation = true;
        pm.prefix = text[i].text.substr(0, text[i].text.size() - f.size());
        out.push_back(std::move(pm));
        break;
      }
    }
  }
  // A one-word name misheard (`sacremento`, `בנתיבוט`) only right after a
  // word that asks for a place; the gazetteer checks that context again.
  // A word taken by a tiny town that needs its state ("scotsdale", MO) may
  // still be a big city misheard ("we're in scotsdale").
  auto tiny_at = [&](std::size_t i) -> place_match* {
    for (auto& m : out)
      if (m.first == i && m.last == i + 1 && m.needs == place_match::support::state)
        return &m;
    return nullptr;
  };
  std::vector<std::optional<std::optional<phrase_index::misheard>>> misheard_as(words.distinct());
  for (std::size_t i = 1; i < text.size(); ++i) {
    // Only right after a word asking for a place ("in", "גר"); the gazetteer
    // asks the same.
    if (!names_.has_script_of(text[i]) ||
        !once(long_word, i, [&](std::size_t k) { return letters(k) >= 5; }) ||
        text[i - 1].line != text[i].line ||
        !once(asks_for_place, i - 1, [&](std::size_t k) { return may_precede_place(text[k]); }))
      continue;
    place_match* tiny = taken[i] && !(layout_ == layout::us && state_at(text, i + 1)) ? tiny_at(i) : nullptr;
    if (taken[i] && !tiny)
      continue;
    // The best name each distinct word may be, looked for once: "to" and
    // "from" come before many words, and the same ones, in a long call.
    auto& slot = misheard_as[words.word_of(i)];
    if (!slot) {
      std::optional<phrase_index::misheard> best;
      // Only towns people name on the phone: a misheard word is more likely
      // another word (`בחניון`, a car park) than a small village (חנתון).
      for (auto& h : names_.misheard_single_words(words.forms(words.word_of(i)))) {
        auto population = places_[groups_[h.value].places.front()].population;
        if (population <
            (layout_ == layout::us ? us_single_word_min_population : il_single_word_min_population))
          continue;
        if (!best || population > places_[groups_[best->value].places.front()].population)
          best = std::move(h);
      }
      slot = std::move(best);
    }
    const std::optional<phrase_index::misheard>& best = *slot;
    if (!best)
      continue;
    auto pm = match_for(i, i + 1, best->value);
    pm.quality = match_quality::fuzzy;
    pm.prefix = best->prefix;
    pm.misheard = true;
    if (pm.needs == place_match::support::none)
      pm.needs = place_match::support::context;
    if (tiny)
      *tiny = std::move(pm); // unless a state is said after it: see below
    else
      out.push_back(std::move(pm));
  }
  std::sort(out.begin(), out.end(),
            [](const place_match& a, const place_match& b) { return a.first < b.first; });
  if (layout_ != layout::us)
    return out;
  // A state right after a name: "Springfield, Illinois", "Portland Oregon".
  // It picks among the places of that name and is part of the match, so the
  // state's own words (Washington, New York) are not a second place.
  std::vector<place_match> kept;
  for (auto& m : out) {
    if (!kept.empty() && m.first < kept.back().last)
      continue; // inside the state words of the match before
    if (auto st = state_at(text, m.last)) {
      std::vector<const place*> in_state;
      for (const auto* p : m.candidates)
        if (p->region == st->code)
          in_state.push_back(p);
      if (!in_state.empty()) {
        m.candidates = std::move(in_state);
        m.where = m.candidates.front();
        m.state_said = true;
        m.last += st->words;
      }
    }
    kept.push_back(std::move(m));
  }
  return kept;
}

} // namespace callscribe::extraction
