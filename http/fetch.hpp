// Outgoing HTTP with libcurl: every call has a timeout and a size limit, and
// follows redirects only where the policy allows.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace callscribe::http {

struct fetch_options {
  std::string method = "GET"; // or "DELETE", with max_redirects 0: a redirect would repeat it
  std::string username;       // basic auth, sent to the first origin only
  std::string password;
  std::chrono::seconds timeout{120};
  std::chrono::seconds connect_timeout{10};
  std::size_t max_bytes = 200 * 1024 * 1024;
  int max_redirects = 3; // followed without credentials; never to loopback or
                         // private addresses unless the first URL is one
};

struct fetch_result {
  enum class outcome {
    ok,        // 2xx, body complete
    not_found, // 404: for a recording, "not ready yet"
    retryable, // 429, 5xx, timeout, connection failure
    too_large, // over max_bytes
    failed,    // any other answer (401, 403, 400...) or a refused redirect
  } result = outcome::failed;
  long http_status = 0;
  std::string error; // one line, never the credentials
  std::size_t bytes = 0;
  std::string content_type;
  // Retry-After of a 429 or 503 (seconds or an HTTP date, as curl reads it);
  // 0 when the answer had none.
  std::chrono::seconds retry_after{0};
};

// Downloads to `path` (created or truncated); leaves nothing useful there
// unless the outcome is ok.
fetch_result fetch_to_file(const std::string& url, const std::string& path, const fetch_options& o);
fetch_result fetch_to_string(const std::string& url, std::string& body, const fetch_options& o);

// True when `url` has the same scheme, host and port as `base`.
bool same_origin(const std::string& url, const std::string& base);

// True for a textual IPv4/IPv6 address that is not on the public Internet:
// loopback, private, link-local, CGNAT, unspecified, multicast (also as
// IPv4-mapped IPv6). What redirects may not reach from a public origin.
bool is_private_address(const std::string& ip);

} // namespace callscribe::http
