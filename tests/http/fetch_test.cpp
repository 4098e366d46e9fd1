// Outgoing fetches and recording downloads against our own server standing
// in for Twilio on 127.0.0.1: auth, retries with backoff, limits, timeouts,
// redirects without credentials, and the Calls resource.
#include "http/fetch.hpp"
#include "http/server.hpp"
#include "http/twilio_api.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <ostream>
#include <thread>

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace callscribe::http;

namespace {

const std::string account = "AC0123456789abcdef0123456789abcdef";
const std::string token = "s3cr3t-auth-token-0123456789abcd";
const std::string call = "CA11111111111111111111111111111111";
const std::string recording = "RE22222222222222222222222222222222";
const std::string recordings_path = "/2010-04-01/Accounts/" + account + "/Recordings/";

std::string basic_auth(const std::string& user, const std::string& password) {
  std::string plain = user + ":" + password;
  std::string b64(4 * ((plain.size() + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  b64.resize(static_cast<std::size_t>(n));
  return "Basic " + b64;
}

// What the stand-in saw and how it answers; set by each test.
struct twilio_stand_in {
  std::mutex m;
  std::vector<std::string> targets; // every recording request, as sent
  std::vector<bool> authorised;     // whether it carried our credentials
  int not_found_first = 0;          // answer 404 to this many recording requests
  int status_for_wav = 200;         // e.g. 400: Twilio refuses WAV
  int status_always = 0;            // e.g. 503 for every request
  std::string audio = std::string("RIFF") + std::string(60, 'x');
  std::atomic<bool> target_saw_authorization{false};
  std::atomic<int> target_hits{0};
  std::vector<std::thread> slow_replies;

  std::vector<route> routes(const std::function<std::string()>& base) {
    return {
        {"GET", recordings_path + "*",
         [this](const request& req, reply_fn reply) {
           std::lock_guard<std::mutex> lock(m);
           const std::string* auth = req.header("authorization");
           bool ok = auth && *auth == basic_auth(account, token);
           targets.push_back(req.target);
           authorised.push_back(ok);
           if (!ok) {
             response r = text_response(401, "authenticate");
             r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
             return reply(r);
           }
           if (status_always)
             return reply(text_response(status_always, "try later"));
           if (static_cast<int>(targets.size()) <= not_found_first)
             return reply(text_response(404, "{\"code\": 20404}"));
           bool wav = req.path.size() > 4 && req.path.compare(req.path.size() - 4, 4, ".wav") == 0;
           if (wav && status_for_wav != 200)
             return reply(text_response(status_for_wav, "no WAV"));
           response r;
           r.content_type = wav ? "audio/x-wav" : "audio/mpeg";
           r.body = audio;
           reply(r);
         }},
        {"GET", "/2010-04-01/Accounts/" + account + "/Calls/*",
         [](const request& req, reply_fn reply) {
           const std::string* auth = req.header("authorization");
           if (!auth || *auth != basic_auth(account, token))
             return reply(text_response(401, "authenticate"));
           const std::string calls = "/2010-04-01/Accounts/" + account + "/Calls/" + call;
           if (req.path == calls + "/Recordings.json") {
             // Two pages, as Twilio pages a list; the first holds an entry
             // whose uri is another account's and one with a malformed Sid.
             response r;
             r.content_type = "application/json";
             if (req.query.empty())
               r.body = R"({"recordings": [
                 {"sid": ")" +
                        recording + R"(", "call_sid": ")" + call + R"(", "status": "completed",
                  "channels": 2, "duration": "61", "uri": ")" +
                        recordings_path + recording + R"(.json"},
                 {"sid": "RE33333333333333333333333333333333", "status": "completed", "channels": 1,
                  "uri": "/2010-04-01/Accounts/AC99999999999999999999999999999999/Recordings/RE33333333333333333333333333333333.json"},
                 {"sid": "RE12", "status": "completed", "uri": ")" +
                        recordings_path + R"(RE12.json"}],
                 "next_page_uri": ")" +
                        calls + R"(/Recordings.json?Page=1&PageSize=3"})";
             else
               r.body = R"({"recordings": [
                 {"sid": "RE44444444444444444444444444444444", "status": "processing", "channels": 1,
                  "duration": "-1", "uri": ")" +
                        recordings_path + R"(RE44444444444444444444444444444444.json"}],
                 "next_page_uri": null})";
             return reply(r);
           }
           if (req.path != calls + ".json")
             return reply(text_response(404, "{}"));
           response r;
           r.content_type = "application/json";
           r.body = R"({"sid": ")" + call + R"(", "from": "+972501234567", "to": "+97246000000",
                       "direction": "inbound", "status": "completed", "duration": "61",
                       "parent_call_sid": null, "price": null})";
           reply(r);
         }},
        {"GET", "/redirect",
         [base](const request& req, reply_fn reply) {
           response r = text_response(302, "");
           r.headers.emplace_back("Location", base() + "/s3/object?X-Amz-Signature=abc");
           (void)req;
           reply(r);
         }},
        {"GET", "/redirect-userinfo",
         [base](const request&, reply_fn reply) {
           std::string b = base();
           response r = text_response(301, "");
           r.headers.emplace_back("Location", b.substr(0, 7) + "someone:pw@" + b.substr(7) + "/s3/object");
           reply(r);
         }},
        {"GET", "/redirect-relative",
         [](const request&, reply_fn reply) {
           response r = text_response(307, "");
           r.headers.emplace_back("Location", "/s3/object");
           reply(r);
         }},
        {"GET", "/loop",
         [](const request&, reply_fn reply) {
           response r = text_response(302, "");
           r.headers.emplace_back("Location", "/loop");
           reply(r);
         }},
        {"GET", "/to-file",
         [](const request&, reply_fn reply) {
           response r = text_response(302, "");
           r.headers.emplace_back("Location", "file:///etc/passwd");
           reply(r);
         }},
        {"GET", "/s3/object",
         [this](const request& req, reply_fn reply) {
           ++target_hits;
           if (req.header("authorization"))
             target_saw_authorization = true;
           reply(text_response(200, audio));
         }},
        {"GET", "/slow",
         [this](const request&, reply_fn reply) {
           std::lock_guard<std::mutex> lock(m);
           slow_replies.emplace_back([reply] {
             std::this_thread::sleep_for(std::chrono::milliseconds(2500));
             reply(text_response(200, "too late"));
           });
         }},
        {"GET", "/big",
         [](const request&, reply_fn reply) { reply(text_response(200, std::string(5000, 'b'))); }},
    };
  }

  ~twilio_stand_in() {
    for (auto& t : slow_replies)
      t.join();
  }
};

struct stand_in_fixture {
  twilio_stand_in twilio;
  std::unique_ptr<server> srv;
  fs::path dir;

  stand_in_fixture() {
    server_options o;
    o.port = 0;
    o.threads = 2;
    o.read_timeout = std::chrono::seconds(5);
    srv = std::make_unique<server>(o, twilio.routes([this] { return base(); }));
    srv->start();
    dir = fs::temp_directory_path() /
          ("callscribe-http-test-" + std::to_string(::getpid()) + "-" + std::to_string(srv->port()));
    fs::remove_all(dir);
  }
  ~stand_in_fixture() {
    srv.reset(); // joins the server's threads before the stand-in's state goes
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(srv->port()); }
  twilio_credentials creds() const { return {base(), account, token}; }
  std::string recording_url() const { return base() + recordings_path + recording; }

  fetch_options quick() const {
    fetch_options o;
    o.timeout = std::chrono::seconds(2);
    o.connect_timeout = std::chrono::seconds(2);
    o.max_bytes = 1024 * 1024;
    return o;
  }

  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (fs::exists(dir))
      for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

struct sleep_recorder {
  std::vector<std::chrono::milliseconds> sleeps;
  std::function<void(std::chrono::milliseconds)> fn() {
    return [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
  }
};

retry_policy fast_retry(int attempts) {
  retry_policy p;
  p.attempts = attempts;
  p.initial_backoff = std::chrono::milliseconds(1000);
  p.max_backoff = std::chrono::milliseconds(3000);
  return p;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

BOOST_AUTO_TEST_SUITE(fetching)

BOOST_FIXTURE_TEST_CASE(basic_auth_is_required_and_sent, stand_in_fixture) {
  std::string body;
  auto r = fetch_to_string(recording_url() + ".wav", body, quick());
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
  BOOST_TEST(r.http_status == 401);
  BOOST_TEST(body.empty());

  auto o = quick();
  o.username = account;
  o.password = token;
  r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::ok));
  BOOST_TEST(r.http_status == 200);
  BOOST_TEST(body == twilio.audio);
  BOOST_TEST(r.bytes == twilio.audio.size());
  BOOST_TEST(r.content_type == "audio/x-wav");

  o.password = "wrong";
  r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(r.http_status == 401);
  BOOST_TEST(r.error.find("wrong") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(outcomes_by_status, stand_in_fixture) {
  auto o = quick();
  o.username = account;
  o.password = token;
  std::string body;
  twilio.not_found_first = 1;
  auto r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::not_found));
  twilio.status_always = 503;
  r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::retryable));
  BOOST_TEST(r.http_status == 503);
  twilio.status_always = 429;
  r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::retryable));
  twilio.status_always = 403;
  r = fetch_to_string(recording_url() + ".wav", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
}

BOOST_FIXTURE_TEST_CASE(too_large_is_too_large, stand_in_fixture) {
  auto o = quick();
  o.max_bytes = 1000;
  std::string body;
  auto r = fetch_to_string(base() + "/big", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::too_large));
  BOOST_TEST(body.empty());
  fs::create_directories(dir);
  r = fetch_to_file(base() + "/big", (dir / "big").string(), o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::too_large));
  BOOST_TEST(!fs::exists(dir / "big"));
  o.max_bytes = 5000; // exactly the size is fine
  r = fetch_to_string(base() + "/big", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::ok));
}

BOOST_FIXTURE_TEST_CASE(a_timeout_is_retryable, stand_in_fixture) {
  auto o = quick();
  o.timeout = std::chrono::seconds(1);
  std::string body;
  auto start = std::chrono::steady_clock::now();
  auto r = fetch_to_string(base() + "/slow", body, o);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::retryable));
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 2000);
  BOOST_TEST(!r.error.empty());
}

BOOST_AUTO_TEST_CASE(connection_refused_is_retryable) {
  std::uint16_t port;
  {
    server_options o;
    o.port = 0;
    server s(o, {});
    s.start();
    port = s.port();
  }
  fetch_options o;
  o.timeout = std::chrono::seconds(2);
  o.username = account;
  o.password = token;
  std::string body;
  auto r = fetch_to_string("http://127.0.0.1:" + std::to_string(port) + "/x", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::retryable));
  BOOST_TEST(r.error.find(token) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(redirect_is_followed_without_credentials, stand_in_fixture) {
  auto o = quick();
  o.username = account;
  o.password = token;
  std::string body;
  // The origin is loopback, so a redirect to loopback is allowed.
  auto r = fetch_to_string(base() + "/redirect", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::ok), r.error);
  BOOST_TEST(body == twilio.audio);
  BOOST_TEST(twilio.target_hits == 1);
  BOOST_TEST(!twilio.target_saw_authorization);

  r = fetch_to_string(base() + "/redirect-relative", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::ok), r.error);
  BOOST_TEST(twilio.target_hits == 2);
  BOOST_TEST(!twilio.target_saw_authorization); // curl puts the credentials in a relative redirect's URL

  r = fetch_to_string(base() + "/redirect-userinfo", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::ok), r.error);
  BOOST_TEST(twilio.target_hits == 3);
  BOOST_TEST(!twilio.target_saw_authorization);
}

BOOST_FIXTURE_TEST_CASE(redirects_are_bounded, stand_in_fixture) {
  std::string body;
  auto r = fetch_to_string(base() + "/loop", body, quick());
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
  BOOST_TEST(r.error == "more than 3 redirects");
  auto o = quick();
  o.max_redirects = 0;
  r = fetch_to_string(base() + "/redirect", body, o);
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
  BOOST_TEST(twilio.target_hits == 0);
  r = fetch_to_string(base() + "/to-file", body, quick());
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
  BOOST_TEST(r.error == "redirect to a non-HTTP URL refused");
}

BOOST_AUTO_TEST_CASE(only_http_and_https) {
  std::string body;
  auto r = fetch_to_string("file:///etc/hostname", body, fetch_options{});
  BOOST_TEST(static_cast<int>(r.result) == static_cast<int>(fetch_result::outcome::failed));
  BOOST_TEST(body.empty());
}

namespace {

struct origin_case {
  std::string url, base;
  bool same;
};
std::ostream& operator<<(std::ostream& os, const origin_case& c) {
  return os << c.url << " vs " << c.base;
}

const origin_case origins[] = {
    {"https://api.twilio.com/2010-04-01/x", "https://api.twilio.com", true},
    {"https://api.twilio.com:443/x", "https://api.twilio.com/", true},
    {"https://API.Twilio.com/x", "https://api.twilio.com", true},
    {"HTTPS://api.twilio.com/x", "https://api.twilio.com", true},
    {"http://api.twilio.com/x", "https://api.twilio.com", false},
    {"https://api.twilio.com:8443/x", "https://api.twilio.com", false},
    {"https://api.twilio.com.evil.example/x", "https://api.twilio.com", false},
    {"https://evil.example/api.twilio.com", "https://api.twilio.com", false},
    {"https://user@evil.example/x", "https://api.twilio.com", false},
    {"http://127.0.0.1:8080/x", "http://127.0.0.1:8080", true},
    {"http://127.0.0.1:8081/x", "http://127.0.0.1:8080", false},
    {"http://127.0.0.1/x", "http://127.0.0.1:80", true},
    {"not a url", "https://api.twilio.com", false},
    {"", "https://api.twilio.com", false},
};

} // namespace

namespace {

struct address_case {
  std::string ip;
  bool private_;
};
std::ostream& operator<<(std::ostream& os, const address_case& c) {
  return os << c.ip;
}

const address_case addresses[] = {
    {"127.0.0.1", true},
    {"127.1.2.3", true},
    {"10.0.0.8", true},
    {"172.16.0.1", true},
    {"172.31.255.255", true},
    {"172.32.0.1", false},
    {"192.168.1.1", true},
    {"169.254.169.254", true},
    {"100.64.0.1", true},
    {"0.0.0.0", true},
    {"224.0.0.1", true},
    {"8.8.8.8", false},
    {"54.172.60.0", false},
    {"::1", true},
    {"::", true},
    {"fd00::1", true},
    {"fe80::1", true},
    {"::ffff:127.0.0.1", true},
    {"::ffff:8.8.8.8", false},
    {"2600:1f18::1", false},
    {"not an address", false},
};

} // namespace

BOOST_DATA_TEST_CASE(private_addresses, bdata::make(addresses), c) {
  BOOST_TEST(is_private_address(c.ip) == c.private_);
}

BOOST_DATA_TEST_CASE(same_origin_table, bdata::make(origins), c) {
  BOOST_TEST(same_origin(c.url, c.base) == c.same);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(recording_download)

BOOST_FIXTURE_TEST_CASE(not_ready_then_downloaded_with_backoff, stand_in_fixture) {
  twilio.not_found_first = 4;
  sleep_recorder rec;
  retry_policy p = fast_retry(6);
  auto out = download_recording(creds(), recording_url(), recording, 1, dir.string(), quick(), p, rec.fn());
  BOOST_TEST_REQUIRE(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::ok),
                     out.error);
  BOOST_TEST(out.requests == 5);
  BOOST_TEST(out.path == (dir / (recording + ".wav")).string());
  BOOST_TEST(read_file(out.path) == twilio.audio);
  BOOST_TEST(files() == std::vector<std::string>{recording + ".wav"});
  // 1 s, 2 s, then capped at 3 s, each within ±20%.
  const int nominal[] = {1000, 2000, 3000, 3000};
  BOOST_TEST_REQUIRE(rec.sleeps.size() == 4u);
  bool all_equal = true;
  for (std::size_t i = 0; i < rec.sleeps.size(); ++i) {
    BOOST_TEST(rec.sleeps[i].count() >= nominal[i] * 8 / 10);
    BOOST_TEST(rec.sleeps[i].count() <= nominal[i] * 12 / 10);
    all_equal = all_equal && rec.sleeps[i].count() == nominal[i];
  }
  BOOST_TEST(!all_equal); // jittered
  std::lock_guard<std::mutex> lock(twilio.m);
  for (const auto& t : twilio.targets)
    BOOST_TEST(t == recordings_path + recording + ".wav");
}

BOOST_FIXTURE_TEST_CASE(two_channels_are_requested, stand_in_fixture) {
  auto out = download_recording(creds(), recording_url(), recording, 2, dir.string(), quick(), fast_retry(3),
                                sleep_recorder{}.fn());
  BOOST_TEST_REQUIRE(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::ok),
                     out.error);
  std::lock_guard<std::mutex> lock(twilio.m);
  BOOST_TEST_REQUIRE(twilio.targets.size() == 1u);
  BOOST_TEST(twilio.targets[0] == recordings_path + recording + ".wav?RequestedChannels=2");
  BOOST_TEST(twilio.authorised[0]);
}

BOOST_FIXTURE_TEST_CASE(still_not_ready_after_every_attempt, stand_in_fixture) {
  twilio.not_found_first = 100;
  sleep_recorder rec;
  auto out = download_recording(creds(), recording_url(), recording, 1, dir.string(), quick(), fast_retry(3),
                                rec.fn());
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::not_ready));
  BOOST_TEST(out.requests == 3);
  BOOST_TEST(rec.sleeps.size() == 2u);
  BOOST_TEST(files().empty());
}

BOOST_FIXTURE_TEST_CASE(server_errors_are_retryable_failures, stand_in_fixture) {
  twilio.status_always = 503;
  auto out = download_recording(creds(), recording_url(), recording, 1, dir.string(), quick(), fast_retry(2),
                                sleep_recorder{}.fn());
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::failed));
  BOOST_TEST(out.retryable);
  BOOST_TEST(out.requests == 2);
  BOOST_TEST(files().empty());
  BOOST_TEST(out.error.find(token) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(mp3_when_twilio_refuses_the_wav, stand_in_fixture) {
  twilio.status_for_wav = 400;
  auto out = download_recording(creds(), recording_url(), recording, 2, dir.string(), quick(), fast_retry(3),
                                sleep_recorder{}.fn());
  BOOST_TEST_REQUIRE(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::ok),
                     out.error);
  BOOST_TEST(out.path == (dir / (recording + ".mp3")).string());
  BOOST_TEST(out.requests == 2);
  BOOST_TEST(files() == std::vector<std::string>{recording + ".mp3"});
  std::lock_guard<std::mutex> lock(twilio.m);
  BOOST_TEST(twilio.targets.back() == recordings_path + recording + ".mp3");
}

BOOST_FIXTURE_TEST_CASE(wrong_credentials_fail_for_good, stand_in_fixture) {
  auto c = creds();
  c.auth_token = "wrong";
  auto out = download_recording(c, recording_url(), recording, 1, dir.string(), quick(), fast_retry(5),
                                sleep_recorder{}.fn());
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::failed));
  BOOST_TEST(!out.retryable);
  BOOST_TEST(out.requests == 2); // WAV, then MP3 once
  BOOST_TEST(files().empty());
  BOOST_TEST(out.error.find("wrong") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(too_large_leaves_no_file, stand_in_fixture) {
  auto o = quick();
  o.max_bytes = 10;
  auto out = download_recording(creds(), recording_url(), recording, 1, dir.string(), o, fast_retry(3),
                                sleep_recorder{}.fn());
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::failed));
  BOOST_TEST(!out.retryable);
  BOOST_TEST(out.requests == 1);
  BOOST_TEST(files().empty());
}

BOOST_FIXTURE_TEST_CASE(a_url_off_the_api_origin_is_refused, stand_in_fixture) {
  auto c = creds();
  c.api_base = "https://api.twilio.com";
  auto out = download_recording(c, recording_url(), recording, 1, dir.string(), quick(), fast_retry(3),
                                sleep_recorder{}.fn());
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::failed));
  BOOST_TEST(out.requests == 0);
  out = download_recording(creds(), recording_url(), "RE../../x", 1, dir.string(), quick(), fast_retry(3),
                           sleep_recorder{}.fn());
  BOOST_TEST(out.requests == 0);
  std::lock_guard<std::mutex> lock(twilio.m);
  BOOST_TEST(twilio.targets.empty());
}

BOOST_FIXTURE_TEST_CASE(a_json_uri_from_the_rest_api_works_too, stand_in_fixture) {
  auto out = download_recording(creds(), recording_url() + ".json", recording, 1, dir.string(), quick(),
                                fast_retry(3), sleep_recorder{}.fn());
  BOOST_TEST_REQUIRE(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::ok),
                     out.error);
  std::lock_guard<std::mutex> lock(twilio.m);
  BOOST_TEST(twilio.targets.back() == recordings_path + recording + ".wav");
}

BOOST_FIXTURE_TEST_CASE(default_sleep_really_sleeps, stand_in_fixture) {
  twilio.not_found_first = 1;
  retry_policy p;
  p.attempts = 2;
  p.initial_backoff = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto out = download_recording(creds(), recording_url(), recording, 1, dir.string(), quick(), p);
  BOOST_TEST(static_cast<int>(out.result) == static_cast<int>(download_outcome::status::ok), out.error);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() >= 150);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(calls_resource)

BOOST_FIXTURE_TEST_CASE(fetch_call_parses_the_call, stand_in_fixture) {
  std::string error;
  auto info = fetch_call(creds(), call, quick(), &error);
  BOOST_TEST_REQUIRE(info.has_value(), error);
  BOOST_TEST(info->from == "+972501234567");
  BOOST_TEST(info->to == "+97246000000");
  BOOST_TEST(info->direction == "inbound");
  BOOST_TEST(info->status == "completed");

  auto missing = fetch_call(creds(), "CA99999999999999999999999999999999", quick(), &error);
  BOOST_TEST(!missing.has_value());
  BOOST_TEST(error.find("404") != std::string::npos, error);
  BOOST_TEST(!fetch_call(creds(), "CA123/../x", quick(), &error).has_value());
  auto c = creds();
  c.auth_token = "wrong";
  BOOST_TEST(!fetch_call(c, call, quick(), &error).has_value());
  BOOST_TEST(error.find("401") != std::string::npos, error);
}

BOOST_FIXTURE_TEST_CASE(a_calls_recordings_are_listed_across_pages_and_only_this_accounts, stand_in_fixture) {
  std::string error;
  auto listed = list_call_recordings(creds(), call, quick(), &error);
  BOOST_TEST_REQUIRE(listed.has_value(), error);
  BOOST_TEST_REQUIRE(listed->size() == 2u);
  const auto& first = (*listed)[0];
  BOOST_TEST(first.sid == recording);
  BOOST_TEST(first.status == "completed");
  BOOST_TEST(first.channels == 2);
  BOOST_TEST(first.duration_seconds == 61);
  BOOST_TEST(first.uri == recordings_path + recording + ".json");
  BOOST_TEST(first.media_url == base() + recordings_path + recording);
  BOOST_TEST((*listed)[1].status == "processing");
  BOOST_TEST((*listed)[1].duration_seconds == 0);

  BOOST_TEST(!list_call_recordings(creds(), "CA123/../x", quick(), &error).has_value());
  auto c = creds();
  c.auth_token = "wrong";
  BOOST_TEST(!list_call_recordings(c, call, quick(), &error).has_value());
  BOOST_TEST(error.find("401") != std::string::npos, error);
  // Another call: 404 from Twilio is an error, not an empty list.
  BOOST_TEST(
      !list_call_recordings(creds(), "CA99999999999999999999999999999999", quick(), &error).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
