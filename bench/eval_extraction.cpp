// callscribe_eval_extract: scores the gazetteer on labelled transcripts (JSONL)
// against the businesses they were made for: precision, recall and F1 per
// field and language, how well the confidence predicts a right answer, per-tag
// accuracy, and the time per extract call. Exits 1 when a given threshold fails.
#include "extraction/gazetteer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace extraction = callscribe::extraction;
using nlohmann::json;

namespace {

const char* const usage =
    "usage: callscribe_eval_extract [--businesses FILE] [--places-dir DIR] [--errors]\n"
    "                               [--min-f1 X] [--min-high-band-accuracy Y] FILE.jsonl...\n"
    "  --businesses  businesses in the layout of config/businesses.json\n"
    "                (default " CALLSCRIBE_SOURCE_DIR "/bench/extraction/businesses.json)\n"
    "  --places-dir  il_localities.tsv and us_cities.tsv (default " CALLSCRIBE_SOURCE_DIR "/config/places)\n"
    "  --errors      print every line whose service or city is not the expected one\n"
    "  --min-f1 X    exit 1 when the service or the city F1 is below X\n"
    "  --min-high-band-accuracy Y\n"
    "                exit 1 when lines with confidence >= 0.9 are right less often than Y\n"
    "Each line: {\"id\", \"to\": \"+E164\", \"lang\", \"tags\": [...], \"text\" or \"caller\"/\"business\",\n"
    "            \"expected\": {\"service\": string|null, \"city\": string|null}}\n"
    "Exit status: 0; 1 when a check fails; 2 on bad options or input.\n";

// A mistake in the input: the message says where.
struct input_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct business {
  std::string name;
  std::string phone_number;
  extraction::catalogue catalogue;
};

// An answer as the lead would hold it: a value or nothing.
using answer = std::optional<std::string>;

struct eval_line {
  std::string where; // file:line
  std::string id;
  std::string lang;
  std::vector<std::string> tags;
  const business* to = nullptr;
  std::string transcript;
  answer service, city; // expected
};

struct outcome {
  extraction::extraction_result got;
  double micros = 0;
};

// ---- input ----------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw input_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<business> load_businesses(const std::string& path) {
  json all;
  try {
    all = json::parse(read_file(path));
  } catch (const json::parse_error& e) {
    throw input_error(path + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
  if (!all.is_array())
    throw input_error(path + ": expected an array of businesses");
  std::vector<business> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& b = all[i];
    const auto where = path + ": business " + std::to_string(i);
    auto text = [&](const char* key) {
      if (!b.is_object() || !b.contains(key) || !b[key].is_string())
        throw input_error(where + ": \"" + key + "\" must be a string");
      return b[key].get<std::string>();
    };
    business biz;
    biz.name = text("name");
    biz.phone_number = text("phone_number");
    const auto language = text("language");
    if (!b.contains("services") || !b.contains("places"))
      throw input_error(where + " (" + biz.name + "): needs \"services\" and \"places\"");
    try {
      biz.catalogue = extraction::parse_catalogue(b["services"].dump(), b["places"].dump(), language);
      biz.catalogue.business_name = biz.name; // as the server does: a greeting is not a request
    } catch (const extraction::catalogue_error& e) {
      throw input_error(where + " (" + biz.name + "): " + e.what());
    }
    for (const auto& other : out)
      if (other.phone_number == biz.phone_number)
        throw input_error(where + ": phone_number " + biz.phone_number + " is also " + other.name + "'s");
    out.push_back(std::move(biz));
  }
  return out;
}

std::string required_string(const json& j, const char* key) {
  if (!j.contains(key))
    throw input_error(std::string("no \"") + key + "\"");
  if (!j[key].is_string())
    throw input_error(std::string("\"") + key + "\" must be a string");
  return j[key].get<std::string>();
}

answer expected_answer(const json& expected, const char* key) {
  if (!expected.contains(key))
    throw input_error(std::string("\"expected\" has no \"") + key + "\" (use null for none)");
  const auto& v = expected[key];
  if (v.is_null())
    return std::nullopt;
  if (!v.is_string() || v.get<std::string>().empty())
    throw input_error(std::string("expected.") + key + " must be a non-empty string or null");
  return v.get<std::string>();
}

eval_line parse_line(const std::string& text, const std::vector<business>& businesses) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw input_error("not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object())
    throw input_error("expected a JSON object");
  eval_line l;
  if (j.contains("id") && j["id"].is_number())
    l.id = j["id"].dump();
  else
    l.id = required_string(j, "id");
  const auto to = required_string(j, "to");
  for (const auto& b : businesses)
    if (b.phone_number == to)
      l.to = &b;
  if (!l.to)
    throw input_error("unknown business: no business has phone_number " + to);
  l.lang = j.contains("lang") ? required_string(j, "lang") : l.to->catalogue.language;
  if (j.contains("tags")) {
    if (!j["tags"].is_array())
      throw input_error("\"tags\" must be an array of strings");
    for (const auto& t : j["tags"]) {
      if (!t.is_string())
        throw input_error("\"tags\" must be an array of strings");
      l.tags.push_back(t.get<std::string>());
    }
  }
  const bool has_text = j.contains("text");
  const bool has_channels = j.contains("caller") || j.contains("business");
  if (has_text == has_channels)
    throw input_error("needs either \"text\" or \"caller\"/\"business\", not both or neither");
  if (has_text) {
    l.transcript = required_string(j, "text");
  } else {
    const auto caller = j.contains("caller") ? required_string(j, "caller") : std::string();
    const auto business = j.contains("business") ? required_string(j, "business") : std::string();
    l.transcript = extraction::two_channel_text(caller, business);
  }
  if (!j.contains("expected") || !j["expected"].is_object())
    throw input_error("no \"expected\" object");
  l.service = expected_answer(j["expected"], "service");
  l.city = expected_answer(j["expected"], "city");
  return l;
}

void read_lines(const std::string& path, const std::vector<business>& businesses, std::vector<eval_line>& out,
                std::map<std::string, std::string>& id_seen_at) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw input_error("cannot read " + path);
  std::size_t line_no = 0;
  for (std::string text; std::getline(in, text);) {
    ++line_no;
    const auto where = path + ":" + std::to_string(line_no);
    if (line_no == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0)
      text.erase(0, 3);
    if (!text.empty() && text.back() == '\r')
      text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos)
      continue;
    try {
      auto l = parse_line(text, businesses);
      l.where = where;
      auto [seen, fresh] = id_seen_at.try_emplace(l.id, where);
      if (!fresh)
        throw input_error("id \"" + l.id + "\" is also at " + seen->second);
      out.push_back(std::move(l));
    } catch (const input_error& e) {
      throw input_error(where + ": " + e.what());
    }
  }
}

// ---- metrics ----------------------------------------------------------------

// One field (service or city) over a set of lines.
struct field_counts {
  std::size_t answers = 0;  // lines where the extractor gave a value
  std::size_t expected = 0; // lines where a value was expected
  std::size_t correct = 0;  // lines where it gave the expected value
};

bool same(const answer& expected, const std::string& got) {
  return expected ? *expected == got : got.empty();
}

void count(field_counts& c, const answer& expected, const std::string& got) {
  c.answers += !got.empty();
  c.expected += expected.has_value();
  c.correct += expected && *expected == got;
}

// Of the values given, the share that were right; none given: undefined.
std::optional<double> precision(const field_counts& c) {
  if (c.answers == 0)
    return std::nullopt;
  return double(c.correct) / double(c.answers);
}

// Of the values expected, the share that were given; none expected: undefined.
std::optional<double> recall(const field_counts& c) {
  if (c.expected == 0)
    return std::nullopt;
  return double(c.correct) / double(c.expected);
}

// The harmonic mean of precision and recall, 2PR / (P + R), which is
// 2·correct / (answers + expected); that form also covers one side being
// undefined (then nothing is correct and F1 is 0). Undefined only when
// nothing was expected and nothing given.
std::optional<double> f1(const field_counts& c) {
  if (c.answers + c.expected == 0)
    return std::nullopt;
  return 2.0 * double(c.correct) / double(c.answers + c.expected);
}

// The confidence bands, highest first.
constexpr std::array<const char*, 6> band_names{"[0.9, 1.0]", "[0.8, 0.9)", "[0.7, 0.8)",
                                                "[0.5, 0.7)", "(0, 0.5)",   "0"};
constexpr std::size_t high_band = 0;

std::size_t band_of(double confidence) {
  // The gazetteer rounds to two decimals; the slack keeps 0.9 computed as
  // 90/100 in the band it reads as.
  constexpr double slack = 1e-9;
  if (confidence >= 0.9 - slack)
    return 0;
  if (confidence >= 0.8 - slack)
    return 1;
  if (confidence >= 0.7 - slack)
    return 2;
  if (confidence >= 0.5 - slack)
    return 3;
  if (confidence > 0)
    return 4;
  return 5;
}

struct band_counts {
  std::size_t lines = 0, right = 0;
  double confidence_sum = 0;
};

struct tally {
  std::size_t lines = 0, right = 0;
};

std::optional<double> share(std::size_t part, std::size_t whole) {
  if (whole == 0)
    return std::nullopt;
  return double(part) / double(whole);
}

std::optional<double> mean_confidence(const band_counts& b) {
  if (b.lines == 0)
    return std::nullopt;
  return b.confidence_sum / double(b.lines);
}

// ---- printing ---------------------------------------------------------------

// Columns are padded by characters, not bytes, so Hebrew tags line up.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s)
    n += (ch & 0xC0) != 0x80;
  return n;
}

std::string left(const std::string& s, std::size_t width) {
  const auto w = display_width(s);
  return s + std::string(w < width ? width - w : 0, ' ');
}

std::string right(const std::string& s, std::size_t width) {
  const auto w = display_width(s);
  return std::string(w < width ? width - w : 0, ' ') + s;
}

std::string fixed(std::optional<double> v, int decimals = 3) {
  if (!v)
    return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

std::string show(const answer& a) {
  return a ? json(*a).dump() : "null";
}

std::string show(const std::string& got) {
  return got.empty() ? "null" : json(got).dump();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

void print_field_row(const std::string& field, const std::string& lang, const field_counts& c) {
  std::cout << "  " << left(field, 9) << left(lang, 6) << right(std::to_string(c.answers), 8)
            << right(std::to_string(c.expected), 9) << right(std::to_string(c.correct), 9)
            << right(fixed(precision(c)), 11) << right(fixed(recall(c)), 8) << right(fixed(f1(c)), 8) << "\n";
}

struct options {
  std::string businesses = CALLSCRIBE_SOURCE_DIR "/bench/extraction/businesses.json";
  std::string places_dir = CALLSCRIBE_SOURCE_DIR "/config/places";
  bool errors = false;
  std::optional<double> min_f1;
  std::optional<double> min_high_band_accuracy;
  std::vector<std::string> files;
};

double parse_threshold(const std::string& option, const std::string& value) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || !(v >= 0 && v <= 1))
    throw input_error(option + " wants a number from 0 to 1, not '" + value + "'");
  return v;
}

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    if (arg.rfind("--", 0) == 0) {
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg.erase(eq);
      }
    }
    auto take = [&]() {
      if (value)
        return *value;
      if (i + 1 >= argc)
        throw input_error(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--businesses")
      o.businesses = take();
    else if (arg == "--places-dir")
      o.places_dir = take();
    else if (arg == "--errors" && !value)
      o.errors = true;
    else if (arg == "--min-f1")
      o.min_f1 = parse_threshold(arg, take());
    else if (arg == "--min-high-band-accuracy")
      o.min_high_band_accuracy = parse_threshold(arg, take());
    else if (arg.size() > 1 && arg[0] == '-')
      throw input_error("unknown option " + std::string(argv[i]));
    else
      o.files.push_back(arg);
  }
  if (o.files.empty())
    throw input_error("no JSONL file given");
  return o;
}

// Everything the report shows, counted once.
struct summary {
  std::map<std::string, std::size_t> lines_by_lang;
  field_counts service, city;
  std::map<std::string, field_counts> service_by_lang, city_by_lang;
  std::array<band_counts, band_names.size()> bands{};
  std::map<std::string, tally> by_tag;
  tally all;
};

bool exact_answer(const eval_line& l, const extraction::extraction_result& r) {
  return same(l.service, r.service) && same(l.city, r.city);
}

summary score(const std::vector<eval_line>& lines, const std::vector<outcome>& outcomes) {
  summary s;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const auto& r = outcomes[i].got;
    ++s.lines_by_lang[l.lang];
    count(s.service, l.service, r.service);
    count(s.service_by_lang[l.lang], l.service, r.service);
    count(s.city, l.city, r.city);
    count(s.city_by_lang[l.lang], l.city, r.city);
    const bool right = exact_answer(l, r);
    ++s.all.lines;
    s.all.right += right;
    auto& b = s.bands[band_of(r.confidence)];
    ++b.lines;
    b.right += right;
    b.confidence_sum += r.confidence;
    for (const auto& t : l.tags.empty() ? std::vector<std::string>{"(no tags)"} : l.tags) {
      ++s.by_tag[t].lines;
      s.by_tag[t].right += right;
    }
  }
  return s;
}

void print_summary(const summary& s) {
  std::cout << "lines  " << s.all.lines << "   (";
  bool first = true;
  for (const auto& [lang, n] : s.lines_by_lang) {
    std::cout << (first ? "" : ", ") << lang << " " << n;
    first = false;
  }
  std::cout << ")\n\n";

  std::cout << "  " << left("field", 9) << left("lang", 6) << right("answers", 8) << right("expected", 9)
            << right("correct", 9) << right("precision", 11) << right("recall", 8) << right("F1", 8) << "\n";
  print_field_row("service", "all", s.service);
  for (const auto& [lang, c] : s.service_by_lang)
    print_field_row("service", lang, c);
  print_field_row("city", "all", s.city);
  for (const auto& [lang, c] : s.city_by_lang)
    print_field_row("city", lang, c);
  std::cout << "  precision = correct / answers, recall = correct / expected (a null answer or\n"
               "  expectation counts in neither), F1 = their harmonic mean\n\n";

  std::cout << "exact answers  " << s.all.right << " / " << s.all.lines << " = "
            << fixed(share(s.all.right, s.all.lines))
            << "   (service and city both as expected, null = null)\n\n";

  std::cout << "  " << left("confidence", 12) << right("lines", 7) << right("right", 7)
            << right("accuracy", 10) << right("mean conf", 11) << "\n";
  for (std::size_t i = 0; i < s.bands.size(); ++i) {
    const auto& b = s.bands[i];
    std::cout << "  " << left(band_names[i], 12) << right(std::to_string(b.lines), 7)
              << right(std::to_string(b.right), 7) << right(fixed(share(b.right, b.lines)), 10)
              << right(fixed(mean_confidence(b)), 11) << "\n";
  }
  std::cout << "\n";

  std::size_t tag_width = 3;
  for (const auto& [tag, t] : s.by_tag)
    tag_width = std::max(tag_width, display_width(tag));
  std::cout << "  " << left("tag", tag_width + 2) << right("lines", 7) << right("exact", 7)
            << right("accuracy", 10) << "\n";
  for (const auto& [tag, t] : s.by_tag)
    std::cout << "  " << left(tag, tag_width + 2) << right(std::to_string(t.lines), 7)
              << right(std::to_string(t.right), 7) << right(fixed(share(t.right, t.lines)), 10) << "\n";
  std::cout << "\n";
}

void print_timing(const std::vector<outcome>& outcomes, double warm_up_ms) {
  double sum = 0, max = 0;
  for (const auto& x : outcomes) {
    sum += x.micros;
    max = std::max(max, x.micros);
  }
  std::printf("timing  %zu extract calls: mean %.1f µs, max %.1f µs (after a %.0f ms warm-up that loads the "
              "place lists; build %s)\n",
              outcomes.size(), sum / double(outcomes.size()), max, warm_up_ms, CALLSCRIBE_BUILD_TYPE);
  std::fflush(stdout);
}

void print_errors(const std::vector<eval_line>& lines, const std::vector<outcome>& outcomes) {
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < lines.size(); ++i)
    wrong += !exact_answer(lines[i], outcomes[i].got);
  std::cout << "\nerrors  " << wrong << " wrong line" << (wrong == 1 ? "" : "s") << "\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const auto& r = outcomes[i].got;
    if (exact_answer(l, r))
      continue;
    std::cout << "\n"
              << l.id << "  [" << join(l.tags) << "]  " << l.where << "\n"
              << "  expected  service " << show(l.service) << ", city " << show(l.city) << "\n"
              << "  got       service " << show(r.service) << ", city " << show(r.city) << ", confidence "
              << fixed(r.confidence, 2) << "\n"
              << "  evidence  " << extraction::evidence_json(r.evidence) << "\n";
    if (!r.warning.empty())
      std::cout << "  warning   " << r.warning << "\n";
  }
}

// The thresholds asked for; each failure says which.
bool checks_pass(const options& o, const summary& s) {
  bool pass = true;
  if (o.min_f1) {
    for (const auto& [field, c] : {std::pair{"service", &s.service}, std::pair{"city", &s.city}}) {
      const auto v = f1(*c);
      if (!v)
        std::cout << "check: " << field
                  << " F1 is undefined (nothing expected, nothing answered): not checked\n";
      else if (*v < *o.min_f1) {
        std::cout << "check FAILED: " << field << " F1 " << fixed(v) << " < --min-f1 " << fixed(o.min_f1)
                  << "\n";
        pass = false;
      } else {
        std::cout << "check passed: " << field << " F1 " << fixed(v) << " >= --min-f1 " << fixed(o.min_f1)
                  << "\n";
      }
    }
  }
  if (o.min_high_band_accuracy) {
    const auto& b = s.bands[high_band];
    const auto accuracy = share(b.right, b.lines);
    const auto what = std::string("accuracy in band ") + band_names[high_band];
    if (!accuracy)
      std::cout << "check: no line in band " << band_names[high_band]
                << ": --min-high-band-accuracy not checked\n";
    else if (*accuracy < *o.min_high_band_accuracy) {
      std::cout << "check FAILED: " << what << " " << fixed(accuracy) << " < --min-high-band-accuracy "
                << fixed(o.min_high_band_accuracy) << "\n";
      pass = false;
    } else {
      std::cout << "check passed: " << what << " " << fixed(accuracy) << " >= --min-high-band-accuracy "
                << fixed(o.min_high_band_accuracy) << "\n";
    }
  }
  return pass;
}

int run(const options& o) {
  const auto businesses = load_businesses(o.businesses);
  std::vector<eval_line> lines;
  std::map<std::string, std::string> id_seen_at;
  for (const auto& f : o.files)
    read_lines(f, businesses, lines, id_seen_at);
  if (lines.empty())
    throw input_error("no lines in " + join(o.files));

  extraction::gazetteer g(o.places_dir);

  // Warm-up, untimed: load each business's lists, and one call per business
  // so first-use costs (ICU's normaliser data) stay out of the timings.
  const auto warm_up_started = std::chrono::steady_clock::now();
  std::map<const business*, bool> warmed;
  for (const auto& l : lines) {
    if (std::exchange(warmed[l.to], true))
      continue;
    g.preload(l.to->catalogue);
    g.extract(l.to->catalogue, l.transcript);
  }
  const double warm_up_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - warm_up_started).count();

  std::vector<outcome> outcomes;
  outcomes.reserve(lines.size());
  for (const auto& l : lines) {
    const auto started = std::chrono::steady_clock::now();
    auto got = g.extract(l.to->catalogue, l.transcript);
    const auto micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count();
    outcomes.push_back({std::move(got), micros});
  }

  const auto s = score(lines, outcomes);
  std::cout << "callscribe_eval_extract: " << join(o.files) << "\n"
            << "businesses: " << o.businesses << "\n\n";
  print_summary(s);
  print_timing(outcomes, warm_up_ms);
  if (o.errors)
    print_errors(lines, outcomes);
  if (o.min_f1 || o.min_high_band_accuracy)
    std::cout << "\n";
  return checks_pass(o, s) ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "-h" || std::string(argv[i]) == "--help") {
      std::cout << usage;
      return 0;
    }
  try {
    return run(parse_options(argc, argv));
  } catch (const input_error& e) {
    std::cerr << "callscribe_eval_extract: " << e.what() << "\n";
    return 2;
  } catch (const extraction::catalogue_error& e) {
    std::cerr << "callscribe_eval_extract: " << e.what() << "\n";
    return 2;
  }
}
