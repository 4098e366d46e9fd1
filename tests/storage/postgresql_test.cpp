// PostgreSQL's own part of the storage contract, in test_storage_postgresql
// (the server tests/pg/pg_server.sh starts, or CALLSCRIBE_TEST_PG_URL;
// CALLSCRIBE_TEST_PG_PASSWORD for a password kept out of the URL): two
// workers claiming at once with SKIP LOCKED, Hebrew text, the lead write.
// Each run works in a schema of its own and drops it, so any database will do.
#include <boost/test/unit_test.hpp>

#include "storage/business_store.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "storage/trace_store.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

#include <cstdlib>
#include <set>
#include <thread>
#include <unistd.h>

using namespace callscribe::storage;
using callscribe::storage::test::postgresql_only;
using callscribe::storage::test::test_pg_url;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

struct pg_schema {
  std::string name = "callscribe_test_" + std::to_string(::getpid());
  std::string url;
  std::string password = env("CALLSCRIBE_TEST_PG_PASSWORD");
  database admin;

  pg_schema() : admin(database::open(test_pg_url(), env("CALLSCRIBE_TEST_PG_PASSWORD"))) {
    admin.session() << "DROP SCHEMA IF EXISTS " + name + " CASCADE";
    admin.session() << "CREATE SCHEMA " + name;
    auto base = test_pg_url();
    url = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
  }
  ~pg_schema() {
    try {
      admin.session() << "DROP SCHEMA IF EXISTS " + name + " CASCADE";
    } catch (const std::exception&) {
    }
  }
  database open() { return database::open(url, password); }
};

} // namespace

BOOST_AUTO_TEST_CASE(postgresql_runs_the_whole_storage_contract, *postgresql_only()) {
  pg_schema schema;
  auto db = schema.open();
  BOOST_TEST(!db.is_sqlite());
  BOOST_TEST(db.ping());
  BOOST_TEST(db.migrate() == latest_schema_version());
  BOOST_TEST(schema.open().migrate() == latest_schema_version());

  business_store businesses(db);
  business b;
  b.name = "Afula Locks";
  b.phone_number = "+97246000000";
  auto business_id = businesses.upsert(b);
  b.name = "Afula Locks & Keys";
  BOOST_TEST(businesses.upsert(b) == business_id);
  BOOST_TEST(businesses.find_by_phone("+97246000000")->name == "Afula Locks & Keys");

  call_store calls(db);
  calls.upsert(call_record{"CA1", business_id, "+972501234567", "+97246000000", "inbound", "ringing"});
  calls.upsert(call_record{"CA1", std::nullopt, "", "", "", "completed"});
  BOOST_TEST(calls.find("CA1")->from_number == "+972501234567");
  BOOST_TEST(calls.find("CA1")->status == "completed");

  job_store jobs(db);
  for (int n = 0; n < 30; ++n) {
    new_job j;
    j.call_sid = n == 0 ? "CA1" : "CA-other";
    j.recording_sid = "RE" + std::to_string(n);
    j.business_id = business_id;
    auto r = jobs.insert(j);
    BOOST_TEST(r.created);
    BOOST_TEST(!jobs.insert(j).created);
  }
  std::vector<std::int64_t> claimed[2];
  std::string failure[2];
  auto worker = [&](int w) {
    try {
      auto own = schema.open();
      job_store mine(own);
      for (auto got = mine.claim("node-" + std::to_string(w), 2, 600s, 5); !got.empty();
           got = mine.claim("node-" + std::to_string(w), 2, 600s, 5))
        for (const auto& j : got)
          claimed[w].push_back(j.id);
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
  BOOST_TEST(claimed[0].size() + claimed[1].size() == 30u);
  BOOST_TEST(all.size() == 30u);

  BOOST_TEST(jobs.take_back_leases("node-1") == static_cast<int>(claimed[1].size()));
  BOOST_TEST(jobs.take_back_leases("") == static_cast<int>(claimed[0].size()));
  auto first = jobs.claim("node-a", 1, 600s, 5);
  BOOST_REQUIRE(first.size() == 1u);
  auto id = first[0].id;
  BOOST_TEST(first[0].attempts == 2);
  BOOST_TEST(jobs.set_business(id, "node-a", business_id, "+972501234567", ""));
  BOOST_TEST(jobs.mark_downloaded(id, "node-a", "/data/RE0.wav"));
  BOOST_TEST(jobs.store_transcript(id, "node-a", "מנעולן בעפולה"));
  BOOST_TEST(!jobs.set_state(id, "node-b", job_state::writing));
  jobs.renew("node-a", {id}, 600s);
  auto later = now_us() + 3'600'000'000LL;
  auto second = jobs.claim("node-a", 1, 600s, 5)[0].id;
  BOOST_TEST(jobs.release_for_retry(second, "node-a", later, "404"));
  BOOST_TEST(jobs.next_due_us() == later);

  lead_store leads(db);
  lead_write w;
  w.job_id = id;
  w.owner = "node-a";
  w.call_sid = "CA1";
  w.business_id = business_id;
  w.caller_phone = "+972501234567";
  w.transcript = "מנעולן בעפולה";
  w.service = "מנעולן";
  w.city = "עפולה";
  w.confidence = 0.75;
  w.event.actor = "lead_writer";
  w.event.event = "lead_written";
  auto r = leads.write_and_finish(w);
  BOOST_TEST((r.state == lead_write_result::status::written));
  BOOST_TEST(r.lead_created);
  BOOST_TEST((leads.write_and_finish(w).state == lead_write_result::status::not_owner));
  auto lead = leads.find_by_call_sid("CA1");
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->city == "עפולה");
  BOOST_TEST(lead->extraction_confidence == 0.75);
  leads.set_by_person(lead->id, "city", "נצרת");
  BOOST_TEST(leads.find(lead->id)->city_set_by == "person");
  BOOST_TEST((jobs.find(id)->state == job_state::done));
  BOOST_TEST(trace_store(db).for_call("CA1").size() == 1u);
  BOOST_TEST(jobs.count_by_state().size() == 8u);
  BOOST_TEST(jobs.recent(5).size() == 5u);
}

// A password inside the URI (user:password@) is moved to a password=
// parameter (SOCI 4.0 garbled `user:pw@host:port/db` into database `db=`
// after a password login over TCP; the test server trusts its socket, where
// that did not show, so this checks that the rewritten URI still reaches the
// right database).
BOOST_AUTO_TEST_CASE(a_password_in_the_uri_is_taken_as_the_password, *postgresql_only()) {
  auto url = test_pg_url();
  auto user_end = url.find('@');
  BOOST_REQUIRE(user_end != std::string::npos);
  auto with_password = url.substr(0, user_end) + ":s3cret%21pw" + url.substr(user_end);
  auto db = database::open(with_password);
  std::string name;
  db.session() << "SELECT current_database()", soci::into(name);
  BOOST_TEST(name == "callscribe");
}
