// The durable job queue: idempotent insert, claims under a lease, and the
// updates only a lease holder may make.
#include <boost/test/unit_test.hpp>

#include "storage/job_store.hpp"
#include "tests/storage/sample_jobs.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <set>
#include <thread>

using namespace callscribe::storage;
using callscribe::storage::test::job_for;
using callscribe::storage::test::scratch_db;
using namespace std::chrono_literals;

namespace {

std::vector<std::int64_t> ids_of(const std::vector<job_record>& jobs) {
  std::vector<std::int64_t> ids;
  for (const auto& j : jobs)
    ids.push_back(j.id);
  return ids;
}

} // namespace

BOOST_AUTO_TEST_CASE(states_round_trip_through_their_names) {
  for (auto s : {job_state::queued, job_state::downloading, job_state::downloaded, job_state::transcribing,
                 job_state::extracting, job_state::writing, job_state::done, job_state::dead})
    BOOST_TEST((job_state_from_string(to_string(s)) == s));
  BOOST_TEST(!job_state_from_string("finished").has_value());
}

BOOST_AUTO_TEST_CASE(insert_is_idempotent_on_recording_sid) {
  scratch_db s;
  job_store jobs(s.db);
  auto first = jobs.insert(job_for(1));
  BOOST_TEST(first.created);
  auto again = jobs.insert(job_for(1));
  BOOST_TEST(!again.created);
  BOOST_TEST(again.job_id == first.job_id);

  auto j = jobs.find(first.job_id);
  BOOST_REQUIRE(j);
  BOOST_TEST((j->state == job_state::queued));
  BOOST_TEST(j->recording_sid == job_for(1).recording_sid);
  BOOST_TEST(j->call_sid == job_for(1).call_sid);
  BOOST_TEST(j->business_id.value_or(0) == 7);
  BOOST_TEST(j->channels == 2);
  BOOST_TEST(j->duration_seconds == 31);
  BOOST_TEST(j->trace_id == "trace-1");
  BOOST_TEST(j->attempts == 0);
  BOOST_TEST(j->created_at.size() == 20u);
  BOOST_TEST(j->created_at.back() == 'Z');
  BOOST_TEST(jobs.find_by_recording_sid(job_for(1).recording_sid)->id == first.job_id);
  BOOST_TEST(!jobs.find_by_recording_sid("RE-none").has_value());
  BOOST_TEST(!jobs.find(first.job_id + 100).has_value());
}

BOOST_AUTO_TEST_CASE(a_job_without_business_stores_null) {
  scratch_db s;
  job_store jobs(s.db);
  auto j = job_for(1);
  j.business_id.reset();
  j.from_number.clear();
  j.to_number.clear();
  auto id = jobs.insert(j).job_id;
  BOOST_TEST(!jobs.find(id)->business_id.has_value());
}

BOOST_AUTO_TEST_CASE(insert_with_a_dead_reason_starts_dead_and_is_never_claimed) {
  scratch_db s;
  job_store jobs(s.db);
  auto j = job_for(1);
  j.dead_reason = "unknown business";
  auto id = jobs.insert(j).job_id;
  auto stored = jobs.find(id);
  BOOST_TEST((stored->state == job_state::dead));
  BOOST_TEST(stored->last_error == "unknown business");
  BOOST_TEST(jobs.claim("node-a", 10, 60s, 5).empty());
}

BOOST_AUTO_TEST_CASE(claims_go_in_id_order_up_to_the_limit_and_count_attempts) {
  scratch_db s;
  job_store jobs(s.db);
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 5; ++n)
    ids.push_back(jobs.insert(job_for(n)).job_id);

  auto first = jobs.claim("node-a", 2, 60s, 5);
  BOOST_TEST(ids_of(first) == std::vector<std::int64_t>(ids.begin(), ids.begin() + 2));
  for (const auto& j : first) {
    BOOST_TEST((j.state == job_state::downloading));
    BOOST_TEST(j.attempts == 1);
    BOOST_TEST(j.lease_owner == "node-a");
    BOOST_TEST(j.lease_expires_at_us > now_us() + 50'000'000);
  }
  // Live leases are not claimable, by anyone.
  auto second = jobs.claim("node-b", 10, 60s, 5);
  BOOST_TEST(ids_of(second) == std::vector<std::int64_t>(ids.begin() + 2, ids.end()));
  BOOST_TEST(jobs.claim("node-a", 10, 60s, 5).empty());
  BOOST_TEST(jobs.claim("node-a", 0, 60s, 5).empty());

  auto counts = jobs.count_by_state();
  BOOST_TEST(counts.size() == 8u);
  for (auto [state, count] : counts)
    BOOST_TEST(count == (state == job_state::downloading ? 5 : 0));
}

BOOST_AUTO_TEST_CASE(an_expired_lease_lets_another_owner_claim_and_fences_the_first) {
  scratch_db s;
  job_store jobs(s.db);
  auto id = jobs.insert(job_for(1)).job_id;
  auto a = jobs.claim("node-a", 1, 0s, 5); // expires at once
  BOOST_REQUIRE(a.size() == 1u);
  BOOST_TEST(jobs.mark_downloaded(id, "node-a", "/data/RE1.wav"));

  auto b = jobs.claim("node-b", 1, 60s, 5);
  BOOST_REQUIRE(b.size() == 1u);
  BOOST_TEST(b[0].id == id);
  BOOST_TEST(b[0].attempts == 2);
  BOOST_TEST(b[0].lease_owner == "node-b");
  // Resumes from its durable stage rather than starting over.
  BOOST_TEST((b[0].state == job_state::downloaded));
  BOOST_TEST(b[0].audio_path == "/data/RE1.wav");

  BOOST_TEST(!jobs.set_state(id, "node-a", job_state::transcribing));
  BOOST_TEST(!jobs.store_transcript(id, "node-a", "stale"));
  BOOST_TEST(!jobs.release_for_retry(id, "node-a", now_us(), "stale"));
  BOOST_TEST(!jobs.mark_dead(id, "node-a", "stale"));
  BOOST_TEST(!jobs.set_business(id, "node-a", 9, "", ""));
  BOOST_TEST(jobs.find(id)->transcript.empty());
  BOOST_TEST(jobs.find(id)->transcribed_at_us == 0);

  BOOST_TEST(jobs.set_state(id, "node-b", job_state::transcribing));
  BOOST_TEST(jobs.store_transcript(id, "node-b", "שלום, אני צריך מנעולן בעפולה"));
  auto stored = jobs.find(id);
  BOOST_TEST(stored->transcript == "שלום, אני צריך מנעולן בעפולה");
  BOOST_TEST((stored->state == job_state::extracting));
  BOOST_TEST(stored->transcribed_at_us > 0);
}

BOOST_AUTO_TEST_CASE(an_empty_transcript_is_a_stored_result_too) {
  // A recording with no words: transcribed, and must not be transcribed again.
  scratch_db s;
  job_store jobs(s.db);
  auto id = jobs.insert(job_for(1)).job_id;
  jobs.claim("node-a", 1, 60s, 5);
  BOOST_TEST(jobs.store_transcript(id, "node-a", ""));
  BOOST_TEST(jobs.release_for_retry(id, "node-a", now_us(), "restart"));
  auto again = jobs.claim("node-a", 1, 60s, 5);
  BOOST_REQUIRE(again.size() == 1u);
  BOOST_TEST(again[0].transcript.empty());
  BOOST_TEST(again[0].transcribed_at_us > 0);
}

BOOST_AUTO_TEST_CASE(set_business_fills_in_what_the_callback_lacked) {
  scratch_db s;
  job_store jobs(s.db);
  auto j = job_for(1);
  j.business_id.reset();
  j.from_number.clear();
  j.to_number = "+97246000000";
  auto id = jobs.insert(j).job_id;
  jobs.claim("node-a", 1, 60s, 5);
  BOOST_TEST(jobs.set_business(id, "node-a", 3, "+972509999999", ""));
  auto stored = jobs.find(id);
  BOOST_TEST(stored->business_id.value_or(0) == 3);
  BOOST_TEST(stored->from_number == "+972509999999");
  BOOST_TEST(stored->to_number == "+97246000000");
}

BOOST_AUTO_TEST_CASE(a_job_out_of_attempts_ends_dead_with_its_last_error) {
  scratch_db s;
  job_store jobs(s.db);
  auto poison = jobs.insert(job_for(1)).job_id;
  auto healthy = jobs.insert(job_for(2)).job_id;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto claimed = jobs.claim("node-a", 1, 60s, 2);
    BOOST_REQUIRE(claimed.size() == 1u);
    BOOST_TEST(claimed[0].id == poison);
    BOOST_TEST(claimed[0].attempts == attempt);
    BOOST_TEST(jobs.release_for_retry(poison, "node-a", 0, "HTTP 500 from Twilio"));
  }
  // The poison job dies and does not use up the claim: the next one is served.
  auto claimed = jobs.claim("node-a", 1, 60s, 2);
  BOOST_TEST(ids_of(claimed) == std::vector<std::int64_t>{healthy});
  auto dead = jobs.find(poison);
  BOOST_TEST((dead->state == job_state::dead));
  BOOST_TEST(dead->last_error == "gave up after 2 attempts: HTTP 500 from Twilio");
  BOOST_TEST(dead->lease_owner.empty());
}

BOOST_AUTO_TEST_CASE(release_for_retry_keeps_the_id_and_waits_for_next_attempt) {
  scratch_db s;
  job_store jobs(s.db);
  auto first = jobs.insert(job_for(1)).job_id;
  auto second = jobs.insert(job_for(2)).job_id;
  BOOST_REQUIRE(jobs.claim("node-a", 1, 60s, 5).size() == 1u);
  auto due = now_us() + 3'600'000'000LL;
  BOOST_TEST(jobs.release_for_retry(first, "node-a", due, "recording not ready (404)"));

  auto j = jobs.find(first);
  BOOST_TEST(j->id == first);
  BOOST_TEST((j->state == job_state::queued));
  BOOST_TEST(j->attempts == 1);
  BOOST_TEST(j->lease_owner.empty());
  BOOST_TEST(j->next_attempt_at_us == due);
  BOOST_TEST(j->last_error == "recording not ready (404)");
  BOOST_TEST(jobs.next_due_us() == due);

  auto claimed = jobs.claim("node-a", 5, 60s, 5);
  BOOST_TEST(ids_of(claimed) == std::vector<std::int64_t>{second});

  // Once due, it goes first again.
  BOOST_TEST(jobs.set_state(second, "node-a", job_state::done));
  jobs.insert(job_for(3));
  s.db.session() << "UPDATE recording_jobs SET next_attempt_at = 1 WHERE id = " + std::to_string(first);
  BOOST_TEST(jobs.next_due_us() == 0);
  claimed = jobs.claim("node-a", 1, 60s, 5);
  BOOST_TEST(ids_of(claimed) == std::vector<std::int64_t>{first});
  BOOST_TEST(claimed[0].attempts == 2);
}

BOOST_AUTO_TEST_CASE(renew_extends_only_the_owners_leases) {
  scratch_db s;
  job_store jobs(s.db);
  auto a = jobs.insert(job_for(1)).job_id;
  auto b = jobs.insert(job_for(2)).job_id;
  jobs.claim("node-a", 1, 1s, 5);
  jobs.claim("node-b", 1, 1s, 5);
  jobs.renew("node-a", {a, b}, 600s);
  BOOST_TEST(jobs.find(a)->lease_expires_at_us > now_us() + 500'000'000LL);
  BOOST_TEST(jobs.find(b)->lease_expires_at_us < now_us() + 2'000'000LL);
}

BOOST_AUTO_TEST_CASE(take_back_leases_frees_a_nodes_jobs_at_once) {
  scratch_db s;
  job_store jobs(s.db);
  auto a = jobs.insert(job_for(1)).job_id;
  auto b = jobs.insert(job_for(2)).job_id;
  auto c = jobs.insert(job_for(3)).job_id;
  jobs.claim("node-a", 1, 600s, 5);
  jobs.claim("node-b", 1, 600s, 5);
  jobs.claim("node-a", 1, 600s, 5);
  BOOST_TEST(jobs.set_state(c, "node-a", job_state::done));

  BOOST_TEST(jobs.take_back_leases("node-a") == 1); // the done job keeps nothing to take back
  BOOST_TEST(jobs.find(a)->lease_owner.empty());
  BOOST_TEST(jobs.find(b)->lease_owner == "node-b");
  BOOST_TEST(ids_of(jobs.claim("node-a", 5, 600s, 5)) == std::vector<std::int64_t>{a});

  BOOST_TEST(jobs.take_back_leases("") == 2);
  BOOST_TEST(ids_of(jobs.claim("node-c", 5, 600s, 5)) == (std::vector<std::int64_t>{a, b}));
  auto resumed = jobs.find(a);
  BOOST_TEST(resumed->attempts == 3);
  BOOST_TEST((resumed->state == job_state::downloading));
}

BOOST_AUTO_TEST_CASE(mark_dead_without_owner_ends_any_live_job_but_not_a_done_one) {
  scratch_db s;
  job_store jobs(s.db);
  auto a = jobs.insert(job_for(1)).job_id;
  auto b = jobs.insert(job_for(2)).job_id;
  jobs.claim("node-a", 2, 60s, 5);
  BOOST_TEST(jobs.set_state(b, "node-a", job_state::done));
  BOOST_TEST(jobs.mark_dead(a, "", "operator cancelled"));
  BOOST_TEST(!jobs.mark_dead(b, "", "operator cancelled"));
  BOOST_TEST((jobs.find(a)->state == job_state::dead));
  BOOST_TEST((jobs.find(b)->state == job_state::done));
}

BOOST_AUTO_TEST_CASE(recent_and_by_call_sid_listings) {
  scratch_db s;
  job_store jobs(s.db);
  auto one = jobs.insert(job_for(1)).job_id;
  auto two = jobs.insert(job_for(2)).job_id;
  auto sibling = job_for(3);
  sibling.call_sid = job_for(1).call_sid;
  auto three = jobs.insert(sibling).job_id;
  BOOST_TEST(ids_of(jobs.recent(2)) == (std::vector<std::int64_t>{three, two}));
  BOOST_TEST(ids_of(jobs.find_by_call_sid(job_for(1).call_sid)) == (std::vector<std::int64_t>{one, three}));
}

BOOST_AUTO_TEST_CASE(two_claimers_on_separate_connections_never_share_a_job) {
  scratch_db s;
  {
    job_store jobs(s.db);
    for (int n = 1; n <= 50; ++n)
      jobs.insert(job_for(n));
  }
  std::vector<std::int64_t> claimed[2];
  std::string failure[2];
  auto worker = [&](int w) {
    try {
      auto db = s.another();
      job_store jobs(db);
      std::string owner = "node-" + std::to_string(w);
      for (;;) {
        auto got = jobs.claim(owner, 3, 600s, 5);
        if (got.empty())
          break;
        for (const auto& j : got) {
          claimed[w].push_back(j.id);
          // Write between claims so the two connections contend for the lock.
          jobs.set_state(j.id, owner, job_state::transcribing);
        }
      }
    } catch (const std::exception& e) {
      failure[w] = e.what();
    }
  };
  std::thread t0(worker, 0), t1(worker, 1);
  t0.join();
  t1.join();
  BOOST_TEST(failure[0] == "");
  BOOST_TEST(failure[1] == "");
  std::set<std::int64_t> all(claimed[0].begin(), claimed[0].end());
  all.insert(claimed[1].begin(), claimed[1].end());
  BOOST_TEST(claimed[0].size() + claimed[1].size() == 50u);
  BOOST_TEST(all.size() == 50u);
  for (const auto& j : job_store(s.db).recent(100))
    BOOST_TEST(j.attempts == 1);
}

BOOST_AUTO_TEST_CASE(pages_go_newest_first_by_state_and_below_an_id) {
  scratch_db s;
  job_store jobs(s.db);
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 5; ++n)
    ids.push_back(jobs.insert(job_for(n)).job_id);
  jobs.claim("node-a", 1, 60s, 5); // the first is claimed, then dies
  BOOST_TEST(jobs.mark_dead(ids[0], "node-a", "bad audio"));
  BOOST_TEST(ids_of(jobs.page(std::nullopt, 0, 3)) == (std::vector<std::int64_t>{ids[4], ids[3], ids[2]}),
             boost::test_tools::per_element());
  BOOST_TEST(ids_of(jobs.page(std::nullopt, ids[2], 3)) == (std::vector<std::int64_t>{ids[1], ids[0]}),
             boost::test_tools::per_element());
  BOOST_TEST(ids_of(jobs.page(job_state::dead, 0, 10)) == std::vector<std::int64_t>{ids[0]},
             boost::test_tools::per_element());
  BOOST_TEST(jobs.page(job_state::done, 0, 10).empty());
}

BOOST_AUTO_TEST_CASE(a_dead_or_done_job_is_queued_again_from_the_start_and_no_other) {
  scratch_db s;
  job_store jobs(s.db);
  auto id = jobs.insert(job_for(1)).job_id;
  BOOST_TEST(!jobs.requeue(id)); // queued: nothing to retry
  jobs.claim("node-a", 1, 60s, 5);
  BOOST_TEST(jobs.mark_downloaded(id, "node-a", "/data/recordings/x.wav"));
  BOOST_TEST(jobs.store_transcript(id, "node-a", "I need a locksmith"));
  BOOST_TEST(!jobs.requeue(id)); // in progress: the node that holds it finishes it
  BOOST_TEST(jobs.mark_dead(id, "node-a", "engine failed"));
  BOOST_TEST(jobs.requeue(id));
  auto j = jobs.find(id);
  BOOST_REQUIRE(j);
  BOOST_TEST(to_string(j->state) == "queued");
  BOOST_TEST(j->attempts == 0);
  BOOST_TEST(j->last_error.empty());
  BOOST_TEST(j->audio_path.empty());
  BOOST_TEST(j->transcribed_at_us == 0);
  BOOST_TEST(j->lease_owner.empty());
  BOOST_TEST(jobs.claim("node-b", 1, 60s, 5).size() == 1u);
  BOOST_TEST(!jobs.requeue(999999));
}
