// A burst: 10,000 signed recording callbacks over 64 connections at once,
// against the real server on SQLite with its worker running. Every one is
// answered 2xx, 10,000 jobs are stored, and the pipeline (a speech engine
// that answers at once) drains them all: nothing lost, nothing doubled.
// How fast is for bench/bench_webhook.sh; the rate is only reported here.
#define BOOST_TEST_MODULE load
#include <boost/test/unit_test.hpp>

#include "tests/e2e/deployment.hpp"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

namespace {

long long count(deployment& d, const std::string& sql) {
  auto db = d.db();
  long long n = 0;
  db.session() << sql, soci::into(n);
  return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_burst_of_10000_callbacks_over_64_connections_is_stored_then_drained) {
  deployment d("load", {{"CALLSCRIBE_STT_ENGINE", "command"},
                        {"CALLSCRIBE_STT_COMMAND", "sh -c 'echo I need a locksmith in Boston' {file}"},
                        {"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"}});
  constexpr int callbacks = 10000, connections = 64;
  // Bodies and signatures first: the client's work is not the server's.
  struct request {
    std::string body;
    std::vector<std::string> headers;
  };
  std::vector<request> requests;
  requests.reserve(callbacks);
  for (int n = 1; n <= callbacks; ++n) {
    d.twilio->add_recording(sid("RE", n), d.wav);
    auto f = recording_callback(*d.twilio, n);
    requests.push_back(
        {form_body(f),
         {"Content-Type: application/x-www-form-urlencoded",
          "X-Twilio-Signature: " +
              http::twilio_signature(auth_token, public_url + "/twilio/recording-status", f)}});
  }
  const auto url = d.server->url("/twilio/recording-status");
  std::atomic<int> answered_2xx{0}, refused{0};
  std::atomic<long> first_refusal{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c)
    clients.emplace_back([&, c] {
      CURL* handle = curl_easy_init(); // one kept-alive connection per client
      for (int i = c; i < callbacks; i += connections) {
        auto r = http::testing::curl_request(handle, "POST", url, requests[static_cast<std::size_t>(i)].body,
                                             requests[static_cast<std::size_t>(i)].headers, 30000);
        if (r.rc == CURLE_OK && r.status >= 200 && r.status < 300) {
          ++answered_2xx;
        } else {
          ++refused;
          long expected = 0;
          first_refusal.compare_exchange_strong(expected,
                                                r.rc != CURLE_OK ? -static_cast<long>(r.rc) : r.status);
        }
      }
      curl_easy_cleanup(handle);
    });
  for (auto& t : clients)
    t.join();
  const double burst = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE(callbacks << " callbacks answered in " << burst << " s (" << callbacks / burst << "/s)");
  BOOST_TEST(answered_2xx == callbacks, "refused " << refused << ", first: " << first_refusal);
  BOOST_TEST(count(d, "SELECT COUNT(*) FROM recording_jobs") == callbacks);

  // The pipeline drains them, each once.
  auto finished = [&] {
    return count(d, "SELECT COUNT(*) FROM recording_jobs WHERE state IN ('done', 'dead')");
  };
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return finished() >= callbacks; }, 600s),
                        "only " << finished() << " of " << callbacks << " finished");
  const double drained = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("all " << callbacks << " jobs done " << drained << " s after the burst began");
  BOOST_TEST(count(d, "SELECT COUNT(*) FROM recording_jobs WHERE state = 'done'") == callbacks);
  BOOST_TEST(count(d, "SELECT COUNT(*) FROM leads") == callbacks);
  BOOST_TEST(count(d, "SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE actor = 'lead_writer' "
                      "GROUP BY job_id HAVING COUNT(*) > 1) twice") == 0);
  BOOST_TEST(d.server->terminate() == 0);
}
