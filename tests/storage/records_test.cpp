// Trace events, businesses and calls.
#include <boost/test/unit_test.hpp>

#include "storage/business_store.hpp"
#include "storage/job_store.hpp"
#include "storage/trace_store.hpp"
#include "tests/storage/scratch_db.hpp"

using namespace callscribe::storage;
using callscribe::storage::test::scratch_db;

// Read back in time order, not the order written: the tracer writes in
// batches, and the lead writer's event commits with the lead, before them.
BOOST_AUTO_TEST_CASE(trace_events_round_trip_in_time_order) {
  scratch_db s;
  job_store jobs(s.db);
  new_job j;
  j.call_sid = "CA1";
  j.recording_sid = "RE1";
  auto first = jobs.insert(j).job_id;
  j.recording_sid = "RE2";
  auto second = jobs.insert(j).job_id;

  trace_store traces(s.db);
  traces.append(trace_event{first, "lead_writer", "done", 1795551440'000000, 1795551440'100000,
                            1795551440'200000, "node-a", "lead 1"});
  traces.append(trace_event{first, "webhook", "enqueued", 1, 2, 3, "node-a", "RE1"});
  traces.append({trace_event{first, "downloader", "downloaded", 4, 5, 6, "node-a", "wav 2ch"},
                 trace_event{second, "webhook", "enqueued", 7, 8, 9, "node-b", ""},
                 trace_event{first, "transcriber", "transcribed", 1795551439'000000, 1795551439'500000,
                             1795551440'000000, "node-a", "rtf 0.3"},
                 // Not handled yet (a hop recorded on send): its sent time orders it.
                 trace_event{first, "extractor", "sent", 1795551440'050000, 0, 0, "node-a", ""}});
  traces.append(std::vector<trace_event>{});

  auto trace = traces.for_job(first);
  BOOST_REQUIRE(trace.size() == 5u);
  BOOST_TEST(trace[0].event == "enqueued");
  BOOST_TEST(trace[1].actor == "downloader");
  BOOST_TEST(trace[1].sent_at_us == 4);
  BOOST_TEST(trace[1].handled_at_us == 5);
  BOOST_TEST(trace[1].done_at_us == 6);
  BOOST_TEST(trace[1].node == "node-a");
  BOOST_TEST(trace[1].detail == "wav 2ch");
  BOOST_TEST(trace[2].done_at_us == 1795551440'000000);
  BOOST_TEST(trace[2].job_id == first);
  BOOST_TEST(trace[3].actor == "extractor");
  BOOST_TEST(trace[4].event == "done"); // written first, read last

  auto call = traces.for_call("CA1");
  BOOST_REQUIRE(call.size() == 6u);
  BOOST_TEST(call[4].job_id == first);
  BOOST_TEST(call[5].job_id == second);
  BOOST_TEST(traces.for_call("CA-other").empty());
}

BOOST_AUTO_TEST_CASE(businesses_are_upserted_by_phone_number) {
  scratch_db s;
  business_store businesses(s.db);
  business b;
  b.name = "Afula Locks";
  b.phone_number = "+97246000000";
  b.forward_to = "+972500000000";
  b.language = "he";
  b.places_json = R"(["il"])";
  b.services_json = R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים"]}])";
  auto id = businesses.upsert(b);
  BOOST_TEST(id > 0);

  b.name = "Afula Locks & Keys";
  b.forward_to = "+972500000001";
  BOOST_TEST(businesses.upsert(b) == id);
  auto other = b;
  other.phone_number = "+97246000001";
  auto other_id = businesses.upsert(other);
  BOOST_TEST(other_id != id);

  auto stored = businesses.find_by_phone("+97246000000");
  BOOST_REQUIRE(stored);
  BOOST_TEST(stored->id == id);
  BOOST_TEST(stored->name == "Afula Locks & Keys");
  BOOST_TEST(stored->forward_to == "+972500000001");
  BOOST_TEST(stored->language == "he");
  BOOST_TEST(stored->places_json == R"(["il"])");
  BOOST_TEST(stored->services_json == b.services_json);
  BOOST_TEST(businesses.find(id)->phone_number == "+97246000000");
  BOOST_TEST(!businesses.find(id + 100).has_value());
  BOOST_TEST(!businesses.find_by_phone("+1555").has_value());
  BOOST_TEST(businesses.all().size() == 2u);
}

BOOST_AUTO_TEST_CASE(calls_are_upserted_without_losing_known_fields) {
  scratch_db s;
  call_store calls(s.db);
  calls.upsert(call_record{"CA1", 4, "+972501234567", "+97246000000", "inbound", "ringing"});
  calls.upsert(call_record{"CA1", std::nullopt, "", "", "", "completed"});
  auto c = calls.find("CA1");
  BOOST_REQUIRE(c);
  BOOST_TEST(c->business_id.value_or(0) == 4);
  BOOST_TEST(c->from_number == "+972501234567");
  BOOST_TEST(c->to_number == "+97246000000");
  BOOST_TEST(c->direction == "inbound");
  BOOST_TEST(c->status == "completed");
  BOOST_TEST(!calls.find("CA2").has_value());

  calls.upsert(call_record{"CA2", std::nullopt, "+1", "+2", "", ""});
  BOOST_TEST(!calls.find("CA2")->business_id.has_value());
}
