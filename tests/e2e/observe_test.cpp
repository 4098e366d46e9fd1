// Seeing what happened: a job's trace through the real pipeline, /metrics as
// a scraper reads it, and the dashboard in a real browser.
#include <boost/test/unit_test.hpp>

#include "tests/e2e/deployment.hpp"
#include "tests/e2e/webdriver.hpp"
#include "tests/metrics/prometheus_text.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

namespace {

prometheus_page scrape(const server_process& server) {
  auto r = http::testing::curl_request("GET", server.url("/metrics"));
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(r.headers.find("text/plain; version=0.0.4") != std::string::npos, r.headers);
  auto page = parse_prometheus(r.body);
  std::string errors;
  for (const auto& e : page.errors)
    errors += e + "\n";
  BOOST_TEST(page.errors.empty(), errors);
  return page;
}

// A recording through the Twilio callback, waited for until it is done.
std::int64_t run_job(deployment& d, int n) {
  d.twilio->add_recording(sid("RE", n), d.wav);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
             200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  return d.job(n)->id;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_job_leaves_a_complete_ordered_trace_whose_stages_add_up_to_its_end_to_end_time) {
  auto& d = shared();
  auto db = d.db();
  const auto id = run_job(d, 200);
  auto events = whole_trace(db, id, 6);
  std::vector<std::string> hops;
  for (const auto& e : events)
    hops.push_back(e.actor + "/" + e.event);
  const std::vector<std::string> expected{"webhook/enqueued",      "downloader/claimed",
                                          "downloader/downloaded", "transcriber/transcribed",
                                          "extractor/extracted",   "lead_writer/done"};
  BOOST_TEST(hops == expected, boost::test_tools::per_element());
  BOOST_REQUIRE(events.size() == expected.size());

  // Each hop begins after the one before it ended (they are one chain) and
  // was sent before it was handled.
  std::int64_t busy = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    BOOST_TEST(e.sent_at_us <= e.handled_at_us, hops[i]);
    BOOST_TEST(e.handled_at_us <= e.done_at_us, hops[i]);
    if (i > 0)
      BOOST_TEST(e.handled_at_us >= events[i - 1].handled_at_us, hops[i]);
    busy += e.done_at_us - e.handled_at_us;
  }
  // The hops' own times cover the job from the callback to the lead: what
  // is left is mailbox and queue waits, small next to a transcription.
  const std::int64_t end_to_end = events.back().done_at_us - events.front().handled_at_us;
  BOOST_TEST(busy <= end_to_end);
  BOOST_TEST(end_to_end - busy < 500'000, "unaccounted " << (end_to_end - busy) << " µs of " << end_to_end);
  BOOST_TEST(events[3].detail.find("pocketsphinx") == 0u, events[3].detail);
  BOOST_TEST(events[2].detail.find("HTTP 200") == 0u, events[2].detail);
  BOOST_TEST(events[4].detail.find("service 'locksmith', city 'Boston, MA'") == 0u, events[4].detail);
  BOOST_TEST(events[5].detail.find("service_type written 'locksmith'") != std::string::npos,
             events[5].detail);

  // `callscribe trace` reads the same from the database, with the stages.
  auto out_path = d.dir / "trace-200.txt";
  std::string command = std::string(CALLSCRIBE_BINARY_DIR "/callscribe trace ") + std::to_string(id) +
                        " --db.url=" + d.db_url + " > " + out_path.string() + " 2>&1";
  BOOST_TEST(std::system(command.c_str()) == 0);
  std::ifstream file(out_path);
  std::string timeline((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  BOOST_TEST_MESSAGE("callscribe trace " << id << ":\n" << timeline);
  for (const char* part :
       {"job ", "done", "transcriber", "stages: download ", " · transcribe ", " · end to end "})
    BOOST_TEST(timeline.find(part) != std::string::npos, "trace output lacks '" << part << "':\n"
                                                                                << timeline);
}

BOOST_AUTO_TEST_CASE(a_failing_download_is_marked_in_the_trace_and_counted) {
  auto& d = with_admin(); // one attempt per job, two requests per download
  const int n = 201;
  d.twilio->add_recording(sid("RE", n), d.wav, 1000); // never ready
  auto before = scrape(*d.server);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
             200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::dead); }, 60s),
                        "job did not end dead; log:\n" + d.server->log());
  auto db = d.db();
  auto events = whole_trace(db, d.job(n)->id, 4);
  std::vector<std::string> hops;
  std::string retry_detail;
  for (const auto& e : events) {
    hops.push_back(e.actor + "/" + e.event);
    if (e.event == "retry")
      retry_detail = e.detail;
  }
  BOOST_TEST(hops == (std::vector<std::string>{"webhook/enqueued", "downloader/claimed", "downloader/retry",
                                               "downloader/dead"}),
             boost::test_tools::per_element());
  BOOST_TEST(retry_detail.find("not ready") != std::string::npos, retry_detail);
  BOOST_TEST(retry_detail.find("HTTP 404") != std::string::npos, retry_detail);

  auto after = scrape(*d.server);
  BOOST_TEST(after.value("callscribe_download_retries_total") >=
             before.value("callscribe_download_retries_total") + 1);
  BOOST_TEST(after.value("callscribe_jobs_finished_total{result=\"dead\"}") >=
             before.value("callscribe_jobs_finished_total{result=\"dead\"}") + 1);
  BOOST_TEST(after.value("callscribe_jobs{state=\"dead\"}") >= 1);
}

BOOST_AUTO_TEST_CASE(metrics_parse_and_move_as_a_job_runs) {
  auto& d = shared();
  auto before = scrape(*d.server);
  for (const char* family :
       {"callscribe_jobs", "callscribe_queue_depth", "callscribe_oldest_queued_job_age_seconds",
        "callscribe_stage_duration_seconds", "callscribe_webhook_requests_total",
        "callscribe_download_retries_total", "callscribe_actor_restarts_total",
        "callscribe_transcriber_busy_ratio", "callscribe_speech_real_time_factor", "callscribe_build_info",
        "callscribe_sqlite_memory_bytes", "callscribe_speech_engine_ready", "callscribe_malloc_in_use_bytes",
        "callscribe_malloc_free_bytes"})
    BOOST_TEST(before.types.count(family) == 1u, family);
  BOOST_TEST(before.types.at("callscribe_stage_duration_seconds") == "histogram");

  run_job(d, 202);
  auto after = scrape(*d.server);
  auto moved = [&](const std::string& key, double by) {
    BOOST_TEST(after.value(key, 0) >= before.value(key, 0) + by,
               key << ": " << before.value(key, 0) << " → " << after.value(key, 0));
  };
  moved("callscribe_jobs{state=\"done\"}", 1);
  moved("callscribe_jobs_finished_total{result=\"done\"}", 1);
  moved("callscribe_webhook_requests_total{route=\"/twilio/recording-status\",status=\"200\"}", 1);
  for (const char* stage : {"download", "transcribe", "extract", "write", "end_to_end"})
    moved(std::string("callscribe_stage_duration_seconds_count{stage=\"") + stage + "\"}", 1);
  moved("callscribe_speech_real_time_factor_count", 1);
  moved("callscribe_transcriber_busy_seconds_total", 0.1);
  BOOST_TEST(after.value("callscribe_transcriber_busy_ratio") > 0);
  BOOST_TEST(after.value("callscribe_trace_events_written_total") > 0);
  BOOST_TEST(after.value("callscribe_sqlite_memory_bytes") > 0); // the server runs on SQLite here
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator replaces glibc's, whose account (mallinfo2) then reads 0.
  BOOST_TEST(after.value("callscribe_malloc_in_use_bytes") == 0);
#else
  BOOST_TEST(after.value("callscribe_malloc_in_use_bytes") > 1e6); // the gazetteer alone holds more
  BOOST_TEST(after.value("callscribe_malloc_free_bytes") > 0);     // freed chunks malloc kept
#endif

  // A refused callback is counted with its status.
  BOOST_TEST(
      post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, 203), "wrong-token")
          .status == 403);
  moved("callscribe_webhook_requests_total{route=\"/twilio/recording-status\",status=\"403\"}", 0);
  BOOST_TEST(scrape(*d.server).value("callscribe_webhook_requests_total{route=\"/twilio/recording-status\","
                                     "status=\"403\"}") >= 1);

  // Debian's promtool, when installed, agrees.
  if (std::system("command -v promtool > /dev/null 2>&1") == 0) {
    auto page = http::testing::curl_request("GET", d.server->url("/metrics"));
    auto path = d.dir / "metrics.txt";
    std::ofstream(path) << page.body;
    std::string check = "promtool check metrics < " + path.string() + " > " + path.string() + ".check 2>&1";
    int rc = std::system(check.c_str());
    std::ifstream said(path.string() + ".check");
    std::string text((std::istreambuf_iterator<char>(said)), std::istreambuf_iterator<char>());
    BOOST_TEST(rc == 0, "promtool check metrics: " << text);
    BOOST_TEST(text.empty(), "promtool check metrics: " << text);
  } else {
    BOOST_TEST_MESSAGE("promtool is not installed: the page was checked by the parser only");
  }
}

// The dashboard in a real browser: it finds a call by its CallSid, opens the
// job, and draws one lane per actor with a bar per hop; a dead job's failure
// is marked. The screenshot is kept as a test artifact.
BOOST_AUTO_TEST_CASE(the_dashboard_finds_a_call_and_draws_its_trace_in_a_real_browser) {
  std::string why_not;
  BOOST_REQUIRE_MESSAGE(
      webdriver_available(&why_not),
      "the browser test needs chromium and chromium-driver (scripts/setup.sh installs them): " + why_not);
  auto& d = with_admin();
  const int n = 204;
  d.twilio->add_recording(sid("RE", n), d.wav);
  auto created = admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, n));
  BOOST_REQUIRE(created.status == 201);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  auto db = d.db();
  const auto id = d.job(n)->id;
  whole_trace(db, id, 6);

  webdriver browser(d.dir);
  browser.navigate(d.server->url("/#token=" + admin_token));
  browser.wait_for("body[data-loaded='1']");
  // The token left the address bar as soon as the page read it.
  BOOST_TEST(browser.current_url().find(admin_token) == std::string::npos, browser.current_url());
  auto search = browser.find("#search");
  browser.type(search, sid("CA", n));
  browser.click(browser.find("#search-form button[type='submit'], #search-form button"));
  const std::string row = "#jobs tbody tr[data-job-id='" + std::to_string(id) + "']";
  browser.wait_for(row);
  // Only that call's job is listed, with what was found (the recent list
  // may still show until the search's answer replaces it).
  BOOST_TEST(wait_until([&] { return browser.find_all("#jobs tbody tr[data-job-id]").size() == 1u; }, 15s),
             browser.find_all("#jobs tbody tr[data-job-id]").size() << " rows");
  auto row_text = browser.text(browser.find(row));
  BOOST_TEST(row_text.find("locksmith") != std::string::npos, row_text);
  BOOST_TEST(row_text.find("Boston, MA") != std::string::npos, row_text);
  browser.click(browser.find(row));
  browser.wait_for("#timeline[data-loaded='1'] .lane[data-actor='lead_writer']");
  for (const char* actor : {"webhook", "downloader", "transcriber", "extractor", "lead_writer"})
    BOOST_TEST(browser.find_all(std::string("#timeline .lane[data-actor='") + actor + "'] .bar").size() >= 1u,
               actor);
  auto bar = browser.find("#timeline .lane[data-actor='transcriber'] .bar[data-event='transcribed']");
  BOOST_TEST(browser.attribute(bar, "title").find("pocketsphinx") != std::string::npos);
  // The transcription is the long bar: wider than the extraction's.
  auto width = [&](const std::string& css) {
    return browser
        .execute("return document.querySelector(arguments[0]).getBoundingClientRect().width;", {css})
        .get<double>();
  };
  BOOST_TEST(width("#timeline .bar[data-event='transcribed']") >
             width("#timeline .bar[data-event='extracted']"));
  BOOST_TEST(browser.find_all("#timeline .bar.failed").empty());
  const fs::path artifacts = fs::path(CALLSCRIBE_BINARY_DIR) / "test-artifacts";
  fs::create_directories(artifacts);
  browser.screenshot(artifacts / "dashboard.png");
  BOOST_TEST(fs::file_size(artifacts / "dashboard.png") > 10000u);

  // A job whose recording never came: its trace shows the failure, marked.
  const int dead = 205;
  d.twilio->add_recording(sid("RE", dead), d.wav, 1000);
  BOOST_REQUIRE(admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, dead)).status ==
                201);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(dead, storage::job_state::dead); }, 60s));
  const auto dead_id = d.job(dead)->id;
  whole_trace(db, dead_id, 4);
  // A fresh load (a query, so not just a fragment change); the token is in session storage now.
  browser.navigate(d.server->url("/?reload#job=" + std::to_string(dead_id)));
  browser.wait_for("#timeline[data-loaded='1'] .bar.failed");
  BOOST_TEST(browser.find_all("#timeline .lane[data-actor='downloader'] .bar.failed").size() >= 1u);
  browser.screenshot(artifacts / "dashboard-dead-job.png");
  auto errors = browser.console_errors();
  errors.erase(std::remove_if(errors.begin(), errors.end(),
                              [](const std::string& e) { return e.find("favicon") != std::string::npos; }),
               errors.end());
  std::string all;
  for (const auto& e : errors)
    all += e + "\n";
  BOOST_TEST(errors.empty(), "browser console: " << all);
}

// log.format=json: every line one JSON object a log shipper can read, the
// job's lines tagged with its job, call and actor.
BOOST_AUTO_TEST_CASE(json_logs_tag_each_line_with_its_job_call_and_actor) {
  deployment d("json-logs", {{"CALLSCRIBE_LOG_FORMAT", "json"}});
  const int n = 206;
  const auto id = run_job(d, n);
  d.server->terminate();
  std::istringstream lines(d.server->log());
  std::string line;
  int parsed = 0;
  bool transcriber_line = false, writer_line = false;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    BOOST_REQUIRE_MESSAGE(j.is_object(), "not a JSON object: " << line);
    ++parsed;
    for (const char* key : {"time", "level", "job", "call_sid", "actor", "message"})
      BOOST_TEST(j.contains(key), key << " missing: " << line);
    const auto message = j.value("message", "");
    if (message.find("Transcript obtained") != std::string::npos) {
      transcriber_line = j["actor"] == "transcriber" && j["job"] == id && j["call_sid"] == sid("CA", n);
      BOOST_TEST(transcriber_line, line);
    }
    if (message.find("Completed processing") != std::string::npos) {
      writer_line = j["actor"] == "lead_writer" && j["job"] == id;
      BOOST_TEST(writer_line, line);
    }
  }
  BOOST_TEST(parsed > 10);
  BOOST_TEST(transcriber_line);
  BOOST_TEST(writer_line);
}
