// A Twilio recording becomes an updated lead, end to end: the real binary,
// real SQLite, real PocketSphinx on speech flite makes, and a Twilio stand-in
// on loopback. Every wait polls a condition with a bound.
#define BOOST_TEST_MODULE e2e
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "app/twilio_standin.hpp"
#include "http/server.hpp"
#include "http/twilio_form.hpp"
#include "http/twilio_signature.hpp"
#include "storage/business_store.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "storage/trace_store.hpp"
#include "tests/e2e/deployment.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/http/curl_client.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

using namespace callscribe;
using namespace callscribe::testing;
using callscribe::app::twilio_standin;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace callscribe::testing::e2e;

BOOST_AUTO_TEST_CASE(start_up_lines) {
  // The supervisor logs them once every actor is started; readiness can
  // answer a moment before (seen under ASan on a loaded machine).
  auto& server = *shared().server;
  wait_until(
      [&] { return server.log().find("✅ [BACKGROUND] Recording worker started") != std::string::npos; }, 30s);
  auto log = server.log();
  expect_in_order(
      log, {"✅ [OFFLINE_STT] Recording worker loop started", "✅ [BACKGROUND] Recording worker started"});
  // The transcriber's own thread says when its model is loaded (readiness
  // waits for it), with how long it took.
  const std::string engine_ready = "✅ [OFFLINE_STT] Speech engine ready: pocketsphinx (";
  BOOST_TEST(wait_until([&] { return server.log().find(engine_ready) != std::string::npos; }, 30s));
  log = server.log();
  BOOST_TEST(log.find(auth_token) == std::string::npos, "the auth token reached the log");
}

BOOST_AUTO_TEST_CASE(a_signed_recording_callback_becomes_a_lead_and_a_duplicate_changes_nothing) {
  auto& d = shared();
  const int n = 1;
  d.twilio->add_recording(sid("RE", n), d.wav, 2); // "not ready yet" twice
  auto reply = post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body.find("<Response/>") != std::string::npos);
  BOOST_TEST(reply.headers.find("text/xml") != std::string::npos);
  BOOST_REQUIRE(d.job(n)); // durable before the answer

  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  BOOST_TEST(d.twilio->recording_requests(sid("RE", n)) == 3);

  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->phone == caller_of(n));
  BOOST_TEST(lead->extracted_service == "locksmith");
  BOOST_TEST(lead->extracted_city == "Boston, MA");
  BOOST_TEST(lead->service_type == "locksmith");
  BOOST_TEST(lead->city == "Boston, MA");
  BOOST_TEST(lead->extraction_confidence > 0.5);
  BOOST_TEST(lead->final_transcript.find("locksmith") != std::string::npos, lead->final_transcript);

  const std::string ca = sid("CA", n);
  expect_in_order(
      d.server->log(),
      {"✅ Recording queued for processing: " + ca, "✅ [OFFLINE_STT] Job enqueued for " + ca,
       "🎧 [OFFLINE_STT] Starting offline transcription for " + ca,
       "[OFFLINE_STT] Starting offline transcription for " + ca,
       "[OFFLINE_STT] ✅ Transcript obtained: ", "[OFFLINE_EXTRACT] Starting extraction for " + ca,
       "[OFFLINE_EXTRACT] ✅ Extracted: service='locksmith', city='Boston, MA', confidence=",
       "[OFFLINE_EXTRACT] ✅ Updated lead " + std::to_string(lead->id) + " service_type: 'locksmith'",
       "[OFFLINE_EXTRACT] ✅ Updated lead " + std::to_string(lead->id) + " city: 'Boston, MA'",
       "✅ [OFFLINE_STT] Completed processing for " + ca});

  auto job = *d.job(n);
  auto events = whole_trace(db, job.id, 6);
  std::vector<std::string> hops;
  for (const auto& e : events) {
    hops.push_back(e.actor + "/" + e.event);
    BOOST_TEST(e.node == "e2e-node");
    BOOST_TEST(e.handled_at_us > 0);
    BOOST_TEST(e.done_at_us >= e.handled_at_us);
  }
  for (const char* hop : {"webhook/enqueued", "downloader/claimed", "downloader/downloaded",
                          "transcriber/transcribed", "extractor/extracted", "lead_writer/done"})
    BOOST_TEST((std::find(hops.begin(), hops.end(), hop) != hops.end()), "no hop " << hop);

  // The operator's view of the same trace: `callscribe trace CA…`.
  auto out_path = d.dir / "trace.txt";
  std::string command = std::string(CALLSCRIBE_BINARY_DIR "/callscribe trace ") + ca +
                        " --db.url=" + d.db_url + " > " + out_path.string() + " 2>&1";
  BOOST_TEST(std::system(command.c_str()) == 0);
  std::ifstream trace_file(out_path);
  std::string timeline((std::istreambuf_iterator<char>(trace_file)), std::istreambuf_iterator<char>());
  BOOST_TEST_MESSAGE("callscribe trace " << ca << ":\n" << timeline);
  for (const char* hop : {"webhook", "enqueued", "transcriber", "transcribed", "lead_writer", "done"})
    BOOST_TEST(timeline.find(hop) != std::string::npos, "trace output lacks " << hop << ":\n" << timeline);

  // Twilio retries: the same callback again.
  auto again = post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
  BOOST_TEST(again.status == 200);
  BOOST_TEST(wait_until(
      [&] {
        return d.server->log().find("ℹ️ [OFFLINE_STT] Duplicate delivery for " + sid("RE", n) +
                                    " ignored") != std::string::npos;
      },
      5s));
  BOOST_TEST(storage::job_store(db).find_by_call_sid(ca).size() == 1u);
  auto after = storage::lead_store(db).find_by_call_sid(ca);
  BOOST_TEST(after->updated_at == lead->updated_at);
  BOOST_TEST(after->final_transcript == lead->final_transcript);
  BOOST_TEST(d.twilio->recording_requests(sid("RE", n)) == 3);
}

BOOST_AUTO_TEST_CASE(a_two_channel_8khz_mulaw_recording_is_transcribed_per_speaker) {
  // What Twilio's record-from-answer-dual gives: the caller on the first
  // channel, the business on the second, 8 kHz μ-law.
  auto& d = shared();
  const int n = 3;
  auto caller_wav = (d.dir / "caller.wav").string(), business_wav = (d.dir / "business.wav").string();
  auto dual = (d.dir / "dual.wav").string();
  for (const std::string& command :
       {"flite -voice rms -t 'I need a locksmith in Boston' -o '" + caller_wav + "'",
        "flite -voice rms -t 'we can have a technician there in an hour' -o '" + business_wav + "'",
        "sox -M '" + caller_wav + "' '" + business_wav + "' -r 8000 -e u-law '" + dual + "'"})
    BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, command);
  d.twilio->add_recording(sid("RE", n), dual);
  auto callback = recording_callback(*d.twilio, n);
  for (auto& kv : callback)
    if (kv.first == "RecordingChannels")
      kv.second = "2";
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", callback).status == 200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  BOOST_TEST(d.twilio->last_query(sid("RE", n)) == "RequestedChannels=2");
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  const auto& text = lead->final_transcript;
  auto caller_at = text.find("Caller: "), business_at = text.find("Business: ");
  BOOST_TEST(caller_at != std::string::npos, text);
  BOOST_TEST(business_at != std::string::npos, text);
  BOOST_TEST(caller_at < business_at, text);
  BOOST_TEST(text.find("boston") < business_at, text);
  BOOST_TEST(text.find("technician", business_at) != std::string::npos, text);
  // How well PocketSphinx hears "locksmith" on 8 kHz μ-law is measured by
  // bench/, not asserted here; the city comes through.
  BOOST_TEST(lead->city == "Boston, MA");
}

BOOST_AUTO_TEST_CASE(a_status_callback_without_numbers_asks_twilio_for_the_call) {
  auto& d = shared();
  const int n = 2;
  d.twilio->add_recording(sid("RE", n), d.wav);
  d.twilio->add_call(sid("CA", n), caller_of(n), business, "inbound");
  auto reply = post_signed(*d.server, "/twilio/recording-status",
                           recording_callback(*d.twilio, n, business, "completed", false));
  BOOST_TEST(reply.status == 200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  BOOST_TEST(d.twilio->call_requests(sid("CA", n)) >= 1);
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->phone == caller_of(n));
  BOOST_TEST(lead->city == "Boston, MA");
}

BOOST_AUTO_TEST_CASE(statuses_other_than_completed_are_acknowledged_and_download_nothing) {
  auto& d = shared();
  int n = 10;
  for (const std::string status : {"in-progress", "absent", "failed"}) {
    ++n;
    d.twilio->add_recording(sid("RE", n), d.wav);
    auto reply = post_signed(*d.server, "/twilio/recording-status",
                             recording_callback(*d.twilio, n, business, status));
    BOOST_TEST(reply.status == 200, status);
    if (status == "in-progress") {
      BOOST_TEST(!d.job(n), "an in-progress callback stored a job");
    } else {
      auto j = d.job(n);
      BOOST_REQUIRE(j);
      BOOST_TEST(storage::to_string(j->state) == "dead");
      BOOST_TEST(j->last_error == "recording " + status);
    }
  }
  // A barrier rather than a sleep: jobs are claimed in id order, so once a
  // later job is done, any download of the ones above would have happened.
  const int later = 15;
  d.twilio->add_recording(sid("RE", later), d.wav);
  BOOST_TEST(
      post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, later)).status == 200);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(later, storage::job_state::done); }, 90s));
  for (int i = 11; i <= n; ++i)
    BOOST_TEST(d.twilio->recording_requests(sid("RE", i)) == 0);
}

http::form voice_call(int n, const std::string& to) {
  return {{"AccountSid", account_sid}, {"CallSid", sid("CA", n)}, {"From", caller_of(n)},      {"To", to},
          {"Direction", "inbound"},    {"CallStatus", "ringing"}, {"ApiVersion", "2010-04-01"}};
}

boost::property_tree::ptree twiml_of(const std::string& body) {
  std::istringstream in(body);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

BOOST_AUTO_TEST_CASE(a_voice_call_is_dialled_and_recorded_and_its_recording_updates_the_same_lead) {
  auto& d = shared();
  const int n = 60;
  auto reply = post_signed(*d.server, "/twilio/voice", voice_call(n, business));
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.headers.find("text/xml") != std::string::npos);
  auto tree = twiml_of(reply.body);
  BOOST_TEST(tree.get<std::string>("Response.Dial.Number") == business_cell);
  BOOST_TEST(tree.get<std::string>("Response.Dial.<xmlattr>.record") == "record-from-answer-dual");
  BOOST_TEST(tree.get<std::string>("Response.Dial.<xmlattr>.recordingStatusCallback") ==
             public_url + "/twilio/recording-status");
  // The call and its lead are stored before Twilio hears the answer.
  auto db = d.db();
  auto opened = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(opened);
  BOOST_TEST(opened->phone == caller_of(n));
  // Delivered again: the same lead.
  BOOST_TEST(post_signed(*d.server, "/twilio/voice", voice_call(n, business)).status == 200);
  int leads = 0;
  const std::string call_sid = sid("CA", n); // soci::use binds a reference: no temporary
  db.session() << "SELECT COUNT(*) FROM leads WHERE call_sid = :c", soci::use(call_sid), soci::into(leads);
  BOOST_TEST(leads == 1);

  // The recording of that call (its callback carries no numbers, as a
  // <Dial>'s does not) lands on that lead.
  d.twilio->add_recording(sid("RE", n), d.wav);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status",
                         recording_callback(*d.twilio, n, business, "completed", false))
                 .status == 200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  auto lead = storage::lead_store(db).find(opened->id);
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->service_type == "locksmith");
  BOOST_TEST(lead->city == "Boston, MA");
}

BOOST_AUTO_TEST_CASE(a_voice_call_nobody_owns_hears_a_polite_goodbye_and_a_bad_one_is_refused) {
  auto& d = shared();
  auto reply = post_signed(*d.server, "/twilio/voice", voice_call(61, "+15550000000"));
  BOOST_TEST(reply.status == 200);
  auto tree = twiml_of(reply.body);
  BOOST_TEST(tree.get<std::string>("Response.Say").find("not set up") != std::string::npos);
  BOOST_TEST(tree.get_child("Response").count("Hangup") == 1u);
  BOOST_TEST(tree.get_child("Response").count("Dial") == 0u);
  // A business with no number to forward to takes a message.
  auto message = twiml_of(post_signed(*d.server, "/twilio/voice", voice_call(62, hebrew_business)).body);
  BOOST_TEST(message.get<std::string>("Response.Record.<xmlattr>.recordingStatusCallback") ==
             public_url + "/twilio/recording-status");
  // Unsigned or signed with another key: 403, as on every Twilio path.
  BOOST_TEST(post_signed(*d.server, "/twilio/voice", voice_call(63, business), "wrong-token").status == 403);
}

http::form call_status(int n, const std::string& status) {
  return {{"AccountSid", account_sid}, {"CallSid", sid("CA", n)}, {"From", caller_of(n)}, {"To", business},
          {"Direction", "inbound"},    {"CallStatus", status},    {"CallDuration", "12"}};
}

BOOST_AUTO_TEST_CASE(a_completed_call_status_finds_the_recording_once_twilio_lists_it) {
  auto& d = shared();
  const int n = 70;
  // Twilio lists no recording for the first two lookups, as while it processes one.
  d.twilio->add_call_recording(sid("CA", n), sid("RE", n), d.wav, 2);
  auto reply = post_signed(*d.server, "/twilio/call-status", call_status(n, "completed"));
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body.find("<Response/>") != std::string::npos);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  BOOST_TEST(d.twilio->recording_list_requests(sid("CA", n)) == 3);
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->service_type == "locksmith");
  BOOST_TEST(lead->phone == caller_of(n));
  auto call = storage::call_store(db).find(sid("CA", n));
  BOOST_REQUIRE(call);
  BOOST_TEST(call->status == "completed");
  // DESIGN.md's lines, the first one only on this path, in order.
  const std::string ca = sid("CA", n);
  const auto log = d.server->log();
  const auto found = log.find("✅ Found existing recording for " + ca);
  BOOST_REQUIRE_MESSAGE(found != std::string::npos, "no 'Found existing recording' line; log:\n" + log);
  expect_in_order(log.substr(found),
                  {"✅ Found existing recording for " + ca + ": /2010-04-01/Accounts/" + account_sid +
                       "/Recordings/" + sid("RE", n) + ".json",
                   "✅ Recording queued for processing: " + ca, "✅ [OFFLINE_STT] Job enqueued for " + ca,
                   "🎧 [OFFLINE_STT] Starting offline transcription for " + ca,
                   "[OFFLINE_STT] Starting offline transcription for " + ca,
                   "[OFFLINE_STT] ✅ Transcript obtained: ", "[OFFLINE_EXTRACT] Starting extraction for " + ca,
                   "[OFFLINE_EXTRACT] ✅ Extracted: service='locksmith'",
                   "✅ [OFFLINE_STT] Completed processing for " + ca});
}

BOOST_AUTO_TEST_CASE(both_paths_racing_for_one_recording_make_one_job) {
  auto& d = shared();
  const int n = 71;
  d.twilio->add_call_recording(sid("CA", n), sid("RE", n), d.wav);
  // Each path several times, from several threads at once, as Twilio may.
  std::vector<std::thread> senders;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        auto r = t % 2 == 0
                     ? post_signed(*d.server, "/twilio/call-status", call_status(n, "completed"))
                     : post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
        ok += r.status == 200;
      }
    });
  for (auto& s : senders)
    s.join();
  BOOST_TEST(ok.load() == 12);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  auto db = d.db();
  BOOST_TEST(storage::job_store(db).find_by_call_sid(sid("CA", n)).size() == 1u);
  // Lookups still under way find the job there: nothing more is made.
  BOOST_REQUIRE(wait_until([&] { return d.twilio->recording_list_requests(sid("CA", n)) >= 6; }, 10s));
  BOOST_TEST(storage::job_store(db).find_by_call_sid(sid("CA", n)).size() == 1u);
  const std::string call_sid = sid("CA", n);
  int leads = 0;
  db.session() << "SELECT COUNT(*) FROM leads WHERE call_sid = :c", soci::use(call_sid), soci::into(leads);
  BOOST_TEST(leads == 1);
}

BOOST_AUTO_TEST_CASE(other_call_statuses_are_recorded_and_make_no_job) {
  auto& d = shared();
  for (const char* status : {"busy", "no-answer", "failed", "canceled"}) {
    const int n = 72 + static_cast<int>(std::string("bnfc").find(status[0]));
    d.twilio->add_call_recording(sid("CA", n), sid("RE", n), d.wav);
    BOOST_TEST(post_signed(*d.server, "/twilio/call-status", call_status(n, status)).status == 200);
    auto db = d.db();
    auto call = storage::call_store(db).find(sid("CA", n));
    BOOST_REQUIRE(call);
    BOOST_TEST(call->status == status);
    BOOST_TEST(d.twilio->recording_list_requests(sid("CA", n)) == 0);
    BOOST_TEST(!d.job(n));
  }
  // Unsigned: 403, nothing stored.
  BOOST_TEST(
      post_signed(*d.server, "/twilio/call-status", call_status(80, "completed"), "wrong-token").status ==
      403);
  auto db = d.db();
  BOOST_TEST(!storage::call_store(db).find(sid("CA", 80)));
}

BOOST_AUTO_TEST_CASE(a_call_to_an_unknown_business_is_accepted_and_ends_dead) {
  auto& d = shared();
  const int n = 20;
  d.twilio->add_recording(sid("RE", n), d.wav);
  auto reply =
      post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n, "+15550000000"));
  BOOST_TEST(reply.status == 200);
  auto j = d.job(n);
  BOOST_REQUIRE(j);
  BOOST_TEST(storage::to_string(j->state) == "dead");
  BOOST_TEST(j->last_error == "unknown business");
}

struct bad_case {
  const char* name;
  int status;
  std::function<http::testing::client_reply(deployment&, const http::form&)> send;
};

std::ostream& operator<<(std::ostream& o, const bad_case& c) {
  return o << c.name;
}

http::form with(http::form f, const std::string& key, const std::string& value) {
  for (auto& kv : f)
    if (kv.first == key)
      kv.second = value;
  return f;
}

http::form without(http::form f, const std::string& key) {
  f.erase(std::remove_if(f.begin(), f.end(), [&](const auto& kv) { return kv.first == key; }), f.end());
  return f;
}

const std::string path = "/twilio/recording-status";
const std::vector<bad_case> bad_cases = {
    {"unsigned", 403,
     [](deployment& d, const http::form& f) {
       return http::testing::curl_request("POST", d.server->url(path), form_body(f),
                                          {"Content-Type: application/x-www-form-urlencoded"});
     }},
    {"wrongly signed", 403,
     [](deployment& d, const http::form& f) { return post_signed(*d.server, path, f, "not-the-token"); }},
    {"another account", 403,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, with(f, "AccountSid", "ACffffffffffffffffffffffffffffffff"));
     }},
    {"malformed form", 400,
     [](deployment& d, const http::form&) {
       std::string body = "AccountSid=" + account_sid + "&CallSid=%ZZ";
       return http::testing::curl_request(
           "POST", d.server->url(path), body,
           {"Content-Type: application/x-www-form-urlencoded",
            "X-Twilio-Signature: " + http::twilio_signature(auth_token, public_url + path, {})});
     }},
    {"missing RecordingSid", 400,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, without(f, "RecordingSid"));
     }},
    {"CallSid not a Sid", 400,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, with(f, "CallSid", "CA123"));
     }},
    {"RecordingSid not a Sid", 400,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, with(f, "RecordingSid", "RE../../etc/passwd"));
     }},
    {"RecordingUrl elsewhere", 400,
     [](deployment& d, const http::form& f) {
       return post_signed(
           *d.server, path,
           with(f, "RecordingUrl", "https://evil.example.com/2010-04-01/Accounts/x/Recordings/y"));
     }},
    {"channels not a number", 400,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, with(f, "RecordingChannels", "two"));
     }},
    {"body over the limit", 413,
     [](deployment& d, const http::form& f) {
       return post_signed(*d.server, path, with(f, "RecordingSource", std::string(70 * 1024, 'x')));
     }},
};

BOOST_DATA_TEST_CASE(bad_input_is_refused_with_a_reason_and_stores_nothing,
                     boost::unit_test::data::make(bad_cases), c) {
  auto& d = shared();
  const int n = 30;
  auto before = d.job_count();
  auto reply = c.send(d, recording_callback(*d.twilio, n));
  BOOST_TEST(reply.status == c.status);
  BOOST_TEST(!reply.body.empty());
  BOOST_TEST(std::count(reply.body.begin(), reply.body.end(), '\n') <= 1,
             "reason is one line: " << reply.body);
  BOOST_TEST(d.job_count() == before);
  BOOST_TEST(!d.job(n));
}

// An OpenAI-compatible transcription service on 127.0.0.1, as test code: it
// checks the bearer key and the multipart fields the way a real one reads
// them, and answers verbose_json. What a Whisper model would hear in a
// Hebrew call, it answers in Hebrew.
struct whisper_standin {
  std::mutex m;
  std::vector<std::string> bodies;
  int unauthorised = 0;
  http::server server{
      http::server_options{"127.0.0.1", 0, 8 * 1024 * 1024, 16 * 1024, std::chrono::seconds(10), 1},
      {{"POST", "/v1/audio/transcriptions", [this](const http::request& req, http::reply_fn reply) {
          std::lock_guard<std::mutex> lock(m);
          const std::string* auth = req.header("authorization");
          if (!auth || *auth != "Bearer sk-e2e-not-a-real-key") {
            ++unauthorised;
            reply(http::text_response(401, R"({"error": {"message": "Incorrect API key"}})"));
            return;
          }
          bodies.push_back(req.body);
          http::response r;
          r.content_type = "application/json";
          r.body = R"({"text": "שלום, ננעלתי מחוץ לבית, אני צריך מנעולן דחוף בעפולה",
                                       "segments": [{"start": 0.0, "end": 2.0, "no_speech_prob": 0.01,
                                       "avg_logprob": -0.2,
                                       "text": "שלום, ננעלתי מחוץ לבית, אני צריך מנעולן דחוף בעפולה"}]})";
          reply(r);
        }}}};
  whisper_standin() { server.start(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()) + "/v1"; }
};

// The value of one multipart form field, or "" (test code: fields are small).
std::string multipart_field(const std::string& body, const std::string& name) {
  auto at = body.find("name=\"" + name + "\"");
  if (at == std::string::npos)
    return "";
  auto start = body.find("\r\n\r\n", at);
  auto end = body.find("\r\n--", start);
  return start == std::string::npos || end == std::string::npos ? ""
                                                                : body.substr(start + 4, end - start - 4);
}

BOOST_AUTO_TEST_CASE(a_hebrew_call_through_an_openai_compatible_service_updates_the_lead_in_hebrew) {
  whisper_standin whisper;
  deployment d("hebrew", {{"CALLSCRIBE_STT_ENGINE", "openai"},
                          {"CALLSCRIBE_STT_URL", whisper.url()},
                          {"CALLSCRIBE_STT_MODEL", "whisper-1"},
                          {"CALLSCRIBE_STT_API_KEY", "sk-e2e-not-a-real-key"}});
  const int n = 50;
  d.twilio->add_recording(sid("RE", n), d.wav);
  BOOST_TEST(
      post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n, hebrew_business))
          .status == 200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  {
    std::lock_guard<std::mutex> lock(whisper.m);
    BOOST_REQUIRE(whisper.bodies.size() == 1u);
    const auto& body = whisper.bodies.front();
    BOOST_TEST(multipart_field(body, "model") == "whisper-1");
    BOOST_TEST(multipart_field(body, "language") == "he");
    BOOST_TEST(multipart_field(body, "response_format") == "verbose_json");
    // The business's vocabulary biases the service: its service, then its places.
    auto prompt = multipart_field(body, "prompt");
    BOOST_TEST(prompt.find("מנעולן") == 0u, prompt);
    BOOST_TEST(prompt.find("ירושלים") != std::string::npos, prompt);
  }
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->service_type == "מנעולן");
  BOOST_TEST(lead->city == "עפולה");
  BOOST_TEST(lead->final_transcript.find("ננעלתי") != std::string::npos);
  auto log = d.server->log();
  expect_in_order(log,
                  {"[OFFLINE_EXTRACT] ✅ Extracted: service='מנעולן', city='עפולה', confidence=",
                   "[OFFLINE_EXTRACT] ✅ Updated lead " + std::to_string(lead->id) + " service_type: 'מנעולן'",
                   "[OFFLINE_EXTRACT] ✅ Updated lead " + std::to_string(lead->id) + " city: 'עפולה'"});
  BOOST_TEST(log.find("sk-e2e-not-a-real-key") == std::string::npos, "the API key reached the log");
}

BOOST_AUTO_TEST_CASE(a_second_server_on_the_same_sqlite_file_refuses_to_start) {
  auto& d = shared();
  auto second_dir = d.dir / "second";
  fs::create_directories(second_dir);
  server_process second(second_dir,
                        {{"CALLSCRIBE_DB_URL", d.db_url},
                         {"CALLSCRIBE_BUSINESSES_FILE", (d.dir / "businesses.json").string()},
                         {"CALLSCRIBE_EXTRACT_PLACES_DIR", CALLSCRIBE_SOURCE_DIR "/config/places"}});
  BOOST_CHECK_THROW(second.start(), std::runtime_error);
  BOOST_TEST(second.log().find("another callscribe server is using this database") != std::string::npos,
             second.log());
  // The one-shot commands still use the file while the server runs.
  const int n = 45;
  d.twilio->add_recording(sid("RE", n), d.wav);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
             200);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s));
  const std::string binary = CALLSCRIBE_BINARY_DIR "/callscribe";
  BOOST_TEST(std::system((binary + " migrate --db.url=" + d.db_url + " > /dev/null 2>&1").c_str()) == 0);
  BOOST_TEST(
      std::system(
          (binary + " trace " + sid("CA", n) + " --db.url=" + d.db_url + " > /dev/null 2>&1").c_str()) == 0);
  BOOST_TEST(d.server->running());
}

BOOST_AUTO_TEST_CASE(kill_9_after_the_answer_then_a_restart_finishes_the_job_once) {
  deployment d("kill9");
  const int n = 40;
  d.twilio->add_recording(sid("RE", n), d.wav, 4); // keeps the job in its download for a while
  auto reply = post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
  BOOST_TEST(reply.status == 200);
  d.server->kill9();
  auto j = d.job(n);
  BOOST_REQUIRE_MESSAGE(j, "an acknowledged job was not durable");
  BOOST_TEST(storage::to_string(j->state) != "done");

  d.server->start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish after the restart; log:\n" + d.server->log());
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->city == "Boston, MA");
  // Written once: one transcript on the lead, one `done` in the trace.
  auto first = lead->final_transcript.find("locksmith");
  BOOST_TEST(first != std::string::npos);
  BOOST_TEST(lead->final_transcript.find("locksmith", first + 1) == std::string::npos,
             lead->final_transcript);
  auto events = storage::trace_store(db).for_job(d.job(n)->id);
  BOOST_TEST(std::count_if(events.begin(), events.end(), [](const auto& e) { return e.event == "done"; }) ==
             1);
  BOOST_TEST(d.server->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(every_admin_endpoint_wants_the_token_and_is_off_without_one) {
  auto& d = with_admin();
  const std::vector<std::pair<std::string, std::string>> endpoints{
      {"GET", "/api/jobs"},   {"GET", "/api/jobs/1/trace"},  {"GET", "/api/calls/" + sid("CA", 1) + "/trace"},
      {"GET", "/api/jobs/1"}, {"POST", "/api/jobs/1/retry"}, {"POST", "/api/recordings"},
      {"GET", "/api/leads/1"}};
  for (const auto& [method, path] : endpoints) {
    auto none = admin_call(*d.server, method, path, "{}", "");
    BOOST_TEST(none.status == 401, method << " " << path);
    BOOST_TEST(json_of(none).value("error", "") == "missing or wrong bearer token");
    BOOST_TEST(admin_call(*d.server, method, path, "{}", admin_token + "x").status == 401,
               method << " " << path);
    BOOST_TEST(admin_call(*d.server, method, path, "{}", "Bearer").status == 401, method << " " << path);
    BOOST_TEST(admin_call(*d.server, method, path, "{}").status != 401, method << " " << path);
    // The shared deployment sets no token: everything is refused.
    auto off = admin_call(*shared().server, method, path, "{}");
    BOOST_TEST(off.status == 403, method << " " << path);
    BOOST_TEST(json_of(off).value("error", "").find("CALLSCRIBE_ADMIN_TOKEN") != std::string::npos);
  }
  BOOST_TEST(d.server->log().find(admin_token) == std::string::npos, "the admin token reached the log");
}

BOOST_AUTO_TEST_CASE(a_recording_enqueued_by_hand_becomes_a_lead_and_the_api_shows_it) {
  auto& d = with_admin();
  const int n = 101;
  d.twilio->add_recording(sid("RE", n), d.wav);
  auto created = admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, n));
  BOOST_TEST(created.status == 201, created.body);
  const auto job_id = json_of(created).value("job_id", 0LL);
  BOOST_REQUIRE(job_id > 0);
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, n)).status == 200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());

  auto job = json_of(admin_call(*d.server, "GET", "/api/jobs/" + std::to_string(job_id)));
  BOOST_TEST(job.value("state", "") == "done");
  BOOST_TEST(job.value("call_sid", "") == sid("CA", n));
  BOOST_TEST(job.value("transcript", "").find("locksmith") != std::string::npos);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs/999999").status == 404);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs/abc").status == 404);

  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  auto shown = json_of(admin_call(*d.server, "GET", "/api/leads/" + std::to_string(lead->id)));
  BOOST_TEST(shown.value("service_type", "") == "locksmith");
  BOOST_TEST(shown.value("city", "") == "Boston, MA");
  BOOST_TEST(shown.value("phone", "") == caller_of(n));
  BOOST_TEST(admin_call(*d.server, "GET", "/api/leads/999999").status == 404);

  // Its trace, by job and by call: every actor it passed, in order (whole
  // once the tracer's batch is written, a moment after the job is done).
  nlohmann::json trace;
  wait_until(
      [&] {
        trace = json_of(admin_call(*d.server, "GET", "/api/jobs/" + std::to_string(job_id) + "/trace"));
        return trace["events"].size() >= 6u;
      },
      5s);
  BOOST_REQUIRE(trace["events"].is_array());
  std::vector<std::string> hops;
  for (const auto& e : trace["events"])
    hops.push_back(e.value("actor", "") + "/" + e.value("event", ""));
  const std::vector<std::string> expected{"webhook/enqueued",      "downloader/claimed",
                                          "downloader/downloaded", "transcriber/transcribed",
                                          "extractor/extracted",   "lead_writer/done"};
  BOOST_TEST(hops == expected, boost::test_tools::per_element());
  for (const auto& e : trace["events"])
    BOOST_TEST(e.value("done_at_us", 0LL) >= e.value("handled_at_us", 0LL));
  auto by_call = json_of(admin_call(*d.server, "GET", "/api/calls/" + sid("CA", n) + "/trace"));
  BOOST_REQUIRE(by_call["jobs"].size() == 1u);
  BOOST_TEST(by_call["jobs"][0]["events"].size() == trace["events"].size());
  BOOST_TEST(admin_call(*d.server, "GET", "/api/calls/" + sid("CA", 99999) + "/trace").status == 404);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/calls/CA123/trace").status == 404);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs/999999/trace").status == 404);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/calls/" + sid("CA", n) + "/trace", "", "").status == 401);

  // Validated as the webhook validates a callback.
  auto bad = nlohmann::json::parse(recording_json(*d.twilio, n));
  bad["recording_sid"] = "RE123";
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", bad.dump()).status == 400);
  bad = nlohmann::json::parse(recording_json(*d.twilio, n));
  bad["recording_url"] = "http://127.0.0.2:1/elsewhere";
  auto off_origin = admin_call(*d.server, "POST", "/api/recordings", bad.dump());
  BOOST_TEST(off_origin.status == 400);
  BOOST_TEST(json_of(off_origin).value("error", "").find("RecordingUrl is not on") != std::string::npos);
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", "not json").status == 400);
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", R"({"call_sid": 7})").status == 400);
}

BOOST_AUTO_TEST_CASE(a_dead_job_retried_once_twilio_has_its_recording_completes) {
  auto& d = with_admin();
  const int n = 102;
  // Twilio never serves it: one attempt, then dead.
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, n)).status == 201);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::dead); }, 90s),
                        "job did not end dead; log:\n" + d.server->log());
  const auto id = d.job(n)->id;
  // Listed among the dead, newest first, and pageable.
  auto dead = json_of(admin_call(*d.server, "GET", "/api/jobs?state=dead&limit=10"));
  BOOST_REQUIRE(dead["jobs"].is_array());
  BOOST_REQUIRE(!dead["jobs"].empty());
  BOOST_TEST(dead["jobs"][0].value("id", 0LL) == id);
  auto first = json_of(admin_call(*d.server, "GET", "/api/jobs?limit=1"));
  BOOST_REQUIRE(first["jobs"].size() == 1u);
  const auto after = first.value("next_after", 0LL);
  BOOST_TEST(after == first["jobs"][0].value("id", 0LL));
  auto next = json_of(admin_call(*d.server, "GET", "/api/jobs?limit=1&after=" + std::to_string(after)));
  BOOST_REQUIRE(next["jobs"].size() == 1u);
  BOOST_TEST(next["jobs"][0].value("id", 0LL) < after);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs?state=sleeping").status == 400);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs?limit=0").status == 400);
  BOOST_TEST(admin_call(*d.server, "GET", "/api/jobs?limit=501").status == 400);

  d.twilio->add_recording(sid("RE", n), d.wav);
  auto retried = admin_call(*d.server, "POST", "/api/jobs/" + std::to_string(id) + "/retry");
  BOOST_TEST(retried.status == 200, retried.body);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "retried job did not finish; log:\n" + d.server->log());
  BOOST_TEST(d.job(n)->id == id);
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->service_type == "locksmith");
  // Retrying what is not dead or done is refused.
  const int m = 103;
  d.twilio->add_recording(sid("RE", m), d.wav, 1000); // keeps it downloading
  BOOST_TEST(admin_call(*d.server, "POST", "/api/recordings", recording_json(*d.twilio, m)).status == 201);
  auto busy = admin_call(*d.server, "POST", "/api/jobs/" + std::to_string(d.job(m)->id) + "/retry");
  BOOST_TEST(busy.status == 409);
  BOOST_TEST(admin_call(*d.server, "POST", "/api/jobs/999999/retry").status == 404);
}

BOOST_AUTO_TEST_CASE(sigterm_during_a_transcription_exits_0_and_the_next_start_finishes_the_job) {
  deployment d("sigterm", {{"CALLSCRIBE_SHUTDOWN_GRACE_SECONDS", "2"}});
  const int n = 110;
  // About forty seconds of speech: seconds of PocketSphinx, long enough to stop it midway.
  const std::string long_wav = (d.dir / "long.wav").string();
  std::string text;
  for (int i = 0; i < 12; ++i)
    text += "I need a locksmith in Boston because I am locked out of my house. ";
  std::string flite = "flite -voice rms -t '" + text + "' -o '" + long_wav + "'";
  BOOST_REQUIRE(std::system(flite.c_str()) == 0);
  d.twilio->add_recording(sid("RE", n), long_wav);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
             200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::transcribing); }, 60s),
                        "the job never reached its transcription; log:\n" + d.server->log());
  const auto stopping = std::chrono::steady_clock::now();
  BOOST_TEST(d.server->terminate() == 0);
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - stopping);
  BOOST_TEST(took.count() < 10); // the grace period is 2 s
  BOOST_TEST(!d.job_in(n, storage::job_state::done));

  d.server->start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 120s),
                        "job did not finish after the restart; log:\n" + d.server->log());
  auto db = d.db();
  auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
  BOOST_REQUIRE(lead);
  BOOST_TEST(lead->service_type == "locksmith");
  BOOST_TEST(d.server->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(paused_the_worker_stores_jobs_and_resumed_it_drains_them_in_order) {
  deployment d("paused", {{"CALLSCRIBE_WORKER_ENABLED", "false"}});
  const std::vector<int> calls{120, 121, 122};
  for (int n : calls) {
    d.twilio->add_recording(sid("RE", n), d.wav);
    BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
               200);
    BOOST_TEST(d.job_in(n, storage::job_state::queued));
  }
  BOOST_TEST(d.server->log().find("worker.enabled is off") != std::string::npos);
  // Nothing is processed while paused (bounded look: two poll periods).
  BOOST_TEST(!wait_until([&] { return d.twilio->recording_requests(sid("RE", calls[0])) > 0; }, 3s));
  BOOST_TEST(d.server->terminate() == 0);

  d.server->set_env("CALLSCRIBE_WORKER_ENABLED", "true");
  d.server->start();
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(calls.back(), storage::job_state::done); }, 120s),
                        "the backlog was not drained; log:\n" + d.server->log());
  for (int n : calls)
    BOOST_TEST(d.job_in(n, storage::job_state::done));
  // In the order they came.
  const auto log = d.server->log();
  std::vector<std::string> completed;
  for (int n : calls)
    completed.push_back("✅ [OFFLINE_STT] Completed processing for " + sid("CA", n));
  expect_in_order(log, completed);
  BOOST_TEST(d.server->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(with_zero_days_audio_goes_after_processing_and_twilio_deletes_the_recording) {
  deployment d("retention", {{"CALLSCRIBE_STORAGE_RETENTION_DAYS", "0"},
                             {"CALLSCRIBE_TWILIO_DELETE_AFTER_PROCESSING", "true"},
                             {"CALLSCRIBE_STORAGE_SWEEP_SECONDS", "1"}});
  const int n = 130;
  d.twilio->add_recording(sid("RE", n), d.wav);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)).status ==
             200);
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job(n)->audio_path.empty(); }, 10s),
                        "the audio stayed; log:\n" + d.server->log());
  BOOST_REQUIRE(wait_until([&] { return d.twilio->recording_deletes(sid("RE", n)) == 1; }, 10s));
  // No audio left in the data dir; the transcript and the lead stay.
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(d.dir / "data"))
    files += e.is_regular_file() ? 1 : 0;
  BOOST_TEST(files == 0u);
  BOOST_TEST(d.job(n)->transcript.find("locksmith") != std::string::npos);
  auto db = d.db();
  BOOST_TEST(storage::lead_store(db).find_by_call_sid(sid("CA", n))->service_type == "locksmith");
  // Asked once: the next sweeps (one a second) leave it.
  BOOST_TEST(!wait_until([&] { return d.twilio->recording_deletes(sid("RE", n)) > 1; }, 2500ms));
  BOOST_TEST(d.server->log().find("🧹 [RETENTION] Deleted 1 audio file(s)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_reconciliation_sweep_finds_recordings_whose_callbacks_never_came) {
  // No sweep until the stage is set: the first start has it off.
  deployment d("reconcile", {{"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"}});
  // Three recordings Twilio made while no callback reached us; one of them
  // did get its callback, and has its job already.
  for (int n : {140, 141, 142})
    d.twilio->add_lost_recording(sid("CA", n), sid("RE", n), d.wav, caller_of(n), business);
  BOOST_TEST(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, 141)).status ==
             200);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(141, storage::job_state::done); }, 90s));
  BOOST_TEST(d.twilio->account_list_queries().empty());
  // The sweep runs soon after start (then every twilio.reconcile-minutes).
  BOOST_TEST(d.server->terminate() == 0);
  d.server->set_env("CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "10");
  d.server->start();
  for (int n : {140, 142})
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                          "a lost recording was not processed; log:\n" + d.server->log());
  auto db = d.db();
  for (int n : {140, 141, 142}) {
    BOOST_TEST(storage::job_store(db).find_by_call_sid(sid("CA", n)).size() == 1u);
    auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
    BOOST_REQUIRE(lead);
    BOOST_TEST(lead->phone == caller_of(n)); // the numbers came from Twilio's Calls resource
    BOOST_TEST(lead->service_type == "locksmith");
  }
  // Every page was read, filtered by date.
  auto queries = d.twilio->account_list_queries();
  BOOST_REQUIRE(queries.size() >= 2u);
  BOOST_TEST(queries[0].find("DateCreated%3E=") != std::string::npos, queries[0]);
  BOOST_TEST(queries[1].find("Page=1") != std::string::npos, queries[1]);
  BOOST_TEST(d.server->log().find("✅ [RECONCILE] Found recording " + sid("RE", 140)) != std::string::npos);
  BOOST_TEST(d.server->log().find("✅ [RECONCILE] Found recording " + sid("RE", 141)) == std::string::npos);
  // The mark is durable: a third start lists from it again, and adds nothing.
  BOOST_TEST(d.server->terminate() == 0);
  d.server->start();
  BOOST_REQUIRE(
      wait_until([&] { return d.twilio->account_list_queries().size() >= queries.size() + 2; }, 30s));
  for (int n : {140, 141, 142})
    BOOST_TEST(storage::job_store(db).find_by_call_sid(sid("CA", n)).size() == 1u);
  BOOST_TEST(d.server->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(twilios_idempotency_token_is_kept_in_the_trace_and_named_on_a_retry) {
  auto& d = shared();
  const int n = 150;
  d.twilio->add_recording(sid("RE", n), d.wav);
  const std::string token = "RQ0123456789abcdef-1";
  auto once = [&] {
    return post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n), auth_token,
                       {"I-Twilio-Idempotency-Token: " + token});
  };
  BOOST_TEST(once().status == 200);
  BOOST_TEST(once().status == 200); // Twilio's retry of the same delivery
  auto db = d.db();
  auto job = d.job(n);
  BOOST_REQUIRE(job);
  BOOST_REQUIRE(wait_until(
      [&] {
        for (const auto& e : storage::trace_store(db).for_job(job->id))
          if (e.event == "enqueued")
            return true;
        return false;
      },
      10s));
  bool kept = false;
  for (const auto& e : storage::trace_store(db).for_job(job->id))
    kept =
        kept || (e.event == "enqueued" && e.detail.find("idempotency-token=" + token) != std::string::npos);
  BOOST_TEST(kept);
  BOOST_TEST(d.server->log().find("Duplicate delivery for " + sid("RE", n) +
                                  " ignored (I-Twilio-Idempotency-Token " + token + ")") !=
             std::string::npos);
  // A call's callbacks keep it on the call.
  BOOST_TEST(post_signed(*d.server, "/twilio/call-status", call_status(n, "completed"), auth_token,
                         {"I-Twilio-Idempotency-Token: RQ-call-status-1"})
                 .status == 200);
  BOOST_TEST(storage::call_store(db).find(sid("CA", n))->idempotency_token == "RQ-call-status-1");
}

BOOST_AUTO_TEST_CASE(simulate_call_plays_twilio_against_a_running_server_and_prints_the_lead) {
  // The server's twilio.api-base is where simulate-call plays Twilio: a port
  // taken for a moment here, free again for it.
  const auto port = [] {
    http::server probe(http::server_options{"127.0.0.1", 0, 1024, 1024, std::chrono::seconds(1), 1}, {});
    probe.start();
    return probe.port();
  }();
  const fs::path dir = fs::temp_directory_path() / ("callscribe-e2e-simulate-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string wav = (dir / "call.wav").string();
  BOOST_REQUIRE(
      std::system(("flite -voice rms -t 'I need a locksmith in Boston' -o '" + wav + "'").c_str()) == 0);
  std::ofstream(dir / "businesses.json")
      << R"([{"name": "Boston Lock & Key", "phone_number": ")" << business
      << R"(", "forward_to": "+16175550199", "language": "en", "places": ["us"],
      "services": [{"name": "locksmith", "aliases": ["locked out"]}]}])";
  const std::map<std::string, std::string> env{
      {"CALLSCRIBE_DB_URL", "sqlite:" + (dir / "db" / "callscribe.db").string()},
      {"CALLSCRIBE_STORAGE_DATA_DIR", (dir / "data").string()},
      {"CALLSCRIBE_TWILIO_API_BASE", "http://127.0.0.1:" + std::to_string(port)},
      {"TWILIO_ACCOUNT_SID", account_sid},
      {"TWILIO_AUTH_TOKEN", auth_token},
      {"CALLSCRIBE_HTTP_PUBLIC_URL", public_url},
      {"CALLSCRIBE_BUSINESSES_FILE", (dir / "businesses.json").string()},
      {"CALLSCRIBE_EXTRACT_PLACES_DIR", CALLSCRIBE_SOURCE_DIR "/config/places"},
      {"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"},
  };
  server_process server(dir, env);
  server.start();
  // The same settings for the command; its output to a file.
  std::string command;
  for (const auto& [k, v] : env)
    command += k + "='" + v + "' ";
  const fs::path out = dir / "simulate.out";
  command += std::string(CALLSCRIBE_BINARY_DIR) + "/callscribe simulate-call --audio '" + wav +
             "' --from +16175554999 --to " + business + " --server " + server.url("") + " --twice > '" +
             out.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(out);
  const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(WEXITSTATUS(status) == 0, printed);
  for (const char* line :
       {"POST /twilio/voice → 200", "POST /twilio/voice (again) → 200", "POST /twilio/recording-status → 200",
        "POST /twilio/call-status (again) → 200", "\"service_type\": \"locksmith\"",
        "\"city\": \"Boston, MA\"", "\"phone\": \"+16175554999\""})
    BOOST_TEST(printed.find(line) != std::string::npos, line << " not in:\n" << printed);
  // Twice delivered, once processed.
  auto db = storage::database::open(env.at("CALLSCRIBE_DB_URL"));
  BOOST_TEST(storage::job_store(db).recent(10).size() == 1u);
  BOOST_TEST(server.terminate() == 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

BOOST_AUTO_TEST_CASE(simulate_call_says_what_is_missing) {
  const std::string binary = std::string(CALLSCRIBE_BINARY_DIR) + "/callscribe";
  auto run = [&](const std::string& args) {
    return WEXITSTATUS(std::system((binary + " simulate-call " + args + " > /dev/null 2>&1").c_str()));
  };
  BOOST_TEST(run("--from +1 --to +2") == 2);                                      // no audio
  BOOST_TEST(run("--audio /nonexistent.wav --from +1 --to +2") == 2);             // no such file
  BOOST_TEST(run("--audio " CALLSCRIBE_SOURCE_DIR "/README.md --from +1 --to +2 " // api-base is Twilio's
                 "--twilio.api-base=https://api.twilio.com") == 2);
}

BOOST_AUTO_TEST_CASE(readiness_says_why_and_follows_the_database) {
  deployment d("ready");
  // The port is open before PocketSphinx's model is loaded: until it is,
  // readiness is 503 and says that alone.
  http::testing::client_reply ready;
  BOOST_TEST(wait_until(
      [&] {
        ready = http::testing::curl_request("GET", d.server->url("/readyz"));
        if (ready.status == 503) {
          auto early = json_of(ready);
          BOOST_TEST(early.value("speech_engine", "") == "loading", early.dump());
          BOOST_TEST(early["reasons"].dump() == R"(["speech engine: not loaded yet"])", early.dump());
        }
        return ready.status != 503;
      },
      30s));
  BOOST_TEST(ready.status == 200, ready.body);
  auto body = json_of(ready);
  BOOST_TEST(body.value("ready", false));
  BOOST_TEST(body.value("speech_engine", "") == "ready");
  BOOST_TEST(body["actors"].value("webhook", "") == "up");
  BOOST_TEST(body["actors"].value("downloader", "") == "up");
  BOOST_TEST(body["disk"].value("free_bytes", 0ULL) > 0u);
  auto alive = http::testing::curl_request("GET", d.server->url("/healthz"));
  BOOST_TEST(alive.status == 200);
  BOOST_TEST(json_of(alive).value("status", "") == "alive");

  // The database file goes (a folder in its place: root reads any file);
  // readiness says so, and comes back with it.
  const fs::path db_file = d.dir / "db" / "callscribe.db", aside = d.dir / "db" / "aside.db";
  fs::rename(db_file, aside);
  fs::create_directory(db_file);
  auto gone = http::testing::curl_request("GET", d.server->url("/readyz"));
  BOOST_TEST(gone.status == 503, gone.body);
  auto why = json_of(gone);
  BOOST_TEST(!why.value("ready", true));
  BOOST_REQUIRE(why["reasons"].is_array());
  BOOST_TEST(why["reasons"][0].get<std::string>().rfind("database: ", 0) == 0u, why.dump());
  fs::remove(db_file);
  fs::rename(aside, db_file);
  BOOST_TEST(http::testing::curl_request("GET", d.server->url("/readyz")).status == 200);

  // Below the free-space threshold: not ready, with the numbers.
  BOOST_TEST(d.server->terminate() == 0);
  d.server->set_env("CALLSCRIBE_STORAGE_MIN_FREE_MEGABYTES", "1000000000");
  d.server->start();
  auto full = http::testing::curl_request("GET", d.server->url("/readyz"));
  BOOST_TEST(full.status == 503);
  BOOST_TEST(full.body.find("storage.min-free-megabytes") != std::string::npos, full.body);
  BOOST_TEST(d.server->terminate() == 0);
}
