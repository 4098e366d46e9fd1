// The HTTP server: a Beast listener and sessions behind a table of routes.
// Nothing of Beast leaks out of http/; handlers see these plain structs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace callscribe::http {

struct request {
  std::string method;                                       // "GET", "POST", ...
  std::string target;                                       // path and query string, as sent
  std::string path;                                         // target without the query string
  std::string query;                                        // after '?', without it
  std::vector<std::pair<std::string, std::string>> headers; // names lower-cased
  std::string body;
  const std::string* header(const std::string& lower_name) const;
};

struct response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Call exactly once, from any thread; the session writes the response then.
using reply_fn = std::function<void(response)>;
using handler = std::function<void(const request&, reply_fn)>;

struct route {
  std::string method;
  std::string path; // exact, or a prefix when it ends in '*' ("/api/jobs/*")
  handler fn;
};

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;            // 0: any free port (tests)
  std::size_t body_limit = 64 * 1024;   // larger bodies get 413
  std::size_t header_limit = 16 * 1024; // larger headers get 431
  std::chrono::seconds read_timeout{30};
  int threads = 1;
};

class server {
public:
  server(server_options options, std::vector<route> routes);
  ~server(); // stops
  // Binds and starts serving on its own threads; throws std::runtime_error
  // naming host:port when it cannot bind.
  void start();
  std::uint16_t port() const; // the bound port
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Plain text answers with a one-line reason.
response text_response(int status, std::string body);

} // namespace callscribe::http
