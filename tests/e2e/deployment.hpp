// The e2e tests' shared parts: Twilio's constants and signed requests, one
// deployment (a folder, a Twilio stand-in, the real server), the admin API.
// Inline, so every test file shares the one `shared()` deployment.
#pragma once

#include "app/twilio_standin.hpp"
#include "http/server.hpp"
#include "http/twilio_form.hpp"
#include "http/twilio_signature.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"
#include "storage/trace_store.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/http/curl_client.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace callscribe::testing::e2e {

using callscribe::app::twilio_standin;
namespace fs = std::filesystem;

inline const std::string account_sid = "AC0123456789abcdef0123456789abcdef";
inline const std::string auth_token = "e2e-auth-token-not-a-real-one";
inline const std::string public_url = "https://callscribe.example.test";
inline const std::string business = "+16175550100";
inline const std::string hebrew_business = "+97246000000";
inline const std::string business_cell = "+16175550199"; // where the Boston business takes its calls
// Each test call comes from its own number: one caller's calls share an open lead.
inline std::string caller_of(int n) {
  return "+1617555" + std::to_string(4000 + n);
}

inline std::string sid(const char* prefix, int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%032x", prefix, n);
  return buf;
}

inline std::string form_body(const http::form& f) {
  return http::encode_form(f);
}

// What Twilio sends: the signature is over the public URL it was given.
inline http::testing::client_reply post_signed(const server_process& server, const std::string& path,
                                               const http::form& f, const std::string& token = auth_token,
                                               const std::vector<std::string>& more_headers = {}) {
  auto sig = http::twilio_signature(token, public_url + path, f);
  std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded",
                                   "X-Twilio-Signature: " + sig};
  headers.insert(headers.end(), more_headers.begin(), more_headers.end());
  return http::testing::curl_request("POST", server.url(path), form_body(f), headers);
}

inline http::form recording_callback(const twilio_standin& twilio, int n, const std::string& to = business,
                                     const std::string& status = "completed", bool with_numbers = true) {
  http::form f{{"AccountSid", account_sid},    {"CallSid", sid("CA", n)},
               {"RecordingSid", sid("RE", n)}, {"RecordingUrl", twilio.recording_url(sid("RE", n))},
               {"RecordingStatus", status},    {"RecordingDuration", "3"},
               {"RecordingChannels", "1"},     {"RecordingSource", "DialVerb"}};
  if (with_numbers) {
    f.emplace_back("From", caller_of(n));
    f.emplace_back("To", to);
  }
  return f;
}

// What every test server is started with: its database and data dir, the
// Twilio stand-in and our account, the businesses, its node.id.
inline std::map<std::string, std::string> server_env(const std::string& db_url, const fs::path& data_dir,
                                                     const std::string& twilio_base,
                                                     const fs::path& businesses, const std::string& node_id,
                                                     int backoff_ms) {
  return {{"CALLSCRIBE_DB_URL", db_url},
          {"CALLSCRIBE_STORAGE_DATA_DIR", data_dir.string()},
          {"CALLSCRIBE_TWILIO_API_BASE", twilio_base},
          {"TWILIO_ACCOUNT_SID", account_sid},
          {"TWILIO_AUTH_TOKEN", auth_token},
          {"CALLSCRIBE_HTTP_PUBLIC_URL", public_url},
          {"CALLSCRIBE_BUSINESSES_FILE", businesses.string()},
          {"CALLSCRIBE_EXTRACT_PLACES_DIR", CALLSCRIBE_SOURCE_DIR "/config/places"},
          {"CALLSCRIBE_DOWNLOAD_BACKOFF_MS", std::to_string(backoff_ms)},
          {"CALLSCRIBE_NODE_ID", node_id}};
}

// One deployment: a folder, a Twilio stand-in, a server.
struct deployment {
  fs::path dir;
  std::string wav;
  std::unique_ptr<twilio_standin> twilio;
  std::unique_ptr<server_process> server;
  std::string db_url;

  explicit deployment(const std::string& name, std::map<std::string, std::string> extra_env = {}) {
    dir = fs::temp_directory_path() / ("callscribe-e2e-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    wav = (dir / "locksmith.wav").string();
    // flite's rms voice at 16 kHz comes through PocketSphinx word for word.
    std::string flite = "flite -voice rms -t 'I need a locksmith in Boston' -o '" + wav + "'";
    BOOST_REQUIRE_MESSAGE(std::system(flite.c_str()) == 0, "flite failed: " + flite);
    std::ofstream(dir / "businesses.json")
        << R"([{"name": "Boston Lock & Key", "phone_number": ")" << business << R"(", "forward_to": ")"
        << business_cell << R"(", "language": "en", "places": ["us"], "services": [
      {"name": "locksmith", "aliases": ["lock smith", "locked out"]},
      {"name": "plumber", "aliases": ["plumbing", "leak"]}]},
      {"name": "Afula Locks", "phone_number": ")"
        << hebrew_business << R"(", "language": "he", "places": ["il"], "services": [
      {"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת"]}]}])";
    twilio = std::make_unique<twilio_standin>(account_sid, auth_token);
    db_url = "sqlite:" + (dir / "db" / "callscribe.db").string();
    server = std::make_unique<server_process>(
        dir, server_env(db_url, dir / "data", twilio->base(), dir / "businesses.json", "e2e-node", 200));
    for (auto& [k, v] : extra_env)
      server->set_env(k, v);
    server->start();
  }

  ~deployment() {
    server.reset();
    twilio.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  storage::database db() { return storage::database::open(db_url); }

  std::optional<storage::job_record> job(int n) {
    auto d = db();
    return storage::job_store(d).find_by_recording_sid(sid("RE", n));
  }

  bool job_in(int n, storage::job_state state) {
    auto j = job(n);
    return j && j->state == state;
  }

  std::size_t job_count() {
    auto d = db();
    std::size_t n = 0;
    for (const auto& [state, count] : storage::job_store(d).count_by_state())
      n += static_cast<std::size_t>(count);
    return n;
  }
};

// Checks that `lines` appear in the log in this order.
// A finished job's trace: the tracer writes its hops in batches (within
// 100 ms), so this waits, bounded, until `at_least` events are there.
inline std::vector<storage::trace_event> whole_trace(storage::database& db, std::int64_t job_id,
                                                     std::size_t at_least) {
  std::vector<storage::trace_event> events;
  wait_until(
      [&] {
        events = storage::trace_store(db).for_job(job_id);
        return events.size() >= at_least;
      },
      std::chrono::seconds(5));
  return events;
}

inline void expect_in_order(const std::string& log, const std::vector<std::string>& lines) {
  std::size_t at = 0;
  for (const auto& line : lines) {
    auto found = log.find(line, at);
    BOOST_TEST(found != std::string::npos, "log line missing or out of order: " << line);
    if (found != std::string::npos)
      at = found + line.size();
  }
}

inline deployment& shared() {
  static deployment d("shared");
  return d;
}

inline const std::string admin_token = "e2e-admin-token-not-a-real-one";

inline http::testing::client_reply admin_call(const server_process& server, const std::string& method,
                                              const std::string& path, const std::string& body = "",
                                              const std::string& token = admin_token) {
  std::vector<std::string> headers{"Content-Type: application/json"};
  if (!token.empty())
    headers.push_back("Authorization: Bearer " + token);
  return http::testing::curl_request(method, server.url(path), body, headers);
}

inline nlohmann::json json_of(const http::testing::client_reply& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}

// A deployment with the admin API on, and one attempt per job, so a
// recording Twilio never served ends dead quickly.
inline deployment& with_admin() {
  static deployment d("admin", {{"CALLSCRIBE_ADMIN_TOKEN", admin_token},
                                {"CALLSCRIBE_WORKER_MAX_ATTEMPTS", "1"},
                                {"CALLSCRIBE_DOWNLOAD_RETRIES", "2"}});
  return d;
}

inline std::string recording_json(const twilio_standin& twilio, int n) {
  return nlohmann::json{{"call_sid", sid("CA", n)},
                        {"recording_sid", sid("RE", n)},
                        {"recording_url", twilio.recording_url(sid("RE", n))},
                        {"from", caller_of(n)},
                        {"to", business}}
      .dump();
}

} // namespace callscribe::testing::e2e
