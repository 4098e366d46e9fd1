// The gazetteer extractor: services from the business's catalogue and a city
// from its place lists, combined into one answer with a confidence.
//
// What the confidence means: roughly the chance that the fields written to the
// lead are right, on a scale where operators can set a threshold.
//   - Each part found gets a quality: 1.0 for the name or an alias as written
//     (also with Hebrew prefix letters, final letters, niqqud, an English
//     plural); 0.9 when a word was in defective spelling (`קרית` for
//     `קריית`); 0.75 when a word was one edit away (a transcription error).
//   - A part that had rivals (two different services, or two different cities,
//     named in one call) is multiplied by 0.8: we picked one, it may be the
//     wrong one.
//   - Both service and city found: 0.95 × service quality × city quality, so
//     a clean match of both is 0.95. Only one of them: 0.65 × its quality
//     (a lead with half its answer). Nothing: 0, and both fields empty.
// The result is rounded to two decimals so that log lines and stored values
// agree. A later recording of the same call replaces the fields only with an
// answer at least as confident, so these numbers order answers, too.
#include "extraction/gazetteer.hpp"

#include "extraction/normalize.hpp"
#include "extraction/phrase_index.hpp"
#include "extraction/place_index.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>

namespace callscribe::extraction {
namespace {

double quality_factor(match_quality q) {
  switch (q) {
  case match_quality::exact:
    return 1.0;
  case match_quality::spelling:
    return 0.9;
  case match_quality::fuzzy:
    return 0.75;
  }
  return 0;
}

constexpr double both_found = 0.95;
constexpr double one_found = 0.65;
constexpr double rivals_factor = 0.8;

bool is_hebrew_language(const std::string& language) {
  return language.rfind("he", 0) == 0 || language.rfind("iw", 0) == 0;
}

// One candidate answer for a field: a value and where the text said it.
struct finding {
  std::string value;
  std::size_t first = 0, last = 0;
  match_quality quality = match_quality::exact;
};

struct choice {
  finding best;
  bool rivals = false;
};

// Of the values found, the best matched, then the most often said, then the
// first said. A caller naming the same city twice outweighs a passing mention.
std::optional<choice> choose(const std::vector<finding>& found) {
  if (found.empty())
    return std::nullopt;
  struct group {
    const finding* first_seen;
    match_quality best;
    std::size_t count;
  };
  std::map<std::string, group> groups;
  for (const auto& f : found) {
    auto [it, fresh] = groups.try_emplace(f.value, group{&f, f.quality, 0});
    auto& g = it->second;
    ++g.count;
    if (f.quality < g.best) {
      g.best = f.quality;
      g.first_seen = &f;
    }
  }
  const group* winner = nullptr;
  for (const auto& [value, g] : groups) {
    if (!winner || g.best < winner->best ||
        (g.best == winner->best &&
         (g.count > winner->count ||
          (g.count == winner->count && g.first_seen->first < winner->first_seen->first))))
      winner = &g;
  }
  return choice{*winner->first_seen, groups.size() > 1};
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

// "caller" or "business" for a labelled line of a two-channel transcript
// ("Caller: …"), "" for an unlabelled one.
std::string channel_at(const std::string& transcript, std::size_t at) {
  auto line = transcript.rfind('\n', at);
  line = line == std::string::npos ? 0 : line + 1;
  if (transcript.compare(line, 7, "Caller:") == 0)
    return "caller";
  if (transcript.compare(line, 9, "Business:") == 0)
    return "business";
  return "";
}

evidence evidence_for(const char* field, const std::string& transcript, const std::vector<token>& tokens,
                      const finding& f) {
  evidence e;
  e.field = field;
  e.begin = tokens[f.first].begin;
  e.end = tokens[f.last - 1].end;
  e.text = transcript.substr(e.begin, e.end - e.begin);
  e.channel = channel_at(transcript, e.begin);
  e.match = match_name(f.quality);
  return e;
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

extraction_result gazetteer::extract(const catalogue& c, const std::string& transcript) {
  const auto tokens = tokenize(transcript);
  extraction_result r;
  if (tokens.empty())
    return r;

  // A catalogue has a handful of names; indexing it per call costs
  // microseconds and keeps the gazetteer free of per-business state.
  phrase_index services(phrase_index::options{true, 5});
  for (std::uint32_t i = 0; i < c.services.size(); ++i) {
    services.add(c.services[i].name, i);
    for (const auto& a : c.services[i].aliases)
      services.add(a, i);
  }
  std::vector<finding> service_found;
  for (const auto& m : services.find(tokens))
    service_found.push_back({c.services[m.value].name, m.first, m.last, m.quality});

  // Several lists may name the same words (a business listing "il" and "us"):
  // the same longest-first rule as within one list decides.
  std::vector<place_match> places;
  for (const auto& name : c.places) {
    auto list = impl_->list(name);
    for (auto& m : list->find_all(tokens))
      places.push_back(m);
  }
  std::sort(places.begin(), places.end(), [](const place_match& a, const place_match& b) {
    if (a.last - a.first != b.last - b.first)
      return a.last - a.first > b.last - b.first;
    if (a.quality != b.quality)
      return a.quality < b.quality;
    return a.where->population > b.where->population;
  });
  std::vector<bool> taken(tokens.size(), false);
  const bool hebrew = is_hebrew_language(c.language);
  std::vector<finding> city_found;
  for (const auto& m : places) {
    if (std::any_of(taken.begin() + m.first, taken.begin() + m.last, [](bool b) { return b; }))
      continue;
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    const auto& p = *m.where;
    city_found.push_back({hebrew && !p.name_he.empty() ? p.name_he : p.name_en, m.first, m.last, m.quality});
  }
  std::sort(city_found.begin(), city_found.end(),
            [](const finding& a, const finding& b) { return a.first < b.first; });

  auto service = choose(service_found);
  auto city = choose(city_found);
  auto part_score = [](const choice& ch) {
    return quality_factor(ch.best.quality) * (ch.rivals ? rivals_factor : 1.0);
  };
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
