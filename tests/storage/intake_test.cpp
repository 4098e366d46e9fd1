// Intake: a recording callback becomes a durable job. Which business the call
// belongs to (To for inbound, From for outbound, else the calls row), the jobs
// that start dead so operators see them, and the idempotent insert.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "storage/business_store.hpp"
#include "storage/intake.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

#include <ostream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace callscribe::storage;
using callscribe::storage::test::scratch_db;

namespace {

const std::string business_phone = "+97246000000";
const std::string other_business_phone = "+15550001111";
const std::string customer_phone = "+972501234567";
const std::string call_sid = "CA0123456789abcdef0123456789abcdef";
const std::string recording_sid = "RE0123456789abcdef0123456789abcdef";
const std::string recording_url =
    "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/" +
    recording_sid;

// A scratch database with two businesses in it.
struct with_businesses : scratch_db {
  std::int64_t afula = 0;
  std::int64_t boston = 0;

  with_businesses() {
    business_store businesses(db);
    business b;
    b.name = "Afula Locks";
    b.phone_number = business_phone;
    b.forward_to = "+972500000000";
    b.language = "he";
    b.places_json = R"(["il"])";
    b.services_json = R"([{"name": "מנעולן", "aliases": ["locksmith"]}])";
    afula = businesses.upsert(b);
    b.name = "Boston Plumbing";
    b.phone_number = other_business_phone;
    b.forward_to = "+15550002222";
    b.language = "en";
    b.places_json = R"(["us"])";
    b.services_json = R"([{"name": "plumber", "aliases": []}])";
    boston = businesses.upsert(b);
  }

  std::vector<job_record> jobs_of_call(const std::string& sid = call_sid) {
    return job_store(db).find_by_call_sid(sid);
  }
};

intake_request request(const std::string& from, const std::string& to,
                       const std::string& status = "completed") {
  intake_request r;
  r.call_sid = call_sid;
  r.recording_sid = recording_sid;
  r.recording_url = recording_url;
  r.recording_status = status;
  r.duration_seconds = 31;
  r.channels = 2;
  r.from = from;
  r.to = to;
  r.trace_id = "trace-1";
  return r;
}

std::string state_of(job_state s) {
  return to_string(s);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(intake, with_businesses)

// ------------------------------------------------------ resolve_business

BOOST_AUTO_TEST_CASE(resolve_business_prefers_to_then_from) {
  auto inbound = resolve_business(db, customer_phone, business_phone);
  BOOST_REQUIRE(inbound.has_value());
  BOOST_TEST(inbound->id == afula);
  BOOST_TEST(inbound->name == "Afula Locks");

  auto outbound = resolve_business(db, business_phone, customer_phone);
  BOOST_REQUIRE(outbound.has_value());
  BOOST_TEST(outbound->id == afula);

  // One business calling another: the call belongs to the one called.
  auto between = resolve_business(db, other_business_phone, business_phone);
  BOOST_REQUIRE(between.has_value());
  BOOST_TEST(between->id == afula);

  BOOST_TEST(resolve_business(db, "", business_phone)->id == afula);
  BOOST_TEST(resolve_business(db, other_business_phone, "")->id == boston);
  BOOST_TEST(!resolve_business(db, customer_phone, "+972509999999").has_value());
  BOOST_TEST(!resolve_business(db, "", "").has_value());
}

// ---------------------------------------------------------- caller_phone

struct caller_case {
  std::string business, from, to, caller;
};

std::ostream& operator<<(std::ostream& os, const caller_case& c) {
  return os << "business " << c.business << ", from '" << c.from << "', to '" << c.to << "' -> '" << c.caller
            << "'";
}

const std::vector<caller_case> caller_cases{
    {business_phone, customer_phone, business_phone, customer_phone}, // inbound
    {business_phone, business_phone, customer_phone, customer_phone}, // outbound
    {business_phone, other_business_phone, business_phone, other_business_phone},
    {business_phone, customer_phone, "", customer_phone},
    {business_phone, business_phone, "", ""},
    {business_phone, "", "", ""},
};

BOOST_DATA_TEST_CASE(caller_phone_is_the_side_that_is_not_the_business, bdata::make(caller_cases), c) {
  BOOST_TEST(caller_phone(c.business, c.from, c.to) == c.caller);
}

// ------------------------------------------------------ record_recording

BOOST_AUTO_TEST_CASE(an_inbound_call_belongs_to_the_business_it_called) {
  auto r = record_recording(db, request(customer_phone, business_phone));
  BOOST_TEST(r.stored);
  BOOST_TEST(r.created);
  BOOST_TEST(r.job_id > 0);
  BOOST_TEST(state_of(r.state) == "queued");
  BOOST_TEST(r.dead_reason == "");
  BOOST_REQUIRE(r.business_id.has_value());
  BOOST_TEST(*r.business_id == afula);

  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->call_sid == call_sid);
  BOOST_TEST(job->recording_sid == recording_sid);
  BOOST_TEST(job->recording_url == recording_url);
  BOOST_TEST(state_of(job->state) == "queued");
  BOOST_TEST(job->business_id.value_or(-1) == afula);
  BOOST_TEST(job->from_number == customer_phone);
  BOOST_TEST(job->to_number == business_phone);
  BOOST_TEST(job->channels == 2);
  BOOST_TEST(job->duration_seconds == 31);
  BOOST_TEST(job->trace_id == "trace-1");
  BOOST_TEST(job->last_error == "");

  // The call is remembered, so later callbacks without numbers find it.
  auto call = call_store(db).find(call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->business_id.value_or(-1) == afula);
  BOOST_TEST(call->from_number == customer_phone);
  BOOST_TEST(call->to_number == business_phone);
  BOOST_TEST(call->direction == "inbound");
}

BOOST_AUTO_TEST_CASE(an_outbound_call_belongs_to_the_business_that_called) {
  auto r = record_recording(db, request(business_phone, customer_phone));
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "queued");
  BOOST_TEST(r.business_id.value_or(-1) == afula);
  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->business_id.value_or(-1) == afula);
  BOOST_TEST(job->from_number == business_phone);
  BOOST_TEST(job->to_number == customer_phone);
  auto call = call_store(db).find(call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->direction == "outbound");
  BOOST_TEST(call->business_id.value_or(-1) == afula);
}

BOOST_AUTO_TEST_CASE(unknown_numbers_store_a_dead_job_for_operators_to_see) {
  auto r = record_recording(db, request(customer_phone, "+972509999999"));
  BOOST_TEST(r.stored);
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "dead");
  BOOST_TEST(r.dead_reason == "unknown business");
  BOOST_TEST(!r.business_id.has_value());

  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(state_of(job->state) == "dead");
  BOOST_TEST(job->last_error == "unknown business");
  BOOST_TEST(!job->business_id.has_value());
  BOOST_TEST(job->from_number == customer_phone);
  BOOST_TEST(job->to_number == "+972509999999");
}

BOOST_AUTO_TEST_CASE(no_numbers_and_no_call_leave_the_business_for_the_downloader) {
  auto r = record_recording(db, request("", ""));
  BOOST_TEST(r.stored);
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "queued");
  BOOST_TEST(r.dead_reason == "");
  BOOST_TEST(!r.business_id.has_value());

  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(state_of(job->state) == "queued");
  BOOST_TEST(!job->business_id.has_value());
  BOOST_TEST(job->from_number == "");
  BOOST_TEST(job->to_number == "");
  BOOST_TEST(!call_store(db).find(call_sid).has_value());
}

BOOST_AUTO_TEST_CASE(no_numbers_but_a_known_call_takes_them_from_the_call) {
  call_store(db).upsert(call_record{call_sid, afula, customer_phone, business_phone, "inbound", "ringing"});

  auto r = record_recording(db, request("", ""));
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "queued");
  BOOST_TEST(r.business_id.value_or(-1) == afula);

  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->business_id.value_or(-1) == afula);
  BOOST_TEST(job->from_number == customer_phone);
  BOOST_TEST(job->to_number == business_phone);

  // The call keeps what it knew.
  auto call = call_store(db).find(call_sid);
  BOOST_REQUIRE(call.has_value());
  BOOST_TEST(call->status == "ringing");
  BOOST_TEST(call->direction == "inbound");
}

BOOST_AUTO_TEST_CASE(no_numbers_and_a_call_with_unknown_numbers_is_an_unknown_business) {
  call_store(db).upsert(call_record{call_sid, std::nullopt, customer_phone, "+972509999999", "inbound", ""});
  auto r = record_recording(db, request("", ""));
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "dead");
  BOOST_TEST(r.dead_reason == "unknown business");
  BOOST_TEST(!r.business_id.has_value());
}

BOOST_AUTO_TEST_CASE(numbers_in_the_callback_win_over_the_call) {
  call_store(db).upsert(call_record{call_sid, afula, customer_phone, business_phone, "inbound", ""});
  auto r = record_recording(db, request(customer_phone, other_business_phone));
  BOOST_TEST(r.business_id.value_or(-1) == boston);
  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(job->to_number == other_business_phone);
}

BOOST_DATA_TEST_CASE_F(with_businesses, an_absent_or_failed_recording_stores_a_dead_job,
                       bdata::make(std::vector<std::string>{"absent", "failed"}), status) {
  auto r = record_recording(db, request(customer_phone, business_phone, status));
  BOOST_TEST(r.stored);
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "dead");
  BOOST_TEST(r.dead_reason == "recording " + status);
  BOOST_TEST(r.business_id.value_or(-1) == afula); // known business, still dead

  auto job = job_store(db).find(r.job_id);
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(state_of(job->state) == "dead");
  BOOST_TEST(job->last_error == "recording " + status);
}

BOOST_DATA_TEST_CASE_F(with_businesses, the_recording_status_is_the_reason_even_for_an_unknown_business,
                       bdata::make(std::vector<std::string>{"absent", "failed"}), status) {
  auto unknown = request(customer_phone, "+972509999999", status);
  auto r = record_recording(db, unknown);
  BOOST_TEST(state_of(r.state) == "dead");
  BOOST_TEST(r.dead_reason == "recording " + status);
  BOOST_TEST(!r.business_id.has_value());

  auto no_numbers = request("", "", status);
  no_numbers.recording_sid = "RE" + std::string(32, 'f');
  r = record_recording(db, no_numbers);
  BOOST_TEST(state_of(r.state) == "dead");
  BOOST_TEST(r.dead_reason == "recording " + status);
}

BOOST_AUTO_TEST_CASE(an_in_progress_recording_stores_nothing) {
  auto r = record_recording(db, request(customer_phone, business_phone, "in-progress"));
  BOOST_TEST(!r.stored);
  BOOST_TEST(!r.created);
  BOOST_TEST(r.job_id == 0);
  BOOST_TEST(!job_store(db).find_by_recording_sid(recording_sid).has_value());
  BOOST_TEST(jobs_of_call().empty());

  // The completed callback that follows creates the job.
  r = record_recording(db, request(customer_phone, business_phone, "completed"));
  BOOST_TEST(r.stored);
  BOOST_TEST(r.created);
  BOOST_TEST(state_of(r.state) == "queued");
  BOOST_TEST(jobs_of_call().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_recording_sid_returns_the_first_job) {
  auto first = record_recording(db, request(customer_phone, business_phone));
  BOOST_REQUIRE(first.created);

  auto again = record_recording(db, request(customer_phone, business_phone));
  BOOST_TEST(again.stored);
  BOOST_TEST(!again.created);
  BOOST_TEST(again.job_id == first.job_id);
  BOOST_TEST(state_of(again.state) == "queued");
  BOOST_TEST(again.business_id.value_or(-1) == afula);

  // A later delivery with other numbers or another status changes nothing.
  auto other = request("", "", "failed");
  other.recording_url = "https://api.twilio.com/other";
  auto third = record_recording(db, other);
  BOOST_TEST(!third.created);
  BOOST_TEST(third.job_id == first.job_id);
  BOOST_TEST(state_of(third.state) == "queued");

  auto jobs = jobs_of_call();
  BOOST_REQUIRE(jobs.size() == 1u);
  BOOST_TEST(jobs[0].id == first.job_id);
  BOOST_TEST(jobs[0].recording_url == recording_url);
  BOOST_TEST(state_of(jobs[0].state) == "queued");
  BOOST_TEST(job_store(db).recent(100).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_of_a_dead_job_reports_it_dead) {
  auto first = record_recording(db, request(customer_phone, "+972509999999"));
  BOOST_REQUIRE(state_of(first.state) == "dead");
  auto again = record_recording(db, request(customer_phone, "+972509999999"));
  BOOST_TEST(!again.created);
  BOOST_TEST(again.job_id == first.job_id);
  BOOST_TEST(state_of(again.state) == "dead");
  BOOST_TEST(jobs_of_call().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_through_another_connection_is_still_one_job) {
  auto first = record_recording(db, request(customer_phone, business_phone));
  auto other = another();
  auto again = record_recording(other, request(customer_phone, business_phone));
  BOOST_TEST(!again.created);
  BOOST_TEST(again.job_id == first.job_id);
  BOOST_TEST(jobs_of_call().size() == 1u);
}

BOOST_AUTO_TEST_CASE(each_recording_of_a_call_is_its_own_job) {
  auto first = record_recording(db, request(customer_phone, business_phone));
  auto second_request = request("", ""); // a status callback for the second recording
  second_request.recording_sid = "RE" + std::string(32, 'a');
  auto second = record_recording(db, second_request);
  BOOST_TEST(second.created);
  BOOST_TEST(second.job_id != first.job_id);
  BOOST_TEST(second.business_id.value_or(-1) == afula); // through the calls row
  auto jobs = jobs_of_call();
  BOOST_REQUIRE(jobs.size() == 2u);
  BOOST_TEST(jobs[0].id == first.job_id);
  BOOST_TEST(jobs[1].id == second.job_id);
  BOOST_TEST(jobs[1].from_number == customer_phone);
  BOOST_TEST(jobs[1].to_number == business_phone);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_CASE(a_voice_call_is_recorded_and_opens_one_lead, with_businesses) {
  call_request r{call_sid, customer_phone, business_phone, "inbound", "ringing", true};
  auto first = record_call(db, r);
  BOOST_REQUIRE(first.owner);
  BOOST_TEST(first.owner->id == afula);
  BOOST_TEST(first.owner->forward_to == "+972500000000");
  BOOST_TEST(first.lead_id > 0);
  // Delivered twice: the same lead, no second one.
  auto again = record_call(db, r);
  BOOST_TEST(again.lead_id == first.lead_id);
  int leads = 0;
  db.session() << "SELECT COUNT(*) FROM leads", soci::into(leads);
  BOOST_TEST(leads == 1);
  auto lead = lead_store(db).find(first.lead_id);
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->phone == customer_phone);
  BOOST_TEST(lead->business_id == afula);
  // A later status callback updates the call without erasing its numbers.
  record_call(db, call_request{call_sid, "", "", "", "completed", false});
  auto call = call_store(db).find(call_sid);
  BOOST_REQUIRE(call);
  BOOST_TEST(call->status == "completed");
  BOOST_TEST(call->from_number == customer_phone);
  BOOST_TEST(call->direction == "inbound");
  BOOST_TEST(call->business_id.value_or(0) == afula);
}

BOOST_FIXTURE_TEST_CASE(a_call_to_an_unknown_number_is_recorded_without_a_lead, with_businesses) {
  auto r =
      record_call(db, call_request{call_sid, customer_phone, "+15559999999", "inbound", "ringing", true});
  BOOST_TEST(!r.owner);
  BOOST_TEST(r.lead_id == 0);
  auto call = call_store(db).find(call_sid);
  BOOST_REQUIRE(call);
  BOOST_TEST(!call->business_id);
  int leads = 0;
  db.session() << "SELECT COUNT(*) FROM leads", soci::into(leads);
  BOOST_TEST(leads == 0);
}
