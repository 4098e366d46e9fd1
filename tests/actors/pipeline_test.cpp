// The pipeline's actor logic on CAF's test scheduler: job order through the
// transcriber, a transcriber that fails and is replaced, duplicate delivery.
// Real SQLite file, real audio files and the real gazetteer; the speech
// engine is a scripted one so a test can make it fail on a chosen job.
#define BOOST_TEST_MODULE actors
#include <boost/test/unit_test.hpp>

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "actors/roles.hpp"
#include "actors/supervisor.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/business_store.hpp"
#include "storage/intake.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "storage/trace_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>

using namespace callscribe;
namespace fs = std::filesystem;

namespace {

const std::string business_phone = "+16175550100";
const std::string caller = "+16175551234";
// Each test call comes from its own number: calls of one caller share a lead.
std::string caller_of(int n) {
  return "+1617555" + std::to_string(2000 + n);
}

std::string sid(char prefix, int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%c%c%032x", prefix == 'C' ? 'C' : 'R', prefix == 'C' ? 'A' : 'E', n);
  return buf;
}

// Job n's recording is n tenths of a second long, so the engine can tell
// which job it is hearing by the number of samples.
void write_wav(const std::string& path, int tenths) {
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  BOOST_REQUIRE(f);
  // A tone, not silence: silent channels never reach the engine.
  std::vector<short> samples(static_cast<size_t>(tenths) * 1600);
  for (std::size_t i = 0; i < samples.size(); ++i)
    samples[i] = static_cast<short>(3000 * std::sin(2 * 3.14159265 * 440 * static_cast<double>(i) / 16000));
  sf_write_short(f, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(f);
}

// What the scripted engines saw, shared by every engine the factory makes.
struct engine_log {
  std::mutex m;
  std::vector<int> jobs_heard; // job numbers, in order
  int engines_made = 0;
  int fail_once_on = 0;     // throw the first time this job is heard
  int factory_fails_on = 0; // the factory's Nth call throws (the engine cannot be made)
  bool factory_always_fails_after_first = false;
  int silent_job = 0;          // this job's recording has no words
  int corrupt_job = 0;         // this job's "recording" is an HTML error page
  int loads_seen_as_ready = 0; // engines made while readiness said the engine was ready
  speech::recognition_hints last_hints;
};

class scripted_engine : public speech::speech_engine {
public:
  explicit scripted_engine(std::shared_ptr<engine_log> log) : log_(std::move(log)) {}
  std::string name() const override { return "scripted"; }
  int sample_rate() const override { return 16000; }
  speech::channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                              const speech::recognition_hints& hints) override {
    int job = static_cast<int>(samples.size() / 1600);
    std::lock_guard<std::mutex> lock(log_->m);
    log_->jobs_heard.push_back(job);
    log_->last_hints = hints;
    if (job == log_->fail_once_on) {
      log_->fail_once_on = 0;
      throw std::runtime_error("scripted engine failure");
    }
    if (job == log_->silent_job)
      return {"caller", "", {}};
    return {"caller", "i need a locksmith in boston", {}};
  }

private:
  std::shared_ptr<engine_log> log_;
};

struct test_config : caf::actor_system_config {
  test_config() {
    callscribe::add_message_types(*this);
    set("scheduler.policy", caf::atom("testing"));
  }
};

struct fixture {
  fs::path dir;
  std::string db_url;
  std::shared_ptr<engine_log> heard = std::make_shared<engine_log>();
  std::shared_ptr<pipeline_config> pipeline = std::make_shared<pipeline_config>();
  test_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::optional<storage::database> db;

  fixture() {
    dir = fs::temp_directory_path() / ("callscribe-actors-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    db_url = "sqlite:" + (dir / "test.db").string();
    db.emplace(storage::database::open(db_url));
    db->migrate();
    storage::business b;
    b.name = "Boston Lock & Key";
    b.phone_number = business_phone;
    b.language = "en";
    b.places_json = R"(["us"])";
    b.services_json = R"([{"name": "locksmith", "aliases": ["lock smith"]}])";
    storage::business_store(*db).upsert(b);

    auto& s = pipeline->settings;
    s.db_url = db_url;
    s.data_dir = dir.string();
    s.node_id = "test-node";
    s.places_dir = CALLSCRIBE_SOURCE_DIR "/config/places";
    s.prefetch = 3;
    pipeline->detach_blocking = false;
    pipeline->gazetteer = std::make_shared<extraction::gazetteer>(s.places_dir);
    auto d = dir;
    auto corrupt = heard;
    pipeline->download = [d, corrupt](const std::string&, const std::string& recording_sid, int) {
      int n = std::stoi(recording_sid.substr(2), nullptr, 16);
      auto path = (d / (recording_sid + ".wav")).string();
      if (n == corrupt->corrupt_job)
        std::ofstream(path) << "<html><body>502 Bad Gateway</body></html>";
      else
        write_wav(path, n);
      http::download_outcome out;
      out.result = http::download_outcome::status::ok;
      out.path = path;
      out.requests = 1;
      return out;
    };
    pipeline->lookup_call = [](const std::string&, std::string* error) -> std::optional<http::call_info> {
      *error = "no Twilio here";
      return std::nullopt;
    };
    auto log = heard;
    pipeline->make_engine = [log] {
      std::lock_guard<std::mutex> lock(log->m);
      ++log->engines_made;
      if (metrics::process().speech_engine_ready())
        ++log->loads_seen_as_ready;
      if (log->engines_made == log->factory_fails_on ||
          (log->factory_always_fails_after_first && log->engines_made > 1))
        throw std::runtime_error("model files unreadable");
      return std::make_unique<scripted_engine>(log);
    };
    pipeline->on_give_up = [this](const std::string& why) { gave_up = why; };
  }

  std::string gave_up;

  ~fixture() {
    // The system's destructor waits for every actor: stop them while the
    // test scheduler can still run them.
    if (sup)
      self->send_exit(sup, caf::exit_reason::user_shutdown);
    sched.run();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  void enqueue(int n) {
    storage::record_recording(
        *db, storage::intake_request{sid('C', n), sid('R', n), "https://api.twilio.com/rec/" + sid('R', n),
                                     "completed", 1, 1, caller_of(n), business_phone, "trace"});
  }

  supervisor_actor sup;

  // Runs until nothing is left but timers, then lets those timers (restart
  // backoff, the downloader's tick) fire; a bounded number of rounds.
  void run_with_timers(int rounds = 20) {
    for (int i = 0; i < rounds; ++i) {
      sched.run();
      if (sched.trigger_timeouts() == 0)
        break;
    }
    sched.run();
  }

  void start() {
    sup = sys.spawn(supervisor, std::shared_ptr<const pipeline_config>(pipeline));
    sched.run();
  }

  // Request timeouts the actor clock still holds: each keeps ~190 bytes and
  // a reference to its actor until it falls due, answered or not.
  std::size_t pending_request_timeouts() {
    std::size_t n = 0;
    for (const auto& entry : sched.clock().schedule())
      n += entry.second->subtype == caf::detail::simple_actor_clock::request_timeout_type;
    return n;
  }

  storage::job_record job(int n) { return *storage::job_store(*db).find_by_recording_sid(sid('R', n)); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(pipeline, fixture)

BOOST_AUTO_TEST_CASE(jobs_reach_the_transcriber_in_enqueue_order_and_end_done) {
  for (int n : {1, 2, 3, 4, 5})
    enqueue(n);
  start();
  BOOST_TEST(heard->jobs_heard == (std::vector<int>{1, 2, 3, 4, 5}), boost::test_tools::per_element());
  for (int n : {1, 2, 3, 4, 5}) {
    auto j = job(n);
    BOOST_TEST(storage::to_string(j.state) == "done");
    BOOST_TEST(j.attempts == 1);
    auto lead = storage::lead_store(*db).find_by_call_sid(sid('C', n));
    BOOST_REQUIRE(lead);
    BOOST_TEST(lead->extracted_service == "locksmith");
    BOOST_TEST(lead->extracted_city == "Boston, MA");
    BOOST_TEST(lead->city == "Boston, MA");
  }
  // Every download was answered, and its timeout left the clock with it.
  BOOST_TEST(pending_request_timeouts() == 0u);
  // Readiness followed the engine: not ready while it was made, ready after.
  BOOST_TEST(heard->loads_seen_as_ready == 0);
  BOOST_TEST(metrics::process().speech_engine_ready());
  // The engine heard the business's words: its services, then its largest places.
  BOOST_TEST(heard->last_hints.language == "en");
  BOOST_REQUIRE(!heard->last_hints.phrases.empty());
  BOOST_TEST(heard->last_hints.phrases.front() == "locksmith");
  const auto& p = heard->last_hints.phrases;
  BOOST_TEST((std::find(p.begin(), p.end(), "Boston") != p.end()));
  // Every hop of job 1 reached job_events, the lead write last, once the
  // tracer's batch was due.
  run_with_timers();
  auto events = storage::trace_store(*db).for_job(job(1).id);
  std::vector<std::string> names;
  for (const auto& e : events)
    names.push_back(e.actor + "/" + e.event);
  BOOST_TEST(names == (std::vector<std::string>{"downloader/claimed", "downloader/downloaded",
                                                "transcriber/transcribed", "extractor/extracted",
                                                "lead_writer/done"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_transcriber_is_replaced_and_its_job_and_the_next_complete) {
  // The engine fails on job 2 and cannot be made again in place: the
  // transcriber ends, and the supervisor's replacement makes a working one.
  heard->fail_once_on = 2;
  heard->factory_fails_on = 2;
  for (int n : {1, 2, 3})
    enqueue(n);
  start();
  run_with_timers();
  BOOST_TEST(heard->engines_made == 3);
  BOOST_TEST(heard->loads_seen_as_ready == 0); // each remake, in place or by the replacement
  BOOST_TEST(metrics::process().speech_engine_ready());
  BOOST_TEST(heard->jobs_heard == (std::vector<int>{1, 2, 2, 3}), boost::test_tools::per_element());
  for (int n : {1, 2, 3})
    BOOST_TEST(storage::to_string(job(n).state) == "done");
  BOOST_TEST(job(2).attempts == 2);
  BOOST_TEST(gave_up.empty());
  // The replacement (the engine made a third time) is the one in the
  // registry now, and it works.
  BOOST_REQUIRE(roles::find<transcriber_actor>(sys, roles::transcriber));
  enqueue(4);
  auto downloader = roles::find<downloader_actor>(sys, roles::downloader);
  self->send(downloader, recording_job{job(4).id, {}, sid('C', 4)});
  sched.run();
  BOOST_TEST(storage::to_string(job(4).state) == "done");
  // Job 2's trace tells the story: the engine failed, the supervisor
  // replaced the transcriber (and why), and the second attempt made it.
  run_with_timers();
  std::vector<std::string> names;
  std::string restart_detail;
  for (const auto& e : storage::trace_store(*db).for_job(job(2).id)) {
    names.push_back(e.actor + "/" + e.event);
    if (e.actor == "supervisor")
      restart_detail = e.detail;
  }
  // The job is claimed again at once; the restart lands around then.
  auto at = [&](const std::string& hop) {
    return std::find(names.begin(), names.end(), hop) - names.begin();
  };
  BOOST_TEST(std::count(names.begin(), names.end(), "downloader/claimed") == 2);
  BOOST_TEST(at("downloader/downloaded") < at("transcriber/failed"));
  BOOST_TEST(at("transcriber/failed") < at("supervisor/restarted"));
  BOOST_TEST(at("supervisor/restarted") < at("transcriber/transcribed"));
  BOOST_TEST(names.back() == "lead_writer/done");
  BOOST_TEST(restart_detail.find("transcriber restarted after:") == 0u, restart_detail);
}

BOOST_AUTO_TEST_CASE(trace_level_messages_adds_each_mailbox_and_off_keeps_nothing) {
  pipeline->settings.trace_level = "messages";
  enqueue(1);
  start();
  run_with_timers();
  std::vector<std::string> names;
  for (const auto& e : storage::trace_store(*db).for_job(job(1).id))
    names.push_back(e.actor + "/" + e.event + (e.event == "received" ? " " + e.detail : ""));
  BOOST_TEST(names == (std::vector<std::string>{
                          "downloader/claimed", "downloader/downloaded",
                          "transcriber/received audio_ready from downloader", "transcriber/transcribed",
                          "extractor/received transcript from downloader", "extractor/extracted",
                          "lead_writer/received extracted from extractor", "lead_writer/done",
                          "downloader/received job_finished from lead_writer"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(trace_level_off_writes_no_trace_and_the_job_still_completes) {
  pipeline->settings.trace_level = "off";
  enqueue(1);
  start();
  run_with_timers();
  BOOST_TEST(storage::to_string(job(1).state) == "done");
  BOOST_TEST(storage::trace_store(*db).for_job(job(1).id).empty());
}

BOOST_AUTO_TEST_CASE(a_job_that_always_breaks_the_engine_ends_dead_and_the_queue_moves_on) {
  // Default budgets: 5 attempts per job, 5 restarts a minute. The poison job
  // must use up its attempts, not the process's restarts.
  auto log = heard;
  pipeline->make_engine = [log] {
    struct poison : scripted_engine {
      using scripted_engine::scripted_engine;
      speech::channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& s,
                                                  const speech::recognition_hints& h) override {
        if (s.size() / 1600 == 1)
          throw std::runtime_error("poison");
        return scripted_engine::transcribe_pcm16(s, h);
      }
    };
    return std::make_unique<poison>(log);
  };
  enqueue(1);
  enqueue(2);
  start();
  run_with_timers();
  BOOST_TEST(storage::to_string(job(1).state) == "dead");
  BOOST_TEST(job(1).last_error.find("gave up after 5 attempts") != std::string::npos, job(1).last_error);
  BOOST_TEST(job(1).last_error.find("poison") != std::string::npos, job(1).last_error);
  BOOST_TEST(storage::to_string(job(2).state) == "done");
  BOOST_TEST(gave_up.empty());
  BOOST_TEST(static_cast<bool>(roles::find<downloader_actor>(sys, roles::downloader)));
}

BOOST_AUTO_TEST_CASE(too_many_restarts_stop_the_whole_pipeline_with_a_reason) {
  heard->fail_once_on = 1;
  heard->factory_always_fails_after_first = true; // every replacement fails at start
  enqueue(1);
  start();
  run_with_timers(40);
  BOOST_TEST(gave_up.find("transcriber failed") != std::string::npos, gave_up);
  // No engine: readiness says so. Nothing is left running to claim more work.
  BOOST_TEST(!metrics::process().speech_engine_ready());
  BOOST_TEST(!roles::find<downloader_actor>(sys, roles::downloader));
  BOOST_TEST(!roles::find<webhook_actor>(sys, roles::webhook));
  // The job was acknowledged: it stays in the job store, not done.
  BOOST_TEST(storage::to_string(job(1).state) != "done");
}

BOOST_AUTO_TEST_CASE(a_corrupt_recording_ends_dead_with_a_reason_and_the_next_job_goes_on) {
  heard->corrupt_job = 1;
  enqueue(1);
  enqueue(2);
  start();
  auto corrupt = job(1);
  BOOST_TEST(storage::to_string(corrupt.state) == "dead");
  BOOST_TEST(corrupt.last_error.rfind("cannot decode ", 0) == 0u, corrupt.last_error);
  BOOST_TEST(corrupt.last_error.find("not audio") != std::string::npos, corrupt.last_error);
  BOOST_TEST(std::count(corrupt.last_error.begin(), corrupt.last_error.end(), '\n') == 0);
  BOOST_TEST(job(1).attempts == 1); // no retries: the file will not get better
  BOOST_TEST(storage::to_string(job(2).state) == "done");
  BOOST_TEST(heard->engines_made == 1); // the transcriber was not harmed
}

BOOST_AUTO_TEST_CASE(a_recording_with_no_words_completes_once_with_a_trace_event_saying_so) {
  heard->silent_job = 1;
  enqueue(1);
  enqueue(2);
  start();
  BOOST_TEST(storage::to_string(job(1).state) == "done");
  BOOST_TEST(job(1).transcript.empty());
  BOOST_TEST(job(1).transcribed_at_us > 0);
  BOOST_TEST(heard->jobs_heard == (std::vector<int>{1, 2}), boost::test_tools::per_element());
  run_with_timers();
  auto events = storage::trace_store(*db).for_job(job(1).id);
  BOOST_TEST((std::find_if(events.begin(), events.end(), [](const auto& e) {
                return e.actor == "transcriber" && e.event == "no_words";
              }) != events.end()));
  auto lead = storage::lead_store(*db).find_by_call_sid(sid('C', 1));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->final_transcript.empty());
  BOOST_TEST(lead->city.empty());
  BOOST_TEST(storage::to_string(job(2).state) == "done");
}

BOOST_AUTO_TEST_CASE(a_duplicate_delivery_is_answered_and_changes_nothing) {
  start();
  auto webhook = roles::find<webhook_actor>(sys, roles::webhook);
  BOOST_REQUIRE(webhook);
  incoming_recording in{trace_context{"t1", "test", now_us()},
                        sid('C', 7),
                        sid('R', 7),
                        "https://api.twilio.com/rec",
                        "completed",
                        3,
                        1,
                        caller,
                        business_phone};
  std::vector<job_accepted> replies;
  for (int i = 0; i < 2; ++i) {
    self->send(webhook, in);
    sched.run();
    self->receive([&](const job_accepted& a) { replies.push_back(a); },
                  caf::after(std::chrono::seconds(0)) >> [] { BOOST_FAIL("the webhook did not answer"); });
  }
  BOOST_REQUIRE(replies.size() == 2u);
  BOOST_TEST(replies[0].created);
  BOOST_TEST(!replies[1].created);
  BOOST_TEST(replies[0].job_id == replies[1].job_id);
  BOOST_TEST(storage::job_store(*db).find_by_call_sid(sid('C', 7)).size() == 1u);
  BOOST_TEST(storage::to_string(job(7).state) == "done");
  BOOST_TEST(heard->jobs_heard == (std::vector<int>{7}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_call_to_an_unknown_number_ends_dead_with_its_reason) {
  start();
  auto webhook = roles::find<webhook_actor>(sys, roles::webhook);
  incoming_recording in{trace_context{"t2", "test", now_us()},
                        sid('C', 8),
                        sid('R', 8),
                        "https://api.twilio.com/rec",
                        "completed",
                        3,
                        1,
                        caller,
                        "+15550009999"};
  self->send(webhook, in);
  sched.run();
  self->receive([](const job_accepted& a) { BOOST_TEST(a.state == "dead"); },
                caf::after(std::chrono::seconds(0)) >> [] { BOOST_FAIL("the webhook did not answer"); });
  BOOST_TEST(storage::to_string(job(8).state) == "dead");
  BOOST_TEST(job(8).last_error == "unknown business");
  BOOST_TEST(heard->jobs_heard.empty());
}

BOOST_AUTO_TEST_SUITE_END()
