// One-shot subcommands; each prints its result on stdout and its errors on
// stderr, and exits non-zero on failure.
#include "app/commands.hpp"

#include "actors/pipeline.hpp"
#include "app/businesses.hpp"
#include "app/logging.hpp"
#include "extraction/gazetteer.hpp"
#include "speech/speech_engine.hpp"
#include "storage/business_store.hpp"
#include "storage/job_store.hpp"
#include "storage/trace_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace callscribe::app {
namespace {

std::optional<storage::business> business_for(const config::settings& s, const std::string& phone) {
  auto db = storage::database::open(s.db_url, s.db_password);
  db.migrate();
  std::error_code ec;
  if (std::filesystem::exists(s.businesses_file, ec))
    load_businesses(db, s.businesses_file);
  return storage::business_store(db).find_by_phone(phone);
}

nlohmann::json result_json(const extraction::extraction_result& r) {
  auto or_null = [](const std::string& v) { return v.empty() ? nlohmann::json() : nlohmann::json(v); };
  return {{"service", or_null(r.service)},
          {"city", or_null(r.city)},
          {"confidence", r.confidence},
          {"evidence", nlohmann::json::parse(extraction::evidence_json(r.evidence))}};
}

// The engine extract.engine names, as the server makes it; nullptr (and a
// line on stderr) when its settings cannot work.
std::shared_ptr<extraction::extractor> configured_extractor(const config::settings& s,
                                                            std::shared_ptr<extraction::gazetteer> g,
                                                            const char* command) {
  try {
    if (auto problem = config::extraction_settings_problem(s); !problem.empty())
      throw std::invalid_argument(problem);
    return make_extractor(s, std::move(g));
  } catch (const std::invalid_argument& e) {
    std::cerr << "callscribe " << command << ": " << e.what() << "\n";
    return nullptr;
  }
}

// Extracts, and says on stderr when the llm engine failed and the gazetteer
// answered: stdout stays one answer per transcript.
extraction::extraction_result extract_one(extraction::extractor& x, const extraction::catalogue& c,
                                          const std::string& text, const std::string& where) {
  auto r = x.extract(c, text);
  if (!r.warning.empty())
    std::cerr << "⚠️ " << where << r.warning << "\n";
  return r;
}

std::string iso_time(std::int64_t us) {
  std::time_t t = us / 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%06lld", buf, static_cast<long long>(us % 1000000));
  return out;
}

} // namespace

int migrate(const config::settings& s) {
  auto db = storage::database::open(s.db_url, s.db_password);
  int version = db.migrate();
  std::cout << "database " << redact_db_url(s.db_url) << " is at schema version " << version << "\n";
  return 0;
}

int transcribe(const config::invocation& inv) {
  if (inv.arguments.size() != 1) {
    std::cerr << "callscribe transcribe: give one audio file\n";
    return 2;
  }
  const auto& s = inv.values;
  if (auto problem = speech_settings_problem(s); !problem.empty()) {
    std::cerr << "callscribe transcribe: " << problem << "\n";
    return 2;
  }
  auto audio = speech::decode_file(inv.arguments[0]);
  // With --business, the business's words bias the engine as in the server,
  // and the configured extractor reads the transcript.
  std::optional<extraction::catalogue> catalogue;
  speech::recognition_hints hints;
  auto g = std::make_shared<extraction::gazetteer>(s.places_dir);
  std::shared_ptr<extraction::extractor> extractor;
  if (auto it = inv.flags.find("business"); it != inv.flags.end()) {
    extractor = configured_extractor(s, g, "transcribe");
    if (!extractor)
      return 2;
    auto b = business_for(s, it->second);
    if (!b) {
      std::cerr << "callscribe transcribe: no business with phone number " << it->second << "\n";
      return 2;
    }
    catalogue = extraction::parse_catalogue(b->services_json, b->places_json, b->language);
    catalogue->business_name = b->name;
    hints.language = b->language;
    hints.phrases = g->vocabulary(*catalogue, hint_places);
  }
  auto engine = engine_factory(s)();
  auto t = speech::transcribe(*engine, audio, hints);
  nlohmann::json extraction;
  if (catalogue)
    extraction = result_json(extract_one(*extractor, *catalogue, t.text, ""));
  if (inv.flags.count("json")) {
    nlohmann::json channels = nlohmann::json::array();
    for (const auto& c : t.channels) {
      nlohmann::json segs = nlohmann::json::array();
      for (const auto& seg : c.segments)
        segs.push_back({{"start", seg.start}, {"end", seg.end}, {"text", seg.text}});
      channels.push_back({{"speaker", c.speaker}, {"text", c.text}, {"segments", segs}});
    }
    nlohmann::json out = {{"text", t.text},     {"channels", channels},
                          {"engine", t.engine}, {"audio_seconds", t.audio_seconds},
                          {"rtf", t.rtf},       {"extraction", extraction}};
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << t.text << "\n";
    if (!extraction.is_null())
      std::cout << extraction.dump() << "\n";
  }
  return 0;
}

int extract(const config::invocation& inv) {
  const auto& s = inv.values;
  auto it = inv.flags.find("business");
  if (it == inv.flags.end()) {
    std::cerr << "callscribe extract: --business +E164 is required\n";
    return 2;
  }
  auto b = business_for(s, it->second);
  if (!b) {
    std::cerr << "callscribe extract: no business with phone number " << it->second << "\n";
    return 2;
  }
  auto catalogue = extraction::parse_catalogue(b->services_json, b->places_json, b->language);
  catalogue.business_name = b->name; // its words in a greeting are not a request
  auto extractor = configured_extractor(s, std::make_shared<extraction::gazetteer>(s.places_dir), "extract");
  if (!extractor)
    return 2;
  std::ifstream file;
  if (!inv.arguments.empty()) {
    file.open(inv.arguments[0]);
    if (!file) {
      std::cerr << "callscribe extract: cannot read " << inv.arguments[0] << "\n";
      return 2;
    }
  }
  std::istream& in = inv.arguments.empty() ? std::cin : file;
  if (!inv.flags.count("jsonl")) {
    std::stringstream all;
    all << in.rdbuf();
    std::cout << result_json(extract_one(*extractor, catalogue, all.str(), ""))
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty())
      continue;
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      std::cerr << "callscribe extract: line " << n << " is not JSON\n";
      return 2;
    }
    std::string text;
    if (doc.contains("text"))
      text = doc["text"].get<std::string>();
    else
      text = extraction::two_channel_text(doc.value("caller", ""), doc.value("business", ""));
    std::cout << result_json(extract_one(*extractor, catalogue, text, "line " + std::to_string(n) + ": "))
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  }
  return 0;
}

namespace {

std::string took(std::int64_t us) {
  char buf[32];
  if (us < 1000)
    std::snprintf(buf, sizeof buf, "%lld µs", static_cast<long long>(us));
  else if (us < 1000000)
    std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(us) / 1e6);
  return buf;
}

// One job's events as a timeline, then the time of each stage and end to end
// (first hop to the last one's end), as the metrics count them.
void print_timeline(const std::vector<storage::trace_event>& events, const std::string& call_sid,
                    const std::string& state) {
  auto begins = [](const storage::trace_event& e) {
    return e.handled_at_us ? e.handled_at_us : e.sent_at_us;
  };
  const std::int64_t start = begins(events.front());
  std::int64_t finish = start;
  std::printf("job %lld  %s  %s\n", static_cast<long long>(events.front().job_id), call_sid.c_str(),
              state.c_str());
  std::vector<std::pair<const char*, std::int64_t>> stages{
      {"download", -1}, {"transcribe", -1}, {"extract", -1}, {"write", -1}};
  for (const auto& e : events) {
    const auto at = begins(e);
    std::printf("  %s  +%8.3f s  %-12s %-11s wait %9s  took %9s  %s  %s\n", iso_time(at).c_str(),
                static_cast<double>(at - start) / 1e6, e.actor.c_str(), e.event.c_str(),
                e.sent_at_us && e.handled_at_us ? took(e.handled_at_us - e.sent_at_us).c_str() : "-",
                e.done_at_us && e.handled_at_us ? took(e.done_at_us - e.handled_at_us).c_str() : "-",
                e.node.c_str(), e.detail.c_str());
    finish = std::max({finish, e.done_at_us, at});
    const char* stage = e.event == "downloaded"                             ? "download"
                        : e.event == "transcribed" || e.event == "no_words" ? "transcribe"
                        : e.event == "extracted"                            ? "extract"
                        : e.actor == "lead_writer" && e.event == "done"     ? "write"
                                                                            : nullptr;
    for (auto& [name, us] : stages)
      if (stage && std::string(name) == stage && e.done_at_us && e.handled_at_us)
        us = e.done_at_us - e.handled_at_us;
  }
  std::string line;
  for (const auto& [name, us] : stages)
    if (us >= 0)
      line += std::string(line.empty() ? "" : " · ") + name + " " + took(us);
  std::printf("  stages: %s%send to end %s\n\n", line.c_str(), line.empty() ? "" : " · ",
              took(finish - start).c_str());
}

} // namespace

int trace(const config::invocation& inv) {
  if (inv.arguments.size() != 1) {
    std::cerr << "callscribe trace: give a CallSid (CA…) or a job id\n";
    return 2;
  }
  const auto& key = inv.arguments[0];
  bool by_call = key.rfind("CA", 0) == 0;
  if (!by_call && key.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << "callscribe trace: '" << key << "' is neither a CallSid nor a job id\n";
    return 2;
  }
  const auto& s = inv.values;
  auto target = storage::parse_db_url(s.db_url);
  std::error_code ec;
  if (target.kind == storage::db_target::backend::sqlite &&
      !std::filesystem::exists(target.sqlite_path, ec)) {
    std::cerr << "callscribe trace: no database at " << target.sqlite_path << "\n";
    return 1;
  }
  auto db = storage::database::open(s.db_url, s.db_password);
  if (db.schema_version() == 0) {
    std::cerr << "callscribe trace: " << redact_db_url(s.db_url) << " holds no callscribe tables\n";
    return 1;
  }
  auto events =
      by_call ? storage::trace_store(db).for_call(key) : storage::trace_store(db).for_job(std::stoll(key));
  if (events.empty()) {
    std::cerr << "callscribe trace: no trace for " << key << "\n";
    return 1;
  }
  storage::job_store jobs(db);
  std::size_t i = 0;
  while (i < events.size()) {
    // One job at a time (a call may have several recordings).
    std::size_t end = i;
    while (end < events.size() && events[end].job_id == events[i].job_id)
      ++end;
    std::vector<storage::trace_event> one(events.begin() + static_cast<std::ptrdiff_t>(i),
                                          events.begin() + static_cast<std::ptrdiff_t>(end));
    auto job = jobs.find(one.front().job_id);
    print_timeline(one, job ? job->call_sid : "", job ? storage::to_string(job->state) : "gone");
    i = end;
  }
  return 0;
}

} // namespace callscribe::app
