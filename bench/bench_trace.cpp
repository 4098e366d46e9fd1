// What tracing costs. Two measurements, printed as a table:
//  1. job_events writes on a SQLite file: one row per transaction (the
//     tracer before batching) against batches of tracer_batch rows;
//  2. the whole pipeline on a real actor system and a real SQLite file,
//     with a speech engine that answers at once (so the pipeline's own
//     overhead is what is timed), at trace.level off, jobs and messages.
// Usage: callscribe_bench_trace [JOBS (200)] [ROUNDS (3)]
#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "actors/supervisor.hpp"
#include "actors/tracer.hpp"
#include "storage/business_store.hpp"
#include "storage/intake.hpp"
#include "storage/job_store.hpp"
#include "storage/trace_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <sndfile.h>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <unistd.h>

using namespace callscribe;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

fs::path scratch(const std::string& name) {
  auto dir =
      fs::temp_directory_path() / ("callscribe-bench-trace-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

storage::trace_event sample_event(std::int64_t job, int i) {
  return storage::trace_event{job,
                              "transcriber",
                              "transcribed",
                              1'790'000'000'000'000 + i,
                              1'790'000'000'000'100 + i,
                              1'790'000'000'500'000 + i,
                              "bench-node",
                              "pocketsphinx, 6.33 s audio, rtf 0.27, 80 chars"};
}

// µs per event written, one transaction per event or per batch.
double write_cost(int events, std::size_t batch) {
  auto dir = scratch("writes");
  auto db = storage::database::open("sqlite:" + (dir / "t.db").string());
  db.migrate();
  storage::new_job j;
  j.call_sid = "CA1";
  j.recording_sid = "RE1";
  auto job = storage::job_store(db).insert(j).job_id;
  storage::trace_store traces(db);
  auto start = clock_type::now();
  std::vector<storage::trace_event> pending;
  for (int i = 0; i < events; ++i) {
    if (batch <= 1) {
      traces.append(sample_event(job, i));
      continue;
    }
    pending.push_back(sample_event(job, i));
    if (pending.size() == batch) {
      traces.append(pending);
      pending.clear();
    }
  }
  traces.append(pending);
  double us = seconds_since(start) * 1e6 / events;
  fs::remove_all(dir);
  return us;
}

class instant_engine : public speech::speech_engine {
public:
  std::string name() const override { return "instant"; }
  int sample_rate() const override { return 16000; }
  speech::channel_transcript transcribe_pcm16(const std::vector<std::int16_t>&,
                                              const speech::recognition_hints&) override {
    return {"caller", "i need a locksmith in boston", {}};
  }
};

void write_tone(const std::string& path) {
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  std::vector<short> samples(8000);
  for (std::size_t i = 0; i < samples.size(); ++i)
    samples[i] = static_cast<short>(3000 * std::sin(2 * 3.14159265 * 440 * static_cast<double>(i) / 16000));
  sf_write_short(f, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(f);
}

struct bench_config : caf::actor_system_config {
  bench_config() {
    callscribe::add_message_types(*this);
    set("logger.verbosity", caf::atom("quiet"));
  }
};

// Seconds from start until `jobs` jobs are done, and the trace rows written.
std::pair<double, long long> pipeline_run(const std::string& level, int jobs) {
  auto dir = scratch(level);
  const std::string db_url = "sqlite:" + (dir / "p.db").string();
  auto db = storage::database::open(db_url);
  db.migrate();
  storage::business b;
  b.name = "Boston Lock & Key";
  b.phone_number = "+16175550100";
  b.language = "en";
  b.places_json = R"(["us"])";
  b.services_json = R"([{"name": "locksmith", "aliases": ["lock smith"]}])";
  storage::business_store(db).upsert(b);
  for (int n = 1; n <= jobs; ++n) {
    char call[40], rec[40];
    std::snprintf(call, sizeof call, "CA%032x", n);
    std::snprintf(rec, sizeof rec, "RE%032x", n);
    storage::record_recording(
        db, storage::intake_request{call, rec, std::string("https://api.twilio.com/r/") + rec, "completed", 1,
                                    1, "+1617555" + std::to_string(1000 + n), "+16175550100", "bench"});
  }
  const auto tone = (dir / "tone.wav").string();
  write_tone(tone);

  auto cfg = std::make_shared<pipeline_config>();
  auto& s = cfg->settings;
  s.db_url = db_url;
  s.data_dir = dir.string();
  s.node_id = "bench-node";
  s.places_dir = CALLSCRIBE_SOURCE_DIR "/config/places";
  s.trace_level = level;
  cfg->gazetteer = std::make_shared<extraction::gazetteer>(s.places_dir);
  cfg->download = [dir, tone](const std::string&, const std::string& recording_sid, int) {
    auto path = (dir / (recording_sid + ".wav")).string();
    fs::copy_file(tone, path, fs::copy_options::overwrite_existing);
    http::download_outcome out;
    out.result = http::download_outcome::status::ok;
    out.path = path;
    out.requests = 1;
    out.http_status = 200;
    return out;
  };
  cfg->lookup_call = [](const std::string&, std::string* error) -> std::optional<http::call_info> {
    *error = "no Twilio here";
    return std::nullopt;
  };
  cfg->make_engine = [] { return std::make_unique<instant_engine>(); };

  double took = 0;
  {
    bench_config system_cfg;
    caf::actor_system sys{system_cfg};
    auto start = clock_type::now();
    auto sup = sys.spawn(supervisor, std::shared_ptr<const pipeline_config>(cfg));
    storage::job_store store(db);
    for (;;) {
      long long done = 0;
      for (const auto& [state, n] : store.count_by_state())
        if (state == storage::job_state::done || state == storage::job_state::dead)
          done += n;
      if (done >= jobs)
        break;
      if (seconds_since(start) > 600) {
        std::fprintf(stderr, "bench: the pipeline did not finish in 600 s\n");
        std::exit(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    took = seconds_since(start);
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  }
  long long rows = 0;
  db.session() << "SELECT COUNT(*) FROM job_events", soci::into(rows);
  fs::remove_all(dir);
  return {took, rows};
}

} // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  spdlog::set_level(spdlog::level::err); // the pipeline's info lines are not what is timed
  std::printf("callscribe_bench_trace (%s build): %d jobs, best and median of %d rounds\n\n",
              CALLSCRIBE_BUILD_TYPE, jobs, rounds);

  std::printf("| job_events writes (SQLite, 10,000 rows) | µs per event |\n|---|---:|\n");
  std::printf("| one transaction per event | %.1f |\n", write_cost(10000, 1));
  std::printf("| batches of %zu (the tracer) | %.1f |\n\n", tracer_batch, write_cost(10000, tracer_batch));

  std::printf("| pipeline, instant engine | best s | median s | jobs/s (best) | trace rows "
              "|\n|---|---:|---:|---:|---:|\n");
  for (const char* level : {"off", "jobs", "messages"}) {
    std::vector<double> times;
    long long rows = 0;
    for (int r = 0; r < rounds; ++r) {
      auto [took, n] = pipeline_run(level, jobs);
      times.push_back(took);
      rows = n;
    }
    std::sort(times.begin(), times.end());
    std::printf("| trace.level=%s | %.3f | %.3f | %.0f | %lld |\n", level, times.front(),
                times[times.size() / 2], jobs / times.front(), rows);
  }
  return 0;
}
