// A service on 127.0.0.1 (an ephemeral port) for tests of our HTTP clients:
// it keeps every request, read into the shape the test wants, and answers as
// the test scripts, at once or after a delay (for timeouts).
#pragma once

#include "http/server.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace callscribe::testing {

template <class Seen> class scripted_service {
public:
  using reading = std::function<Seen(const http::request&)>;
  // Gets the request as read and its number (0, 1, ...); returns the answer.
  using script = std::function<http::response(const Seen&, int)>;

  scripted_service(reading read, script answer, std::size_t body_limit, std::chrono::milliseconds delay = {})
      : read_(std::move(read)), answer_(std::move(answer)), delay_(delay),
        server_(http::server_options{"127.0.0.1", 0, body_limit, 16 * 1024, std::chrono::seconds(30), 2},
                {{"POST", "/*", [this](const http::request& r, http::reply_fn reply) { on(r, reply); }}}) {
    server_.start();
  }
  // Late answers are sent before the server goes.
  ~scripted_service() {
    std::vector<std::thread> late;
    {
      std::lock_guard lock(mutex_);
      late.swap(late_);
    }
    for (auto& t : late)
      t.join();
  }
  scripted_service(const scripted_service&) = delete;
  scripted_service& operator=(const scripted_service&) = delete;

  std::uint16_t port() const { return server_.port(); }
  std::vector<Seen> requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

private:
  void on(const http::request& r, const http::reply_fn& reply) {
    Seen s = read_(r);
    int n = 0;
    {
      std::lock_guard lock(mutex_);
      n = static_cast<int>(seen_.size());
      seen_.push_back(s);
    }
    http::response answer = answer_(s, n);
    if (delay_.count() == 0)
      return reply(answer);
    std::lock_guard lock(mutex_);
    late_.emplace_back([reply, answer, d = delay_] {
      std::this_thread::sleep_for(d);
      reply(answer);
    });
  }

  reading read_;
  script answer_;
  std::chrono::milliseconds delay_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  std::vector<std::thread> late_;
  http::server server_;
};

inline http::response json_answer(const nlohmann::json& j, int status = 200) {
  http::response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = j.dump();
  return r;
}

} // namespace callscribe::testing
