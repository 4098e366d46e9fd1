// The gazetteer extractor: services from the business's catalogue and a city
// from its place lists, combined into one answer with a confidence.
//
// What is found. Every mention of a service (name or alias) and of a place is
// matched (Hebrew prefixes and endings, spellings, transcription errors:
// text_words.hpp, phrase_index.hpp, service_index.hpp, place_index.hpp),
// then the words around it decide what it means (context.hpp): a denied
// mention ("not Haifa", "לא צריך מנעולן") and a street named after a city
// ("רחוב חיפה", "Denver Street") are dropped; a name that is also an everyday
// word is kept only where the words say a place is meant. What the caller
// said beats what the business said: for each field, the business's channel
// is heard only when the caller named nothing. Of several values left, the
// one the words mark as the job's (a correction, "but the job is in…") wins,
// then (for services) the one said in more words, then the most often said,
// then the likelier (better heard × people living there), then the first.
//
// What the confidence means: roughly the chance that the fields written to the
// lead are right (README: the calibration table on the evaluation set).
//   - Each part found gets a quality: 1.0 for the name or an alias as written
//     (also with Hebrew prefix letters, final letters, niqqud, an English
//     plural, a known abbreviation); 0.9 for another spelling (defective
//     `קרית` for `קריית`, letters that sound alike, another romanisation, a
//     name split in two, a service's words said apart); 0.75 for a
//     transcription error (one edit, two in a long name).
//   - It is lowered when we had to choose: rivals (two different services or
//     cities affirmed in one call), more when nothing in the words told them
//     apart; a city name shared by several places with no state said, by the
//     share of people who live in the one picked; a value heard only from the
//     business; a place name that needed the words around it (also a word,
//     a small place, a part of a name, a misheard or loosely spelled one).
//   - Both service and city found: 0.95 × service part × city part, so a clean
//     match of both is 0.95. Only one of them: 0.8 × its part (the other
//     was often not said at all: on the evaluation sets such answers were
//     right about 85–95% of the time). Nothing: 0, and both fields empty.
// The result is rounded to two decimals so that log lines and stored values
// agree. A later recording of the same call replaces the fields only with an
// answer at least as confident, so these numbers order answers, too.
#include "extraction/gazetteer.hpp"

#include "extraction/context.hpp"
#include "extraction/normalize.hpp"
#include "extraction/place_index.hpp"
#include "extraction/service_index.hpp"
#include "extraction/spelling.hpp"
#include "extraction/text_words.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace callscribe::extraction {
namespace {

constexpr double both_found = 0.95;
constexpr double one_found = 0.8;
constexpr double spelling_quality = 0.9;
constexpr double fuzzy_quality = 0.75;
constexpr double rivals_told_apart = 0.9; // the words marked the winner
constexpr double rivals_guessed = 0.75;   // they did not
constexpr double business_only = 0.85;
constexpr double everyday_name = 0.9;
// A shared name without a state: 0.6 + 0.4 × the picked place's share of
// the people living in places of that name (Portland, OR: 0.95; Springfield,
// MO: 0.71).
constexpr double ambiguity_floor = 0.6;
// Boston, MA has 98% of the people in places called Boston: no discount.
constexpr double clear_majority = 0.9;
// A city this big that is also a word or a name needs only "in" before it.
constexpr std::uint64_t big_city = 100'000;
constexpr std::uint64_t town = 5'000;

double quality_factor(match_quality q) {
  switch (q) {
  case match_quality::exact:
    return 1.0;
  case match_quality::spelling:
    return spelling_quality;
  case match_quality::fuzzy:
    return fuzzy_quality;
  }
  return 0;
}

const char* match_name(match_quality q) {
  switch (q) {
  case match_quality::exact:
    return "exact";
  case match_quality::spelling:
    return "spelling";
  case match_quality::fuzzy:
    return "fuzzy";
  }
  return "exact";
}

bool is_hebrew_language(const std::string& language) {
  return language.rfind("he", 0) == 0 || language.rfind("iw", 0) == 0;
}

enum class channel { unlabelled, caller, business };

const char* channel_name(channel c) {
  switch (c) {
  case channel::caller:
    return "caller";
  case channel::business:
    return "business";
  default:
    return "";
  }
}

// The tokens of a transcript without the "Caller:"/"Business:" labels of a
// two-channel one, and which channel each token came from.
struct labelled_tokens {
  std::vector<token> tokens;
  std::vector<channel> channels;
};

labelled_tokens label(const std::string& transcript) {
  labelled_tokens out;
  out.tokens.reserve(transcript.size() / 6 + 1); // about a word per six bytes
  // Line by line, each after its label: the tokens are made where they are
  // kept, with no label to take out afterwards. A line without a label goes
  // on the channel of the one before (an engine's text may hold a new line).
  channel c = channel::unlabelled;
  std::uint32_t line_number = 0;
  for (std::size_t line = 0; line <= transcript.size();) {
    auto next_line = transcript.find('\n', line);
    if (next_line == std::string::npos)
      next_line = transcript.size();
    std::size_t label_length = 0;
    if (transcript.compare(line, 7, "Caller:") == 0) {
      c = channel::caller;
      label_length = 7;
    } else if (transcript.compare(line, 9, "Business:") == 0) {
      c = channel::business;
      label_length = 9;
    }
    const auto text_start = line + label_length;
    const auto first_new = out.tokens.size();
    tokenize_into(std::string_view(transcript).substr(text_start, next_line - text_start), text_start,
                  out.tokens);
    for (auto i = first_new; i < out.tokens.size(); ++i)
      out.tokens[i].line = line_number;
    ++line_number;
    out.channels.resize(out.tokens.size(), c);
    line = next_line + 1;
  }
  return out;
}

// One mention of a value: where the text said it and how well it matched.
struct finding {
  std::string value;
  match_span span;
  match_quality quality = match_quality::exact;
  channel from = channel::unlabelled;
  std::string how; // evidence `match`
  std::string note;
  double factor = 1.0; // ambiguity and everyday-word discounts
  int salience = 0;
  double weight = 0; // a place's population: a city over a neighbourhood of the same call

  finding(std::string v, match_span s, match_quality q, channel c, std::string h)
      : value(std::move(v)), span(std::move(s)), quality(q), from(c), how(std::move(h)) {}
};

struct choice {
  finding best;
  bool rivals = false;
  bool told_apart = false; // the winner's salience beat every rival's
  bool business_only = false;
};

// Of the values found, the one the words mark as the job's, then (for
// services) the more specific, in more words: "locked my keys in the car"
// over "locksmith"; then
// the most often said, then the likelier (the better heard and, for places,
// the more populous: a city over a neighbourhood called like a small town),
// then the first said. A value the caller denied ("not Haifa") is out, even
// if said again ("the system says Ashkelon").
std::optional<choice> choose(const std::vector<finding>& all, const std::set<std::string>& denied,
                             bool prefer_specific) {
  // A denied value stays out unless said again as a correction ("לא לא,
  // לוד, אמרתי לוד").
  std::map<std::string, int> best_salience;
  for (const auto& f : all) {
    auto [it, fresh] = best_salience.try_emplace(f.value, f.salience);
    it->second = std::max(it->second, f.salience);
  }
  // The caller's words decide: with two channels, what the business said
  // ("we also cover Haifa", "this is a locksmith, wrong number") counts for
  // a field only when the caller named nothing for it (a caller who only
  // answers "yes" to what the business read back), and not where the
  // business spoke of where it works.
  bool caller_said = std::any_of(all.begin(), all.end(), [&](const finding& f) {
    return f.from != channel::business && (!denied.count(f.value) || best_salience[f.value] >= 2);
  });
  std::vector<const finding*> found;
  for (const auto& f : all)
    if ((!denied.count(f.value) || best_salience[f.value] >= 2) &&
        (f.from != channel::business || (!caller_said && f.salience >= 0)))
      found.push_back(&f);
  if (found.empty())
    return std::nullopt;
  struct group {
    const finding* best;
    int salience;
    std::size_t words;
    std::size_t count;
  };
  auto likelihood = [](const finding* f) {
    double q = quality_factor(f->quality);
    return q * q * std::max(f->weight, 1.0);
  };
  std::map<std::string, group> groups;
  for (const auto* f : found) {
    auto [it, fresh] = groups.try_emplace(f->value, group{f, f->salience, 0, 0});
    auto& g = it->second;
    ++g.count;
    g.salience = std::max(g.salience, f->salience);
    g.words = std::max(g.words, f->span.last - f->span.first);
    if (f->quality < g.best->quality)
      g.best = f;
  }
  auto better = [&](const group& a, const group& b) {
    if (a.salience != b.salience)
      return a.salience > b.salience;
    if (prefer_specific && a.words != b.words)
      return a.words > b.words;
    if (a.count != b.count)
      return a.count > b.count;
    if (likelihood(a.best) != likelihood(b.best))
      return likelihood(a.best) > likelihood(b.best);
    return a.best->span.first < b.best->span.first;
  };
  const group* winner = nullptr;
  for (const auto& [value, g] : groups)
    if (!winner || better(g, *winner))
      winner = &g;
  choice c{*winner->best, groups.size() > 1, true, winner->best->from == channel::business};
  for (const auto& [value, g] : groups)
    if (&g != winner && g.salience >= winner->salience)
      c.told_apart = false;
  return c;
}

double part_score(const choice& ch) {
  double s = quality_factor(ch.best.quality) * ch.best.factor;
  if (ch.rivals)
    s *= ch.told_apart ? rivals_told_apart : rivals_guessed;
  if (ch.business_only)
    s *= business_only;
  return s;
}

evidence evidence_for(const char* field, const std::string& transcript, const std::vector<token>& tokens,
                      const finding& f) {
  evidence e;
  e.field = field;
  e.begin = tokens[f.span.first].begin;
  e.end = tokens[f.span.last - 1].end;
  e.text = transcript.substr(e.begin, e.end - e.begin);
  e.channel = channel_name(f.from);
  e.match = f.how;
  e.note = f.note;
  return e;
}

std::string city_value(const place& p, place_index::layout layout, bool hebrew) {
  if (hebrew && !p.name_he.empty())
    return p.name_he;
  if (layout == place_index::layout::us && !p.region.empty())
    return p.name_en + ", " + p.region; // "Springfield, IL": the owner must know which
  return p.name_en;
}

} // namespace

struct gazetteer::impl {
  std::string places_dir;
  // Lists are immutable once loaded; the mutex guards only the map, so
  // concurrent extract() calls share them safely.
  std::mutex lists_mutex;
  std::map<std::string, std::shared_ptr<const place_index>> lists;

  std::shared_ptr<const place_index> list(const std::string& name) {
    std::string path = name == "il"   ? places_dir + "/il_localities.tsv"
                       : name == "us" ? places_dir + "/us_cities.tsv"
                                      : name;
    std::lock_guard lock(lists_mutex);
    auto& slot = lists[path];
    if (!slot) {
      try {
        slot = std::make_shared<const place_index>(place_index::load(path));
      } catch (const std::runtime_error& e) {
        lists.erase(path);
        throw catalogue_error(std::string("place list '") + name + "': " + e.what());
      }
    }
    return slot;
  }

  // A business's service index, built on its first call and kept: the
  // catalogue's names and aliases are its key. At most a few hundred are
  // kept; a server has a handful of businesses.
  std::mutex services_mutex;
  std::map<std::string, std::shared_ptr<const service_index>> services;
  static constexpr std::size_t max_kept_services = 256;

  std::shared_ptr<const service_index> services_of(const catalogue& c) {
    std::string key;
    for (const auto& svc : c.services) {
      key += svc.name;
      key += '\x1f';
      for (const auto& a : svc.aliases) {
        key += a;
        key += '\x1e';
      }
      key += '\x1d';
    }
    std::lock_guard lock(services_mutex);
    auto& slot = services[key];
    if (!slot) {
      if (services.size() > max_kept_services) {
        services.clear();
        return services[key] = std::make_shared<const service_index>(c);
      }
      slot = std::make_shared<const service_index>(c);
    }
    return slot;
  }
};

gazetteer::gazetteer(std::string places_dir) : impl_(std::make_unique<impl>()) {
  impl_->places_dir = std::move(places_dir);
}
gazetteer::~gazetteer() = default;
gazetteer::gazetteer(gazetteer&&) noexcept = default;
gazetteer& gazetteer::operator=(gazetteer&&) noexcept = default;

void gazetteer::preload(const catalogue& c) {
  for (const auto& p : c.places)
    impl_->list(p);
}

std::vector<std::string> gazetteer::vocabulary(const catalogue& c, std::size_t max_places) {
  std::vector<std::string> out;
  for (const auto& svc : c.services) {
    out.push_back(svc.name);
    out.insert(out.end(), svc.aliases.begin(), svc.aliases.end());
  }
  // The most populous places first: the likeliest to be said, and what a
  // length-limited hint keeps when it is cut.
  std::vector<const place*> all;
  for (const auto& name : c.places)
    for (const auto& p : impl_->list(name)->places())
      all.push_back(&p);
  std::stable_sort(all.begin(), all.end(),
                   [](const place* a, const place* b) { return a->population > b->population; });
  const bool hebrew = is_hebrew_language(c.language);
  for (std::size_t i = 0; i < all.size() && i < max_places; ++i)
    out.push_back(hebrew && !all[i]->name_he.empty() ? all[i]->name_he : all[i]->name_en);
  return out;
}

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The tokens whose words are the business's own name, said in a greeting
// ("KeyPro Locksmith, how can I help", "אינסטלציה גולן שלום"): two or more
// words of the name in a row. They name the business, not the job.
std::vector<bool> business_name_words(const std::vector<token>& tokens, const std::string& name) {
  std::vector<bool> masked(tokens.size(), false);
  std::vector<std::string> words;
  for (auto& t : tokenize(name))
    words.push_back(std::move(t.text));
  if (words.size() < 2)
    return masked;
  auto same = [](const token& t, const std::string& w, bool first) {
    if (t.text == w)
      return true;
    // `להמפתח`: up to four prefix letters (two bytes each) on the first word
    if (!first || !t.hebrew || t.text.size() <= w.size() || t.text.size() > w.size() + 8 ||
        t.text.compare(t.text.size() - w.size(), w.size(), w) != 0)
      return false;
    const auto splits = hebrew_prefix_splits(t.text);
    return std::find(splits.begin(), splits.end(), w) != splits.end();
  };
  for (std::size_t i = 0; i < tokens.size(); ++i)
    for (std::size_t k = 0; k + 1 < words.size(); ++k) {
      std::size_t n = 0;
      while (i + n < tokens.size() && k + n < words.size() && same(tokens[i + n], words[k + n], n == 0))
        ++n;
      if (n >= 2)
        std::fill(masked.begin() + i, masked.begin() + i + n, true);
    }
  return masked;
}

bool overlaps(const std::vector<bool>& masked, std::size_t first, std::size_t last) {
  return std::any_of(masked.begin() + first, masked.begin() + last, [](bool b) { return b; });
}

// The salience of each finding, given the different value said before it.
void rank(std::vector<finding>& found, const std::vector<token>& tokens, bool services) {
  std::sort(found.begin(), found.end(),
            [](const finding& a, const finding& b) { return a.span.first < b.span.first; });
  // `since`: where the last finding of another value ended. One with the
  // value of the finding before it has that one's; else it is that one's end
  // (linear, where a search back was quadratic in a call that names one
  // place many times).
  std::size_t since = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (i > 0 && found[i - 1].value != found[i].value)
      since = found[i - 1].span.last;
    int s = job_salience(tokens, found[i].span, since);
    // Only corrections and contrasts tell services apart; place words do not.
    found[i].salience = services ? std::max(0, s) : s;
  }
}

} // namespace

extraction_result gazetteer::extract(const catalogue& c, const std::string& transcript) {
  auto labelled = label(transcript);
  const std::vector<channel> channels = std::move(labelled.channels);
  const text_words words(std::move(labelled.tokens));
  const auto& tokens = words.tokens();
  extraction_result r;
  if (tokens.empty())
    return r;
  const auto masked = business_name_words(tokens, c.business_name);

  // Services: see service_index.hpp.
  const auto services_index = impl_->services_of(c);
  const service_index& services = *services_index;
  std::vector<finding> service_found;
  std::set<std::string> services_denied;
  const bool job_seeker = seeks_work(tokens) || about_no_new_job(tokens);
  for (const auto& m : services.find(words)) {
    match_span span{m.first, m.last, m.prefix, true};
    if (job_seeker || overlaps(masked, span.first, span.last) || describes_speaker(tokens, span))
      continue;
    const auto& value = c.services[m.service].name;
    if (is_negated(transcript, tokens, span)) {
      services_denied.insert(value);
      continue;
    }
    service_found.emplace_back(value, span, m.quality, channels[span.first],
                               m.gapped ? "words apart" : match_name(m.quality));
  }
  // "צריך חשמלאי שדרות", "התקנת מזגן ביבנה": a town named right after the
  // service asked for, on the same line, is where it is wanted. (Not a small
  // village named like a word: "פנצ'ר בגלגל" is a puncture in the wheel.)
  std::vector<bool> after_service(tokens.size() + 1, false);
  for (const auto& f : service_found)
    if (f.span.last < tokens.size() && tokens[f.span.last].line == tokens[f.span.last - 1].line)
      after_service[f.span.last] = true;

  // Several lists may name the same words (a business listing "il" and "us"):
  // the same longest-first rule as within one list decides.
  struct listed {
    place_match m;
    place_index::layout layout;
  };
  std::vector<listed> places;
  for (const auto& name : c.places) {
    auto list = impl_->list(name);
    for (auto& m : list->find_all(words))
      places.push_back({std::move(m), list->list_layout()});
  }
  std::sort(places.begin(), places.end(), [](const listed& a, const listed& b) {
    if (a.m.last - a.m.first != b.m.last - b.m.first)
      return a.m.last - a.m.first > b.m.last - b.m.first;
    if (a.m.quality != b.m.quality)
      return a.m.quality < b.m.quality;
    if (a.m.where->population != b.m.where->population)
      return a.m.where->population > b.m.where->population;
    return a.m.first < b.m.first;
  });
  std::vector<bool> taken(tokens.size(), false);
  const bool hebrew = is_hebrew_language(c.language);
  std::vector<finding> city_found;
  std::set<std::string> cities_denied;
  // A state said once settles a name for the whole call: "I'm in Kansas City
  // ... so Kansas City, Kansas".
  std::vector<const place*> stated;
  for (const auto& [m, layout] : places)
    if (m.state_said && m.where)
      stated.push_back(m.where);
  for (const auto& [m, layout] : places) {
    if (job_seeker || overlaps(taken, m.first, m.last) || overlaps(masked, m.first, m.last))
      continue;
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    match_span span{m.first, m.last, m.prefix};
    if (is_street_name(transcript, tokens, span) || names_a_person(tokens, span))
      continue;
    using support = place_match::support;
    // A misheard one-word name needs a word asking for a place right before
    // it ("in sacremento"); a name that is also a word needs more ("I live
    // in Orange").
    bool context = false;
    if (m.misheard || m.loose) {
      // Hebrew says "in" on the word itself (`בכרמיעל`); a looser spelling
      // also needs a word before it that places someone (`אני בעומר`, not
      // `אני אומר`).
      bool hebrew_locative = tokens[m.first].hebrew && (ends_with(m.prefix, "ב") ||
                                                        ends_with(m.prefix, "מ") || ends_with(m.prefix, "ל"));
      bool lead = m.first > 0 && tokens[m.first - 1].line == tokens[m.first].line &&
                  may_precede_place(tokens[m.first - 1]);
      context = tokens[m.first].hebrew ? hebrew_locative && lead : lead;
    } else if (m.where->population >= big_city) {
      context = has_weak_place_context(tokens, span) || after_service[m.first]; // "in Eugene", "in Lincoln"
    } else {
      context = has_place_context(tokens, span, m.where->population >= town) ||
                (m.where->population >= town && after_service[m.first]);
    }
    // Settled by a state said elsewhere: that place, without the doubt of a
    // shared name; but a name that is also a word still needs its context.
    const place* where = m.where;
    bool settled = false;
    if (!m.state_said && m.candidates.size() > 1)
      for (const auto* s : stated)
        if (std::find(m.candidates.begin(), m.candidates.end(), s) != m.candidates.end()) {
          where = s;
          settled = true;
          break;
        }
    if (!m.state_said &&
        ((m.needs == support::state && !settled) || (m.needs == support::context && !context)))
      continue;
    const auto& p = *where;
    auto value = city_value(p, layout, hebrew);
    if (is_negated(transcript, tokens, span) || said_to_be_elsewhere(transcript, tokens, span) ||
        taken_back(tokens, span)) {
      cities_denied.insert(value);
      continue;
    }
    finding f(value, span, m.quality, channels[m.first],
              m.abbreviation ? "abbreviation" : match_name(m.quality));
    f.weight = static_cast<double>(p.population);
    if (m.needs != support::none && !m.state_said)
      f.factor *= everyday_name;
    double all = 0;
    for (const auto* other : m.candidates)
      all += static_cast<double>(other->population);
    double share = all > 0 ? static_cast<double>(p.population) / all : 1.0;
    if (!m.state_said && !settled && share < clear_majority) {
      f.factor *= ambiguity_floor + (1 - ambiguity_floor) * share;
      f.note = "most populous of " + std::to_string(m.candidates.size()) + " places named " +
               transcript.substr(tokens[m.first].begin, tokens[m.last - 1].end - tokens[m.first].begin);
    }
    city_found.push_back(std::move(f));
  }
  rank(city_found, tokens, false);
  rank(service_found, tokens, true);

  auto service = choose(service_found, services_denied, true);
  auto city = choose(city_found, cities_denied, false);
  double confidence = 0;
  if (service && city)
    confidence = both_found * part_score(*service) * part_score(*city);
  else if (service)
    confidence = one_found * part_score(*service);
  else if (city)
    confidence = one_found * part_score(*city);
  r.confidence = std::round(confidence * 100) / 100;

  if (service) {
    r.service = service->best.value;
    r.evidence.push_back(evidence_for("service", transcript, tokens, service->best));
  }
  if (city) {
    r.city = city->best.value;
    r.evidence.push_back(evidence_for("city", transcript, tokens, city->best));
  }
  return r;
}

} // namespace callscribe::extraction
