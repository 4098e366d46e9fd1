// The retention sweep with a clock the test sets: local audio of finished
// jobs goes after storage.retention-days (at once with 0), recordings of done
// jobs are deleted at Twilio once, and the transcript and the job stay.
#include <boost/test/unit_test.hpp>

#include "storage/job_store.hpp"
#include "storage/retention.hpp"
#include "storage/trace_store.hpp"
#include "tests/storage/sample_jobs.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

#include <fstream>

using namespace callscribe::storage;
using callscribe::storage::test::job_for;
using callscribe::storage::test::scratch_db;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t day_us = 86'400'000'000LL;

struct finished_jobs : scratch_db {
  job_store jobs{db};
  std::vector<std::int64_t> ids;
  std::vector<std::string> files;

  // Three jobs with audio on disk: done, dead, and one still transcribing.
  finished_jobs() {
    for (int n = 1; n <= 3; ++n) {
      const auto j = job_for(n);
      ids.push_back(jobs.insert(j).job_id);
      files.push_back((dir / (j.recording_sid + ".wav")).string());
      std::ofstream(files.back()) << "RIFF";
    }
    jobs.claim("node-a", 3, 60s, 5);
    for (int i = 0; i < 3; ++i) {
      BOOST_REQUIRE(jobs.mark_downloaded(ids[i], "node-a", files[i]));
      BOOST_REQUIRE(jobs.store_transcript(ids[i], "node-a", "I need a locksmith"));
    }
    db.session() << "UPDATE recording_jobs SET state = 'done' WHERE id = :id", soci::use(ids[0]);
    BOOST_REQUIRE(jobs.mark_dead(ids[1], "node-a", "extraction failed"));
  }

  bool on_disk(int i) const { return std::filesystem::exists(files[i]); }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(audio_stays_until_its_days_are_up_then_goes_and_the_transcript_stays, finished_jobs) {
  std::vector<std::string> deleted_at_twilio;
  auto remote = [&](const job_record& j, std::string*) {
    deleted_at_twilio.push_back(j.recording_sid);
    return true;
  };
  const auto now = now_us();
  auto early = sweep_retention(db, retention_policy{7, false}, now + 6 * day_us, remote);
  BOOST_TEST(early.audio_deleted == 0);
  BOOST_TEST(on_disk(0));
  auto later = sweep_retention(db, retention_policy{7, false}, now + 8 * day_us, remote);
  BOOST_TEST(later.audio_deleted == 2);
  BOOST_TEST(!on_disk(0));
  BOOST_TEST(!on_disk(1));
  BOOST_TEST(on_disk(2));                // still being worked on
  BOOST_TEST(deleted_at_twilio.empty()); // not asked to
  auto done = jobs.find(ids[0]);
  BOOST_TEST(done->audio_path.empty());
  BOOST_TEST(done->transcript == "I need a locksmith");
  BOOST_TEST(to_string(done->state) == "done");
  // Nothing left to do: the next sweep does nothing.
  BOOST_TEST(sweep_retention(db, retention_policy{7, false}, now + 9 * day_us, remote).audio_deleted == 0);
}

BOOST_FIXTURE_TEST_CASE(zero_days_deletes_at_once_and_twilio_is_asked_once_per_done_job, finished_jobs) {
  int calls = 0;
  bool twilio_up = false;
  auto remote = [&](const job_record& j, std::string* error) {
    ++calls;
    BOOST_TEST(j.id == ids[0]); // only the done job
    if (!twilio_up)
      *error = "DELETE Recordings/RE….json: HTTP 503";
    return twilio_up;
  };
  auto first = sweep_retention(db, retention_policy{0, true}, now_us(), remote);
  BOOST_TEST(first.audio_deleted == 2);
  BOOST_TEST(first.twilio_failed == 1);
  BOOST_TEST(first.last_error.find("503") != std::string::npos);
  twilio_up = true;
  auto second = sweep_retention(db, retention_policy{0, true}, now_us(), remote);
  BOOST_TEST(second.twilio_deleted == 1);
  auto third = sweep_retention(db, retention_policy{0, true}, now_us(), remote);
  BOOST_TEST(third.twilio_deleted == 0);
  BOOST_TEST(calls == 2);
}

BOOST_FIXTURE_TEST_CASE(the_trace_of_a_finished_job_goes_after_its_own_days_and_a_running_job_keeps_it,
                        finished_jobs) {
  trace_store traces(db);
  for (auto id : ids)
    traces.append(std::vector<trace_event>{{id, "downloader", "claimed", 1, 2, 3, "node-a", "attempt 1"},
                                           {id, "downloader", "downloaded", 4, 5, 6, "node-a", "HTTP 200"}});
  auto remote = [](const job_record&, std::string*) { return true; };
  const auto now = now_us();
  // Audio goes at once, traces stay their 30 days.
  auto soon = sweep_retention(db, retention_policy{0, false, 30}, now + 1 * day_us, remote);
  BOOST_TEST(soon.trace_events_deleted == 0);
  BOOST_TEST(traces.for_job(ids[0]).size() == 2u);
  auto later = sweep_retention(db, retention_policy{0, false, 30}, now + 31 * day_us, remote);
  BOOST_TEST(later.trace_events_deleted == 4); // done and dead
  BOOST_TEST(traces.for_job(ids[0]).empty());
  BOOST_TEST(traces.for_job(ids[1]).empty());
  BOOST_TEST(traces.for_job(ids[2]).size() == 2u); // still being worked on
  // 0 keeps them for ever.
  BOOST_TEST(
      sweep_retention(db, retention_policy{0, false, 0}, now + 400 * day_us, remote).trace_events_deleted ==
      0);
  BOOST_TEST(traces.for_job(ids[2]).size() == 2u);
}

// Several nodes: each keeps the recordings it downloaded on its own disk and
// deletes only those; another node's sweep leaves them (and their paths) be.
BOOST_FIXTURE_TEST_CASE(a_node_deletes_only_the_audio_it_downloaded, finished_jobs) {
  auto remote = [](const job_record&, std::string*) { return true; };
  auto other = sweep_retention(db, retention_policy{0, false, 30, "node-b"}, now_us(), remote);
  BOOST_TEST(other.audio_deleted == 0);
  BOOST_TEST(on_disk(0));
  BOOST_TEST(!jobs.find(ids[0])->audio_path.empty());
  auto own = sweep_retention(db, retention_policy{0, false, 30, "node-a"}, now_us(), remote);
  BOOST_TEST(own.audio_deleted == 2);
  BOOST_TEST(!on_disk(0));
  BOOST_TEST(!on_disk(1));
}
