// kill -9 at every stage of a job, then a restart: no acknowledged call is
// lost, none is written twice. Needs a build with CALLSCRIBE_FAULTS=ON (the
// crash points of fault/fault_point.hpp); .ci/run makes one, with the
// sanitizers on. Runs per stage: CALLSCRIBE_FAULT_RUNS (20).
#define BOOST_TEST_MODULE faults
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "storage/lead_store.hpp"
#include "tests/e2e/deployment.hpp"

#include <soci/soci.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

namespace {

int runs() {
  const char* v = std::getenv("CALLSCRIBE_FAULT_RUNS");
  return v ? std::max(1, std::atoi(v)) : 20;
}

long long count(deployment& d, const std::string& sql) {
  auto db = d.db();
  long long n = 0;
  db.session() << sql, soci::into(n);
  return n;
}

struct tally {
  int runs = 0, killed = 0, acknowledged = 0, lost = 0, doubled = 0;
};

std::string results_table;

// One stage: each run starts the server set to die at `point`, posts one
// new recording, lets it die, starts it again as it was, re-posts the
// callback when it had not been answered (as Twilio retries), and checks the
// job: done once, one lead write, its transcript once on the lead.
tally crash_at(const std::string& point, bool fresh_database) {
  deployment d("fault-" + point,
               {{"CALLSCRIBE_STT_ENGINE", "command"},
                {"CALLSCRIBE_STT_COMMAND", "sh -c 'echo I need a locksmith in Boston' {file}"},
                {"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"},
                {"CALLSCRIBE_WORKER_LEASE_SECONDS", "5"}});
  d.server->terminate();
  tally t;
  const int base = 1000;
  for (int r = 0; r < runs(); ++r) {
    const int n = base + r;
    ++t.runs;
    d.twilio->add_recording(sid("RE", n), d.wav);
    if (fresh_database)
      fs::remove_all(d.dir / "db");
    // A migration crash: at a different migration each run.
    d.server->set_env("CALLSCRIBE_FAULT", fresh_database ? point + ":" + std::to_string(r % storage::latest_schema_version() + 1) : point);
    bool up = true;
    try {
      d.server->start();
    } catch (const std::exception&) {
      up = false; // died while starting (in a migration)
    }
    bool answered = false;
    if (up) {
      auto reply = post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
      answered = reply.rc == CURLE_OK && reply.status == 200;
      if (d.server->wait_exit(30s) == 128 + SIGKILL)
        ++t.killed;
      else
        d.server->kill9(); // the point was not reached in time: count it as not killed
    } else {
      ++t.killed;
    }
    t.acknowledged += answered ? 1 : 0;
    d.server->set_env("CALLSCRIBE_FAULT", "");
    d.server->start();
    if (!answered) // Twilio retries what it saw no answer to
      BOOST_TEST(
          post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status == 200);
    bool done = wait_until([&] { return d.job_in(n, storage::job_state::done); }, 60s);
    const auto job = d.job(n);
    const auto writes =
        job ? count(d, "SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND job_id = " +
                           std::to_string(job->id))
            : 0;
    auto db = d.db();
    auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
    std::size_t copies = 0;
    if (lead)
      for (auto at = lead->final_transcript.find("locksmith"); at != std::string::npos;
           at = lead->final_transcript.find("locksmith", at + 1))
        ++copies;
    if (!done || !lead)
      ++t.lost;
    else if (writes != 1 || copies != 1 ||
             count(d, "SELECT COUNT(*) FROM recording_jobs WHERE recording_sid = '" + sid("RE", n) + "'") !=
                 1)
      ++t.doubled;
    BOOST_TEST(done, point << " run " << r << ": job not done; log tail:\n"
                           << d.server->log().substr(
                                  d.server->log().size() > 2000 ? d.server->log().size() - 2000 : 0));
    BOOST_TEST(writes == 1, point << " run " << r);
    BOOST_TEST(copies == 1u, point << " run " << r << ": " << (lead ? lead->final_transcript : "no lead"));
    BOOST_TEST(d.server->terminate() == 0);
  }
  if (fresh_database)
    BOOST_TEST(count(d, "SELECT COUNT(*) FROM schema_migrations") == storage::latest_schema_version());
  char line[200];
  std::snprintf(line, sizeof line, "| %s | %d | %d | %d | %d | %d |\n", point.c_str(), t.runs, t.killed,
                t.acknowledged, t.lost, t.doubled);
  results_table += line;
  return t;
}

struct print_table {
  ~print_table() {
    if (!results_table.empty())
      std::printf("\n| crash point | runs | killed there | acknowledged first | lost | doubled |\n"
                  "|---|---:|---:|---:|---:|---:|\n%s\n",
                  results_table.c_str());
  }
};
BOOST_GLOBAL_FIXTURE(print_table);

} // namespace

// Each crash point: after the webhook's answer is on the wire, in a download
// (the file there, the job not told), a transcription (text made, not
// stored), an extraction, the lead write (lead updated, job not yet done, one
// transaction) and a migration (its statements run, not committed).
const char* const crash_points[] = {"after_answer",  "in_download",   "in_transcription",
                                    "in_extraction", "in_lead_write", "in_migration"};

BOOST_DATA_TEST_CASE(a_kill_at_each_crash_point_loses_and_doubles_nothing,
                     boost::unit_test::data::make(crash_points), point) {
  const std::string name = point;
  auto t = crash_at(name, name == "in_migration");
  BOOST_TEST(t.killed == t.runs);
  if (name == "after_answer")
    BOOST_TEST(t.acknowledged == t.runs);
  BOOST_TEST(t.lost == 0);
  BOOST_TEST(t.doubled == 0);
}
