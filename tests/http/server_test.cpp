// Our HTTP server on 127.0.0.1, driven by libcurl: routing, limits,
// keep-alive, and replies that come later from other threads.
#include "http/server.hpp"

#include "curl_client.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace callscribe::http;
using callscribe::http::testing::curl_request;

namespace {

// Threads that handlers start to reply later; joined before the server goes.
struct repliers {
  std::mutex m;
  std::vector<std::thread> threads;
  void start(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(m);
    threads.emplace_back(std::move(f));
  }
  ~repliers() {
    for (auto& t : threads)
      t.join();
  }
};

struct server_fixture {
  repliers later;
  std::atomic<int> echo_calls{0};
  std::unique_ptr<server> srv;

  std::vector<route> routes() {
    return {
        {"GET", "/hello", [](const request&, reply_fn reply) { reply(text_response(200, "hi")); }},
        {"POST", "/echo",
         [this](const request& req, reply_fn reply) {
           ++echo_calls;
           response r =
               text_response(200, req.method + " " + req.path + " ? " + req.query + " : " + req.body);
           if (const std::string* h = req.header("x-test"))
             r.headers.emplace_back("X-Seen", *h);
           reply(std::move(r));
         }},
        {"GET", "/echo", [](const request&, reply_fn reply) { reply(text_response(200, "get echo")); }},
        {"GET", "/api/jobs/*",
         [](const request& req, reply_fn reply) { reply(text_response(200, req.path)); }},
        {"GET", "/later",
         [this](const request&, reply_fn reply) {
           later.start([reply] {
             std::this_thread::sleep_for(std::chrono::milliseconds(300));
             reply(text_response(202, "later"));
           });
         }},
        {"GET", "/twice",
         [this](const request&, reply_fn reply) {
           reply(text_response(200, "first"));
           later.start([reply] { reply(text_response(500, "second")); });
         }},
        {"GET", "/never", [](const request&, reply_fn) {}},
        {"GET", "/throws",
         [](const request&, reply_fn) -> void { throw std::runtime_error("secret\ndetail"); }},
        {"GET", "/xml",
         [](const request&, reply_fn reply) {
           response r;
           r.content_type = "text/xml";
           r.body = "<Response/>";
           reply(std::move(r));
         }},
    };
  }

  explicit server_fixture(server_options o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    srv = std::make_unique<server>(o, routes());
    srv->start();
    BOOST_TEST_REQUIRE(srv->port() != 0);
  }
  ~server_fixture() { srv.reset(); }

  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(srv->port()) + target;
  }
};

server_options small_limits() {
  server_options o;
  o.body_limit = 1024;
  o.header_limit = 2048;
  o.read_timeout = std::chrono::seconds(1);
  return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_server)

BOOST_FIXTURE_TEST_CASE(a_route_answers, server_fixture) {
  auto r = curl_request("GET", url("/hello"));
  BOOST_TEST(r.rc == CURLE_OK);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "hi");
  BOOST_TEST(r.headers.find("text/plain; charset=utf-8") != std::string::npos);

  r = curl_request("GET", url("/xml"));
  BOOST_TEST(r.body == "<Response/>");
  BOOST_TEST(r.headers.find("Content-Type: text/xml") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(request_is_split_and_headers_lower_cased, server_fixture) {
  auto r = curl_request("POST", url("/echo?a=1&b=%20"), "x=y", {"X-Test: value"});
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "POST /echo ? a=1&b=%20 : x=y");
  BOOST_TEST(r.headers.find("X-Seen: value") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(prefix_routes, server_fixture) {
  auto r = curl_request("GET", url("/api/jobs/17/trace"));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "/api/jobs/17/trace");
  BOOST_TEST(curl_request("GET", url("/api/jobs")).status == 404); // the prefix is "/api/jobs/"
}

BOOST_FIXTURE_TEST_CASE(unknown_path_is_404_and_wrong_method_405, server_fixture) {
  auto r = curl_request("GET", url("/nope"));
  BOOST_TEST(r.status == 404);
  r = curl_request("DELETE", url("/echo"));
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers.find("Allow: POST, GET") != std::string::npos, r.headers);
  r = curl_request("POST", url("/hello"), "a=1");
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.headers.find("Allow: GET") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_413) {
  server_fixture f(small_limits());
  auto r = curl_request("POST", f.url("/echo"), std::string(4096, 'a'));
  BOOST_TEST(r.status == 413);
  BOOST_TEST(r.body == "request body over 1024 bytes");
  BOOST_TEST(f.echo_calls == 0);
  r = curl_request("POST", f.url("/echo"), std::string(1024, 'a'));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(f.echo_calls == 1);
}

BOOST_AUTO_TEST_CASE(header_over_the_limit_is_431) {
  server_fixture f(small_limits());
  auto r = curl_request("GET", f.url("/hello"), "", {"X-Big: " + std::string(4096, 'h')});
  BOOST_TEST(r.status == 431);
  r = curl_request("GET", f.url("/hello"), "", {"X-Small: " + std::string(100, 'h')});
  BOOST_TEST(r.status == 200);
}

BOOST_FIXTURE_TEST_CASE(keep_alive_serves_two_requests_on_one_connection, server_fixture) {
  CURL* h = curl_easy_init();
  auto a = curl_request(h, "GET", url("/hello"));
  auto b = curl_request(h, "POST", url("/echo"), "second");
  auto c = curl_request(h, "GET", url("/later"));
  curl_easy_cleanup(h);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(b.status == 200);
  BOOST_TEST(c.status == 202);
  BOOST_TEST(a.new_connections == 1);
  BOOST_TEST(b.new_connections == 0);
  BOOST_TEST(c.new_connections == 0);
  BOOST_TEST(a.local_port == b.local_port);
}

BOOST_FIXTURE_TEST_CASE(expect_100_continue_is_answered_at_once, server_fixture) {
  // Without a "100 Continue" curl would wait a second before sending the body.
  auto start = std::chrono::steady_clock::now();
  auto r = curl_request("POST", url("/echo"), std::string(2000, 'c'), {"Expect: 100-continue"});
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body.size() == std::string("POST /echo ?  : ").size() + 2000);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 800);
}

BOOST_FIXTURE_TEST_CASE(reply_from_another_thread_later, server_fixture) {
  auto start = std::chrono::steady_clock::now();
  auto r = curl_request("GET", url("/later"));
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(r.status == 202);
  BOOST_TEST(r.body == "later");
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() >= 250);
}

BOOST_FIXTURE_TEST_CASE(a_second_reply_is_ignored, server_fixture) {
  CURL* h = curl_easy_init();
  auto a = curl_request(h, "GET", url("/twice"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto b = curl_request(h, "GET", url("/hello"));
  curl_easy_cleanup(h);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body == "first");
  BOOST_TEST(b.status == 200);
  BOOST_TEST(b.body == "hi");
}

BOOST_AUTO_TEST_CASE(no_reply_closes_the_connection_after_the_timeout) {
  server_fixture f(small_limits());
  auto start = std::chrono::steady_clock::now();
  auto r = curl_request("GET", f.url("/never"), "", {}, 5000);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(r.rc == CURLE_GOT_NOTHING);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 4000);
  BOOST_TEST(curl_request("GET", f.url("/hello")).status == 200);
}

BOOST_FIXTURE_TEST_CASE(a_throwing_handler_is_500, server_fixture) {
  auto r = curl_request("GET", url("/throws"));
  BOOST_TEST(r.status == 500);
  BOOST_TEST(r.body == "internal error");
}

BOOST_FIXTURE_TEST_CASE(a_port_in_use_is_an_error_naming_it, server_fixture) {
  server_options o;
  o.host = "127.0.0.1";
  o.port = srv->port();
  server second(o, {});
  try {
    second.start();
    BOOST_FAIL("start() should have thrown");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    BOOST_TEST(what.rfind("cannot listen on 127.0.0.1:" + std::to_string(o.port) + ": ", 0) == 0, what);
  }
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_refuses_connections) {
  server_fixture f;
  std::string u = f.url("/hello");
  f.srv->stop();
  f.srv->stop();
  auto r = curl_request("GET", u, "", {}, 2000);
  BOOST_TEST(r.rc == CURLE_COULDNT_CONNECT);
}

BOOST_AUTO_TEST_CASE(a_reply_after_stop_is_harmless) {
  reply_fn kept;
  std::mutex m;
  {
    server_options o;
    o.port = 0;
    server s(o, {{"GET", "/keep", [&](const request&, reply_fn reply) {
                    std::lock_guard<std::mutex> lock(m);
                    kept = reply;
                  }}});
    s.start();
    std::thread client(
        [&] { curl_request("GET", "http://127.0.0.1:" + std::to_string(s.port()) + "/keep", "", {}, 500); });
    client.join();
  }
  std::lock_guard<std::mutex> lock(m);
  BOOST_TEST_REQUIRE(static_cast<bool>(kept));
  kept(text_response(200, "too late")); // the server is gone: nothing happens
}

BOOST_AUTO_TEST_SUITE_END()
