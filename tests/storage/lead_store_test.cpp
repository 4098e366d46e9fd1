// The lead writer's transaction: finding the lead, exactly-once per job, and
// the never-overwrite rules.
#include <boost/test/unit_test.hpp>

#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "storage/trace_store.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

using namespace callscribe::storage;
using callscribe::storage::test::scratch_db;
using namespace std::chrono_literals;

namespace {

const std::string caller = "+972501234567";
const std::string call_a = "CA00000000000000000000000000000001";
const std::string call_b = "CA00000000000000000000000000000002";

// A database with a claimed job per recording, ready for the lead writer.
struct leads_fixture {
  scratch_db s;
  job_store jobs{s.db};
  lead_store leads{s.db};
  int recordings = 0;

  std::int64_t claimed_job(const std::string& call_sid) {
    new_job j;
    j.call_sid = call_sid;
    j.recording_sid = "RE" + std::to_string(++recordings);
    j.business_id = 1;
    j.from_number = caller;
    j.to_number = "+97246000000";
    auto id = jobs.insert(j).job_id;
    auto claimed = jobs.claim("node-a", 1, 60s, 5);
    BOOST_REQUIRE(claimed.size() == 1u);
    BOOST_REQUIRE(claimed[0].id == id);
    return id;
  }

  lead_write write(std::int64_t job, const std::string& call_sid, const std::string& transcript,
                   const std::string& service, const std::string& city, double confidence) {
    lead_write w;
    w.job_id = job;
    w.owner = "node-a";
    w.call_sid = call_sid;
    w.business_id = 1;
    w.caller_phone = caller;
    w.transcript = transcript;
    w.service = service;
    w.city = city;
    w.confidence = confidence;
    w.evidence = service + "/" + city;
    w.event.actor = "lead_writer";
    w.event.event = "lead_written";
    w.event.node = "node-a";
    w.event.done_at_us = now_us();
    return w;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(lead_writer, leads_fixture)

BOOST_AUTO_TEST_CASE(creates_a_lead_marks_the_job_done_and_traces_it) {
  auto job = claimed_job(call_a);
  auto r = leads.write_and_finish(write(job, call_a, "אני צריך מנעולן בעפולה", "מנעולן", "עפולה", 0.9));
  BOOST_TEST((r.state == lead_write_result::status::written));
  BOOST_TEST(r.lead_created);
  BOOST_TEST((r.service_type == field_outcome::written));
  BOOST_TEST((r.city == field_outcome::written));

  auto lead = leads.find(r.lead_id);
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->business_id == 1);
  BOOST_TEST(lead->phone == caller);
  BOOST_TEST(lead->call_sid == call_a);
  BOOST_TEST(lead->service_type == "מנעולן");
  BOOST_TEST(lead->city == "עפולה");
  BOOST_TEST(lead->service_type_set_by == "extraction");
  BOOST_TEST(lead->city_set_by == "extraction");
  BOOST_TEST(lead->extracted_service == "מנעולן");
  BOOST_TEST(lead->extracted_city == "עפולה");
  BOOST_TEST(lead->extraction_confidence == 0.9);
  BOOST_TEST(lead->extraction_evidence == "מנעולן/עפולה");
  BOOST_TEST(lead->final_transcript == "אני צריך מנעולן בעפולה");
  BOOST_TEST(lead->status == "open");

  auto done = jobs.find(job);
  BOOST_TEST((done->state == job_state::done));
  BOOST_TEST(done->lease_owner.empty());
  auto trace = trace_store(s.db).for_job(job);
  BOOST_REQUIRE(trace.size() == 1u);
  BOOST_TEST(trace[0].event == "lead_written");
  BOOST_TEST(trace[0].job_id == job);
}

BOOST_AUTO_TEST_CASE(a_second_write_for_the_same_job_changes_nothing) {
  auto job = claimed_job(call_a);
  auto first = leads.write_and_finish(write(job, call_a, "first", "מנעולן", "עפולה", 0.9));
  auto before = leads.find(first.lead_id);
  auto again = leads.write_and_finish(write(job, call_a, "first", "חשמלאי", "חיפה", 1.0));
  BOOST_TEST((again.state == lead_write_result::status::not_owner));
  auto after = leads.find(first.lead_id);
  BOOST_TEST(after->final_transcript == before->final_transcript);
  BOOST_TEST(after->service_type == before->service_type);
  BOOST_TEST(after->extraction_confidence == before->extraction_confidence);
  BOOST_TEST(trace_store(s.db).for_job(job).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_writer_that_lost_its_lease_writes_nothing) {
  auto job = claimed_job(call_a);
  auto w = write(job, call_a, "late", "מנעולן", "עפולה", 0.9);
  w.owner = "node-b";
  auto r = leads.write_and_finish(w);
  BOOST_TEST((r.state == lead_write_result::status::not_owner));
  BOOST_TEST(!leads.find_by_call_sid(call_a).has_value());
  BOOST_TEST((jobs.find(job)->state == job_state::downloading));
  BOOST_TEST(trace_store(s.db).for_job(job).empty());
}

BOOST_AUTO_TEST_CASE(finds_the_lead_opened_for_the_call) {
  auto opened = leads.open_lead(1, caller, call_a);
  BOOST_TEST(leads.open_lead(1, caller, call_a) == opened); // a repeated voice webhook
  auto r = leads.write_and_finish(write(claimed_job(call_a), call_a, "hello", "", "", 0));
  BOOST_TEST(!r.lead_created);
  BOOST_TEST(r.lead_id == opened);
  BOOST_TEST((r.service_type == field_outcome::nothing_found));
  BOOST_TEST((r.city == field_outcome::nothing_found));
  BOOST_TEST(leads.find_by_call_sid(call_a)->id == opened);
}

BOOST_AUTO_TEST_CASE(another_call_from_the_caller_finds_the_newest_open_lead) {
  auto older = leads.open_lead(1, caller, "");
  auto newer = leads.open_lead(1, caller, "");
  auto closed = leads.open_lead(1, caller, "");
  s.db.session() << "UPDATE leads SET status = 'closed' WHERE id = " + std::to_string(closed);
  leads.open_lead(2, caller, ""); // another business's lead
  BOOST_TEST(older < newer);

  auto r = leads.write_and_finish(write(claimed_job(call_b), call_b, "again", "", "", 0));
  BOOST_TEST(!r.lead_created);
  BOOST_TEST(r.lead_id == newer);
  BOOST_TEST(leads.find(newer)->call_sid == call_b); // later recordings of the call find it directly
}

BOOST_AUTO_TEST_CASE(recordings_of_one_call_append_their_transcripts_in_order) {
  auto first = leads.write_and_finish(write(claimed_job(call_a), call_a, "one", "", "", 0));
  auto second = leads.write_and_finish(write(claimed_job(call_a), call_a, "two", "", "", 0));
  auto third = leads.write_and_finish(write(claimed_job(call_a), call_a, "three", "", "", 0));
  BOOST_TEST(first.lead_created);
  BOOST_TEST(!second.lead_created);
  BOOST_TEST(third.lead_id == first.lead_id);
  BOOST_TEST(leads.find(first.lead_id)->final_transcript == "one\n\ntwo\n\nthree");
}

BOOST_AUTO_TEST_CASE(a_weaker_later_extraction_keeps_the_stronger_fields) {
  auto first = leads.write_and_finish(write(claimed_job(call_a), call_a, "one", "מנעולן", "עפולה", 0.9));
  auto second = leads.write_and_finish(write(claimed_job(call_a), call_a, "two", "חשמלאי", "חיפה", 0.4));
  BOOST_TEST((second.service_type == field_outcome::kept_stronger));
  BOOST_TEST(second.kept_service_type == "מנעולן");
  BOOST_TEST((second.city == field_outcome::kept_stronger));
  BOOST_TEST(second.kept_city == "עפולה");
  auto lead = leads.find(first.lead_id);
  BOOST_TEST(lead->extracted_service == "מנעולן");
  BOOST_TEST(lead->extracted_city == "עפולה");
  BOOST_TEST(lead->extraction_confidence == 0.9);
  BOOST_TEST(lead->service_type == "מנעולן");
  BOOST_TEST(lead->final_transcript == "one\n\ntwo");

  // At least as confident: it replaces them; the same value is unchanged.
  auto third = leads.write_and_finish(write(claimed_job(call_a), call_a, "three", "מנעולן", "חיפה", 0.9));
  BOOST_TEST((third.service_type == field_outcome::unchanged));
  BOOST_TEST((third.city == field_outcome::written));
  lead = leads.find(first.lead_id);
  BOOST_TEST(lead->city == "חיפה");
  BOOST_TEST(lead->extracted_city == "חיפה");
}

BOOST_AUTO_TEST_CASE(a_found_field_is_not_lost_to_a_later_extraction_that_missed_it) {
  auto first = leads.write_and_finish(write(claimed_job(call_a), call_a, "one", "מנעולן", "", 0.5));
  auto second = leads.write_and_finish(write(claimed_job(call_a), call_a, "two", "", "עפולה", 0.8));
  BOOST_TEST((second.service_type == field_outcome::nothing_found));
  auto lead = leads.find(first.lead_id);
  BOOST_TEST(lead->extracted_service == "מנעולן");
  BOOST_TEST(lead->extracted_city == "עפולה");
  BOOST_TEST(lead->extraction_confidence == 0.8);
  BOOST_TEST(lead->service_type == "מנעולן");
  BOOST_TEST(lead->city == "עפולה");
}

BOOST_AUTO_TEST_CASE(a_value_a_person_typed_is_never_overwritten) {
  auto lead_id = leads.open_lead(1, caller, call_a);
  leads.set_by_person(lead_id, "city", "נצרת");
  auto r = leads.write_and_finish(write(claimed_job(call_a), call_a, "one", "מנעולן", "עפולה", 1.0));
  BOOST_TEST((r.city == field_outcome::kept_by_person));
  BOOST_TEST(r.kept_city == "נצרת");
  BOOST_TEST((r.service_type == field_outcome::written));
  auto lead = leads.find(lead_id);
  BOOST_TEST(lead->city == "נצרת");
  BOOST_TEST(lead->city_set_by == "person");
  BOOST_TEST(lead->extracted_city == "עפולה"); // what extraction heard stays visible
  BOOST_CHECK_THROW(leads.set_by_person(lead_id, "phone; DROP TABLE leads", "x"), storage_error);
}

BOOST_AUTO_TEST_CASE(a_value_we_did_not_write_counts_as_a_persons) {
  auto lead_id = leads.open_lead(1, caller, call_a);
  s.db.session() << "UPDATE leads SET service_type = 'plumber' WHERE id = " + std::to_string(lead_id);
  auto r = leads.write_and_finish(write(claimed_job(call_a), call_a, "one", "מנעולן", "", 1.0));
  BOOST_TEST((r.service_type == field_outcome::kept_by_person));
  BOOST_TEST(leads.find(lead_id)->service_type == "plumber");
}

BOOST_AUTO_TEST_SUITE_END()
