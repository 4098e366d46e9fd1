// Recording-status callbacks and other Twilio posts: signature, AccountSid,
// then fields, each refusal with its status and one-line reason.
#include "http/twilio_callback.hpp"
#include "http/twilio_signature.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>

#include <ostream>

namespace bdata = boost::unit_test::data;
using namespace callscribe::http;

namespace {

const std::string account = "AC0123456789abcdef0123456789abcdef";
const std::string call = "CA11111111111111111111111111111111";
const std::string recording = "RE22222222222222222222222222222222";
const std::string recording_url =
    "https://api.twilio.com/2010-04-01/Accounts/" + account + "/Recordings/" + recording;
const std::string target = "/twilio/recording-status?business=7";

twilio_settings settings() {
  twilio_settings s;
  s.account_sid = account;
  s.auth_token = "0123456789abcdef0123456789abcdef";
  s.public_url = "https://calls.example.com/"; // the trailing slash is not part of what Twilio signs
  s.api_base = "https://api.twilio.com";
  return s;
}

std::string encode(const form& f) {
  std::string out;
  for (const auto& [k, v] : f) {
    char* ek = curl_easy_escape(nullptr, k.c_str(), static_cast<int>(k.size()));
    char* ev = curl_easy_escape(nullptr, v.c_str(), static_cast<int>(v.size()));
    out += (out.empty() ? "" : "&") + std::string(ek) + "=" + ev;
    curl_free(ek);
    curl_free(ev);
  }
  return out;
}

form valid_fields() {
  return {{"AccountSid", account},          {"CallSid", call},
          {"RecordingSid", recording},      {"RecordingUrl", recording_url},
          {"RecordingStatus", "completed"}, {"RecordingDuration", "42"},
          {"RecordingChannels", "2"},       {"RecordingSource", "DialVerb"}};
}

std::string sign(const form& f, const std::string& t = target) {
  return twilio_signature(settings().auth_token, "https://calls.example.com" + t, f);
}

form with(form f, const std::string& name, const std::string& value) {
  for (auto& [k, v] : f)
    if (k == name) {
      v = value;
      return f;
    }
  f.emplace_back(name, value);
  return f;
}

form without(form f, const std::string& name) {
  form out;
  for (auto& kv : f)
    if (kv.first != name)
      out.push_back(kv);
  return out;
}

callback_check check(const form& f) {
  return check_recording_callback(settings(), target, encode(f), sign(f));
}

} // namespace

BOOST_AUTO_TEST_SUITE(recording_callback_checks)

BOOST_AUTO_TEST_CASE(valid_callback) {
  auto r = check(valid_fields());
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.reason.empty());
  BOOST_TEST_REQUIRE(r.callback.has_value());
  BOOST_TEST(r.callback->account_sid == account);
  BOOST_TEST(r.callback->call_sid == call);
  BOOST_TEST(r.callback->recording_sid == recording);
  BOOST_TEST(r.callback->recording_url == recording_url);
  BOOST_TEST(r.callback->recording_status == "completed");
  BOOST_TEST(r.callback->duration_seconds == 42);
  BOOST_TEST(r.callback->channels == 2);
}

BOOST_AUTO_TEST_CASE(signed_with_the_default_port) {
  auto f = valid_fields();
  auto sig = twilio_signature(settings().auth_token, "https://calls.example.com:443" + target, f);
  BOOST_TEST(check_recording_callback(settings(), target, encode(f), sig).status == 200);
}

BOOST_AUTO_TEST_CASE(unsigned_is_refused) {
  auto r = check_recording_callback(settings(), target, encode(valid_fields()), "");
  BOOST_TEST(r.status == 403);
  BOOST_TEST(r.reason == "missing X-Twilio-Signature");
  BOOST_TEST(!r.callback.has_value());
}

BOOST_AUTO_TEST_CASE(wrong_signature_is_refused) {
  auto f = valid_fields();
  // Signed for another path, another token, or then altered.
  for (const auto& sig :
       {sign(f, "/twilio/voice"), twilio_signature("other", "https://calls.example.com" + target, f),
        sign(with(f, "RecordingDuration", "43"))}) {
    auto r = check_recording_callback(settings(), target, encode(f), sig);
    BOOST_TEST(r.status == 403);
    BOOST_TEST(r.reason == "invalid X-Twilio-Signature");
  }
}

BOOST_AUTO_TEST_CASE(without_an_auth_token_everything_is_refused) {
  // HMAC with an empty key is something anyone can compute.
  auto s = settings();
  s.auth_token.clear();
  auto f = valid_fields();
  auto r = check_recording_callback(s, target, encode(f),
                                    twilio_signature("", "https://calls.example.com" + target, f));
  BOOST_TEST(r.status == 403);
  BOOST_TEST(r.reason == "no Twilio auth token is configured (TWILIO_AUTH_TOKEN)");
}

BOOST_AUTO_TEST_CASE(signature_check_can_be_off) {
  auto s = settings();
  s.validate_signature = false;
  BOOST_TEST(check_recording_callback(s, target, encode(valid_fields()), "").status == 200);
  // The AccountSid is still checked.
  auto r = check_recording_callback(s, target, encode(with(valid_fields(), "AccountSid", "ACx")), "");
  BOOST_TEST(r.status == 403);
}

BOOST_AUTO_TEST_CASE(wrong_account_is_refused) {
  for (const auto& f : {with(valid_fields(), "AccountSid", "AC99999999999999999999999999999999"),
                        without(valid_fields(), "AccountSid")}) {
    auto r = check(f);
    BOOST_TEST(r.status == 403);
    BOOST_TEST(r.reason == "AccountSid does not match");
  }
}

BOOST_AUTO_TEST_CASE(malformed_form_is_400) {
  auto r = check_recording_callback(settings(), target, "AccountSid=%zz", "whatever");
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.reason == "bad percent-escape in form body");
}

BOOST_AUTO_TEST_CASE(record_action_post_without_status) {
  // <Record action> posts carry RecordingUrl but no RecordingStatus.
  auto f =
      with(with(without(valid_fields(), "RecordingStatus"), "From", "+972501234567"), "To", "+97246000000");
  auto r = check(f);
  BOOST_TEST_REQUIRE(r.status == 200, r.reason);
  BOOST_TEST(r.callback->recording_status == "completed");
  BOOST_TEST(r.callback->from == "+972501234567");
  BOOST_TEST(r.callback->to == "+97246000000");
}

BOOST_AUTO_TEST_CASE(failed_recording_without_url) {
  auto f = with(without(without(valid_fields(), "RecordingUrl"), "RecordingDuration"), "RecordingStatus",
                "failed");
  auto r = check(f);
  BOOST_TEST_REQUIRE(r.status == 200, r.reason);
  BOOST_TEST(r.callback->recording_status == "failed");
  BOOST_TEST(r.callback->recording_url.empty());
}

BOOST_AUTO_TEST_CASE(optional_numbers) {
  auto r = check(without(without(valid_fields(), "RecordingDuration"), "RecordingChannels"));
  BOOST_TEST_REQUIRE(r.status == 200);
  BOOST_TEST(r.callback->duration_seconds == 0);
  BOOST_TEST(r.callback->channels == 1);
  r = check(with(valid_fields(), "RecordingDuration", "-1")); // Twilio's "unknown"
  BOOST_TEST_REQUIRE(r.status == 200);
  BOOST_TEST(r.callback->duration_seconds == 0);
}

namespace {

struct bad_field {
  form fields;
  std::string reason;
};

std::ostream& operator<<(std::ostream& os, const bad_field& b) {
  return os << b.reason;
}

const bad_field bad_fields[] = {
    {without(valid_fields(), "CallSid"), "missing CallSid"},
    {without(valid_fields(), "RecordingSid"), "missing RecordingSid"},
    {with(valid_fields(), "RecordingSid", ""), "missing RecordingSid"},
    {without(without(valid_fields(), "RecordingStatus"), "RecordingUrl"), "missing RecordingStatus"},
    {without(valid_fields(), "RecordingUrl"), "missing RecordingUrl"},
    {with(valid_fields(), "CallSid", "CA123"), "CallSid is not a Twilio Call Sid (CA + 32 hex)"},
    {with(valid_fields(), "CallSid", "CA11111111111111111111111111111ABC"),
     "CallSid is not a Twilio Call Sid (CA + 32 hex)"},
    {with(valid_fields(), "CallSid", recording), "CallSid is not a Twilio Call Sid (CA + 32 hex)"},
    {with(valid_fields(), "RecordingSid", "RE../../etc/passwd"),
     "RecordingSid is not a Twilio Recording Sid (RE + 32 hex)"},
    {with(valid_fields(), "RecordingUrl", "https://evil.example.com/2010-04-01/Accounts/x/Recordings/y"),
     "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingUrl", "http://api.twilio.com/2010-04-01/Recordings/y"),
     "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingUrl", "https://api.twilio.com:8443/x"),
     "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingUrl", "https://api.twilio.com.evil.example/x"),
     "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingUrl", "file:///etc/passwd"),
     "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingUrl", "not a url"), "RecordingUrl is not on https://api.twilio.com"},
    {with(valid_fields(), "RecordingChannels", "two"), "RecordingChannels must be 1 or 2"},
    {with(valid_fields(), "RecordingChannels", "3"), "RecordingChannels must be 1 or 2"},
    {with(valid_fields(), "RecordingChannels", "1.0"), "RecordingChannels must be 1 or 2"},
    {with(valid_fields(), "RecordingDuration", "4.5"), "RecordingDuration is not an integer"},
    {with(valid_fields(), "RecordingDuration", "12s"), "RecordingDuration is not an integer"},
    {with(valid_fields(), "RecordingDuration", "99999999999"), "RecordingDuration is not an integer"},
};

} // namespace

BOOST_DATA_TEST_CASE(bad_fields_are_400, bdata::make(bad_fields), b) {
  auto r = check(b.fields);
  BOOST_TEST(r.status == 400);
  BOOST_TEST(r.reason == b.reason);
  BOOST_TEST(r.reason.find('\n') == std::string::npos);
  BOOST_TEST(!r.callback.has_value());
}

BOOST_AUTO_TEST_CASE(any_twilio_post) {
  form f = {{"AccountSid", account},
            {"CallSid", call},
            {"From", "+972501234567"},
            {"To", "+97246000000"},
            {"CallerCity", "עפולה"}};
  auto r = check_twilio_post(settings(), "/twilio/voice", encode(f), sign(f, "/twilio/voice"));
  BOOST_TEST_REQUIRE(r.status == 200, r.reason);
  BOOST_TEST(r.fields.size() == f.size());
  BOOST_TEST(*form_value(r.fields, "CallerCity") == "עפולה");
  r = check_twilio_post(settings(), "/twilio/voice", encode(f), sign(f, "/twilio/call-status"));
  BOOST_TEST(r.status == 403);
}

BOOST_AUTO_TEST_CASE(voice_and_call_status_posts_need_a_call_sid_and_keep_the_numbers_as_given) {
  const std::string voice = "/twilio/voice";
  form f{{"AccountSid", account}, {"CallSid", call},        {"From", "+972501234567"},
         {"To", "+97246000000"},  {"Direction", "inbound"}, {"CallStatus", "ringing"}};
  auto ok = check_call_callback(settings(), voice, encode(f), sign(f, voice));
  BOOST_TEST(ok.status == 200, ok.reason);
  BOOST_REQUIRE(ok.call);
  BOOST_TEST(ok.call->call_sid == call);
  BOOST_TEST(ok.call->from == "+972501234567");
  BOOST_TEST(ok.call->to == "+97246000000");
  BOOST_TEST(ok.call->direction == "inbound");
  BOOST_TEST(ok.call->call_status == "ringing");

  auto anonymous = with(f, "From", "anonymous");
  BOOST_TEST(check_call_callback(settings(), voice, encode(anonymous), sign(anonymous, voice)).call->from ==
             "anonymous");
  auto bad_sid = with(f, "CallSid", "CA123");
  auto refused = check_call_callback(settings(), voice, encode(bad_sid), sign(bad_sid, voice));
  BOOST_TEST(refused.status == 400);
  BOOST_TEST(refused.reason == "CallSid is not a Twilio Call Sid (CA + 32 hex)");
  BOOST_TEST(check_call_callback(settings(), voice, encode(f), "").status == 403);
  BOOST_TEST(check_call_callback(settings(), voice, encode(f), sign(f, "/twilio/call-status")).status == 403);
}

BOOST_AUTO_TEST_SUITE_END()
