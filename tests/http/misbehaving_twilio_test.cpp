// Twilio misbehaving while we download a recording: Retry-After on 429 and
// 503, connections reset, bodies cut short or never ending, a name that does
// not resolve. Each ends in bounded requests and pauses, a clear reason, and
// no file left behind unless the recording came whole.
#include "http/twilio_api.hpp"
#include "tests/http/misbehaving_peer.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace callscribe::http;
using callscribe::testing::misbehaving_peer;
using act = misbehaving_peer::act;
using std::chrono::milliseconds;

namespace {

const std::string account = "AC0123456789abcdef0123456789abcdef";
const std::string token = "misbehaving-twilio-token-0123456789";
const std::string recording = "RE22222222222222222222222222222222";
const std::string audio = std::string("RIFF") + std::string(60, 'w');

struct a_download {
  fs::path dir = fs::temp_directory_path() / ("callscribe-misbehaving-" + std::to_string(::getpid()));
  std::vector<milliseconds> pauses;

  a_download() { fs::remove_all(dir); }
  ~a_download() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  download_outcome from(const std::string& base, int attempts = 3, std::size_t max_bytes = 1024 * 1024) {
    fetch_options o;
    o.timeout = std::chrono::seconds(5);
    o.connect_timeout = std::chrono::seconds(2);
    o.max_bytes = max_bytes;
    retry_policy r;
    r.attempts = attempts;
    r.initial_backoff = milliseconds(10);
    r.max_backoff = milliseconds(5000);
    return download_recording(
        {base, account, token}, base + "/2010-04-01/Accounts/" + account + "/Recordings/" + recording,
        recording, 1, dir.string(), o, r, [this](milliseconds d) { pauses.push_back(d); });
  }

  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (fs::exists(dir))
      for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    return out;
  }
};

misbehaving_peer::script answer(int status, std::vector<std::string> headers = {}, std::string body = "") {
  return {act::answer, status, std::move(headers), std::move(body)};
}

misbehaving_peer::script the_recording() {
  return answer(200, {"Content-Type: audio/x-wav"}, audio);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool failed(const download_outcome& d) {
  return d.result == download_outcome::status::failed;
}

} // namespace

BOOST_AUTO_TEST_SUITE(misbehaving_twilio)

BOOST_FIXTURE_TEST_CASE(a_429s_retry_after_is_waited_before_the_next_request, a_download) {
  misbehaving_peer twilio([](int n, const std::string&) {
    return n == 0 ? answer(429, {"Retry-After: 3"}, R"({"code": 20429})") : the_recording();
  });
  auto d = from(twilio.base());
  BOOST_TEST(static_cast<int>(d.result) == static_cast<int>(download_outcome::status::ok), d.error);
  BOOST_TEST(d.requests == 2);
  BOOST_REQUIRE(pauses.size() == 1u);
  BOOST_TEST(pauses[0].count() >= 3000); // not the 10 ms backoff
  BOOST_TEST(pauses[0].count() < 3100);
}

BOOST_FIXTURE_TEST_CASE(a_retry_after_longer_than_a_pause_hands_the_wait_to_the_job, a_download) {
  misbehaving_peer twilio([](int, const std::string&) { return answer(503, {"Retry-After: 600"}, "busy"); });
  auto d = from(twilio.base(), 5);
  BOOST_TEST(failed(d));
  BOOST_TEST(d.retryable);
  BOOST_TEST(d.requests == 1); // no request until Twilio's time has come
  BOOST_TEST(pauses.empty());
  BOOST_TEST(d.retry_after.count() == 600L);
  BOOST_TEST(d.error.find("HTTP 503") != std::string::npos, d.error);
  BOOST_TEST(d.error.find("Retry-After 600 s") != std::string::npos, d.error);
  BOOST_TEST(files().empty());
}

BOOST_FIXTURE_TEST_CASE(reset_connections_are_retried_with_pauses_then_given_up_retryable, a_download) {
  misbehaving_peer twilio([](int, const std::string&) { return misbehaving_peer::doing(act::reset); });
  auto d = from(twilio.base(), 4);
  BOOST_TEST(failed(d));
  BOOST_TEST(d.retryable); // the job is tried again later, up to worker.max-attempts
  BOOST_TEST(d.requests == 4);
  BOOST_TEST(twilio.requests() == 4);
  BOOST_TEST(pauses.size() == 3u); // a pause between every two requests: no busy loop
  BOOST_TEST(d.error.find("after 4 requests") != std::string::npos, d.error);
  BOOST_TEST(files().empty());
}

BOOST_FIXTURE_TEST_CASE(a_body_cut_short_is_not_kept_and_the_next_whole_one_is, a_download) {
  misbehaving_peer twilio([](int n, const std::string&) {
    return n == 0 ? misbehaving_peer::doing(act::truncated) : the_recording();
  });
  auto d = from(twilio.base());
  BOOST_TEST(static_cast<int>(d.result) == static_cast<int>(download_outcome::status::ok), d.error);
  BOOST_TEST(d.requests == 2);
  BOOST_REQUIRE(files().size() == 1u);
  std::ifstream in(d.path, std::ios::binary);
  std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(stored == audio); // nothing of the cut body
}

BOOST_FIXTURE_TEST_CASE(an_endless_body_stops_at_the_size_limit_for_good, a_download) {
  misbehaving_peer twilio([](int, const std::string&) { return misbehaving_peer::doing(act::endless); });
  const auto started = std::chrono::steady_clock::now();
  auto d = from(twilio.base(), 3, 1024 * 1024);
  BOOST_TEST(failed(d));
  BOOST_TEST(!d.retryable); // asking again brings the same endless answer
  BOOST_TEST(d.requests == 1);
  BOOST_TEST(d.error.find("over 1048576 bytes") != std::string::npos, d.error);
  BOOST_TEST(files().empty());
  BOOST_TEST(seconds_since(started) < 5.0);
}

BOOST_FIXTURE_TEST_CASE(a_name_that_does_not_resolve_is_retryable_and_bounded, a_download) {
  const auto started = std::chrono::steady_clock::now();
  auto d = from("http://twilio-stand-in.invalid", 3);
  BOOST_TEST(failed(d));
  BOOST_TEST(d.retryable);
  BOOST_TEST(d.requests == 3);
  BOOST_TEST(pauses.size() == 2u);
  BOOST_TEST(d.error.find("resolve") != std::string::npos, d.error);
  BOOST_TEST(files().empty());
  BOOST_TEST(seconds_since(started) < 15.0);
}

BOOST_FIXTURE_TEST_CASE(the_credentials_go_only_to_twilio_and_never_into_the_reason, a_download) {
  misbehaving_peer twilio([](int, const std::string&) { return answer(401, {}, token); });
  auto d = from(twilio.base(), 3);
  BOOST_TEST(failed(d));
  BOOST_TEST(!d.retryable);
  BOOST_TEST(d.error.find(token) == std::string::npos, d.error);
  BOOST_REQUIRE(!twilio.heads().empty());
  BOOST_TEST(twilio.heads()[0].find("Authorization: Basic ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
