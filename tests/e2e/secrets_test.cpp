// Secrets never leave: a full run (a job through every stage, a download
// that waits for its recording, the LLM extractor failing over with its key,
// refused callbacks and admin calls, every page an operator or a scraper
// reads) and then a search of everything the server said or stored for the
// Twilio auth token, the admin token and the API keys.
#include <boost/test/unit_test.hpp>

#include "tests/e2e/deployment.hpp"

#include <array>
#include <cstdio>
#include <memory>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

namespace {

const std::string stt_key = "sk-stt-key-never-shown-7f3a9c";
const std::string llm_key = "sk-llm-key-never-shown-2b8e41";

std::string output_of(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  BOOST_REQUIRE(pipe);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0)
    out.append(buf.data(), n);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(no_secret_reaches_a_log_a_page_a_trace_an_error_or_the_database) {
  deployment d("secrets", {{"CALLSCRIBE_ADMIN_TOKEN", admin_token},
                           {"CALLSCRIBE_STT_ENGINE", "command"},
                           {"CALLSCRIBE_STT_COMMAND", "sh -c 'echo I need a locksmith in Boston' {file}"},
                           {"CALLSCRIBE_STT_API_KEY", stt_key},
                           {"CALLSCRIBE_EXTRACT_ENGINE", "llm"},
                           {"CALLSCRIBE_EXTRACT_URL", "http://127.0.0.1:1/v1/chat/completions"},
                           {"CALLSCRIBE_EXTRACT_MODEL", "gpt-4o-mini"},
                           {"CALLSCRIBE_EXTRACT_API_KEY", llm_key},
                           {"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"}});
  std::string seen; // every answer the server gave
  auto keep = [&seen](const http::testing::client_reply& r) {
    seen += r.headers + "\n" + r.body + "\n";
    return r;
  };
  const int n = 1;
  d.twilio->add_recording(sid("RE", n), d.wav, 2); // two 404s first: the retries are logged and traced
  keep(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n)));
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return d.job_in(n, storage::job_state::done); }, 90s),
                        "job did not finish; log:\n" + d.server->log());
  // Refusals: a wrong signature, a callback signed with another token, wrong
  // and missing admin tokens, a recording off Twilio's origin.
  keep(post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, 2), "wrong-token"));
  auto off_origin = recording_callback(*d.twilio, 3);
  for (auto& [k, v] : off_origin)
    if (k == "RecordingUrl")
      v = "http://169.254.169.254/latest/meta-data/" + auth_token;
  keep(post_signed(*d.server, "/twilio/recording-status", off_origin));
  keep(admin_call(*d.server, "GET", "/api/jobs", "", admin_token + "x"));
  keep(admin_call(*d.server, "GET", "/api/jobs", "", ""));
  // What operators and scrapers read.
  for (const std::string& path :
       {std::string("/api/jobs"), std::string("/api/jobs/1"), std::string("/api/jobs/1/trace"),
        "/api/calls/" + sid("CA", n) + "/trace", std::string("/api/leads/1")})
    BOOST_TEST(keep(admin_call(*d.server, "GET", path)).status == 200, path);
  for (const char* path : {"/metrics", "/readyz", "/healthz", "/"})
    keep(http::testing::curl_request("GET", d.server->url(path)));
  const std::string trace = output_of(std::string(CALLSCRIBE_BINARY_DIR) + "/callscribe trace " +
                                      sid("CA", n) + " --db.url=" + d.db_url + " 2>&1");
  BOOST_TEST(d.server->terminate() == 0);
  const std::string stored = output_of("sqlite3 '" + (d.dir / "db" / "callscribe.db").string() + "' .dump");

  BOOST_TEST(trace.find("downloader") != std::string::npos, trace);       // the trace was read
  BOOST_TEST(stored.find("INSERT INTO job_events") != std::string::npos); // and the database
  BOOST_TEST(d.server->log().find("llm") != std::string::npos);           // the LLM was tried
  for (const auto& [name, secret] :
       std::vector<std::pair<std::string, std::string>>{{"Twilio auth token", auth_token},
                                                        {"admin token", admin_token},
                                                        {"speech API key", stt_key},
                                                        {"LLM API key", llm_key}}) {
    BOOST_TEST(d.server->log().find(secret) == std::string::npos, "the " << name << " is in the log");
    BOOST_TEST(seen.find(secret) == std::string::npos, "the " << name << " is in an answer");
    BOOST_TEST(trace.find(secret) == std::string::npos, "the " << name << " is in callscribe trace");
    BOOST_TEST(stored.find(secret) == std::string::npos, "the " << name << " is in the database");
  }
}
