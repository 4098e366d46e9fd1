// Outgoing HTTP GETs with libcurl: bounded in time and size, redirects
// followed by hand so that credentials stay with the first origin and no hop
// reaches a loopback or private address the first URL did not already use.
#include "http/fetch.hpp"

#include "http/service_call.hpp"

#include <curl/curl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

namespace callscribe::http {

namespace {

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using easy_ptr = std::unique_ptr<CURL, curl_deleter>;
using url_ptr = std::unique_ptr<CURLU, curl_deleter>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* v = nullptr;
  if (curl_url_get(u, part, &v, flags) != CURLUE_OK || !v)
    return {};
  std::string out = v;
  curl_free(v);
  return out;
}

url_ptr parse_url(const std::string& url) {
  url_ptr u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return nullptr;
  return u;
}

bool is_private_v4(const unsigned char* a) {
  return a[0] == 127 || a[0] == 10 || a[0] == 0 || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
         (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
         (a[0] == 100 && (a[1] & 0xC0) == 64) || a[0] >= 224; // multicast and reserved
}

bool is_private_v6(const unsigned char* a) {
  static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  static const unsigned char zero[16] = {};
  if (std::memcmp(a, mapped_prefix, 12) == 0)
    return is_private_v4(a + 12);
  if (std::memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1)) // :: and ::1
    return true;
  return (a[0] & 0xFE) == 0xFC ||                   // fc00::/7 unique local
         (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) || // fe80::/10 link-local
         a[0] == 0xFF;                              // multicast
}

// Loopback, private (RFC 1918, unique local), link-local, CGNAT and other
// addresses that are not on the public Internet.
bool is_private_sockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET)
    return is_private_v4(
        reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr));
  if (sa->sa_family == AF_INET6)
    return is_private_v6(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr);
  return true; // anything else (unix sockets) is not the Internet either
}

// Where the body goes: reset() at the start of each response, write() per chunk.
struct body_sink {
  std::function<bool()> reset;
  std::function<bool(const char*, std::size_t)> write;
};

struct transfer_state {
  CURL* curl = nullptr;
  const body_sink* sink = nullptr;
  std::size_t max_bytes = 0;
  std::size_t received = 0;
  bool checked_headers = false;
  bool keep_body = false; // only a 2xx body is the answer; others are discarded
  bool too_large = false;
  bool sink_failed = false;
  bool refuse_private = false;
  bool refused_address = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& st = *static_cast<transfer_state*>(user);
  std::size_t len = size * count;
  if (!st.checked_headers) {
    st.checked_headers = true;
    long code = 0;
    curl_easy_getinfo(st.curl, CURLINFO_RESPONSE_CODE, &code);
    st.keep_body = code >= 200 && code < 300;
    curl_off_t announced = -1;
    if (curl_easy_getinfo(st.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > 0 && static_cast<std::size_t>(announced) > st.max_bytes) {
      st.too_large = true;
      return 0;
    }
  }
  if (st.received + len > st.max_bytes) {
    st.too_large = true;
    return 0; // makes curl stop with CURLE_WRITE_ERROR
  }
  st.received += len;
  if (st.keep_body && !st.sink->write(data, len)) {
    st.sink_failed = true;
    return 0;
  }
  return len;
}

// Checks the address curl is about to connect to, after DNS: a check on the
// host name alone could be defeated by a name that resolves to 127.0.0.1.
curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* addr) {
  auto& st = *static_cast<transfer_state*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && st.refuse_private && is_private_sockaddr(&addr->addr)) {
    st.refused_address = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(addr->family, addr->socktype, addr->protocol);
}

bool retryable_curl_error(CURLcode c) {
  switch (c) {
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_HTTP3:
  case CURLE_QUIC_CONNECT_ERROR:
    return true;
  default:
    return false;
  }
}

// Errors never name the URL (a redirect target may carry a signed query) and
// never contain the credentials, even if curl echoed them.
std::string scrub(std::string text, const fetch_options& o) {
  for (const std::string* secret : {&o.password, &o.username})
    text = redacted(std::move(text), *secret);
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

fetch_result fetch_with_redirects(const std::string& first_url, const body_sink& sink,
                                  const fetch_options& o) {
  init_curl();
  fetch_result out;
  auto deadline = std::chrono::steady_clock::now() + o.timeout;
  std::string url = first_url;
  bool origin_private = false;
  for (int hop = 0;; ++hop) {
    auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      out.result = fetch_result::outcome::retryable;
      out.error = "timed out after " + std::to_string(o.timeout.count()) + " s";
      return out;
    }
    if (!sink.reset()) {
      out.error = "cannot write the download";
      return out;
    }
    easy_ptr curl(curl_easy_init());
    if (!curl) {
      out.error = "curl_easy_init failed";
      return out;
    }
    CURL* c = curl.get();
    transfer_state st;
    st.curl = c;
    st.sink = &sink;
    st.max_bytes = o.max_bytes;
    st.refuse_private = hop > 0 && !origin_private;
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (o.method != "GET")
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o.method.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); // we run on many threads
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    // A proxy would hide the address we connect to from the private-address
    // check, so the environment's proxy settings are not used.
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "callscribe");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::chrono::milliseconds(o.connect_timeout).count()));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_bytes));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &st);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (hop == 0 && (!o.username.empty() || !o.password.empty())) {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(c, CURLOPT_USERNAME, o.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, o.password.c_str());
    }

    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    out.http_status = status;
    if (hop == 0) {
      char* ip = nullptr;
      if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
        origin_private = is_private_address(std::string(ip));
    }
    if (st.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      out.result = fetch_result::outcome::too_large;
      out.error = "response over " + std::to_string(o.max_bytes) + " bytes";
      return out;
    }
    if (st.refused_address) {
      out.result = fetch_result::outcome::failed;
      out.error = "redirect to a loopback or private address refused";
      return out;
    }
    if (st.sink_failed) {
      out.result = fetch_result::outcome::failed;
      out.error = "cannot write the download";
      return out;
    }
    if (rc != CURLE_OK) {
      out.result =
          retryable_curl_error(rc) ? fetch_result::outcome::retryable : fetch_result::outcome::failed;
      out.error =
          scrub(std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : ""), o);
      return out;
    }
    if (status >= 300 && status < 400) {
      char* location = nullptr;
      curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
      if (!location || !*location) {
        out.result = fetch_result::outcome::failed;
        out.error = "HTTP " + std::to_string(status) + " without a Location";
        return out;
      }
      if (hop >= o.max_redirects) {
        out.result = fetch_result::outcome::failed;
        out.error = "more than " + std::to_string(o.max_redirects) + " redirects";
        return out;
      }
      url_ptr parsed = parse_url(location);
      std::string scheme = parsed ? lower(url_part(parsed.get(), CURLUPART_SCHEME)) : "";
      if (scheme != "http" && scheme != "https") {
        out.result = fetch_result::outcome::failed;
        out.error = "redirect to a non-HTTP URL refused";
        return out;
      }
      // curl 7.88 resolves a relative Location against the URL *with* the
      // CURLOPT_USERNAME/PASSWORD in it ("http://user:pw@host/..."): strip
      // any user info so the next hop really goes without credentials.
      curl_url_set(parsed.get(), CURLUPART_USER, nullptr, 0);
      curl_url_set(parsed.get(), CURLUPART_PASSWORD, nullptr, 0);
      curl_url_set(parsed.get(), CURLUPART_OPTIONS, nullptr, 0);
      url = url_part(parsed.get(), CURLUPART_URL);
      if (url.empty()) {
        out.result = fetch_result::outcome::failed;
        out.error = "bad redirect Location";
        return out;
      }
      continue;
    }
    out.bytes = st.received;
    char* type = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
      out.content_type = type;
    if (status >= 200 && status < 300) {
      out.result = fetch_result::outcome::ok;
    } else if (status == 404) {
      out.result = fetch_result::outcome::not_found;
      out.error = "HTTP 404";
    } else if (status == 429 || status >= 500) {
      out.result = fetch_result::outcome::retryable;
      out.error = "HTTP " + std::to_string(status);
      curl_off_t wait = 0;
      if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &wait) == CURLE_OK && wait > 0)
        out.retry_after = std::chrono::seconds(wait);
    } else {
      out.result = fetch_result::outcome::failed;
      out.error = "HTTP " + std::to_string(status);
    }
    if (out.result != fetch_result::outcome::ok)
      out.bytes = 0;
    return out;
  }
}

} // namespace

fetch_result fetch_to_file(const std::string& url, const std::string& path, const fetch_options& o) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) {
    fetch_result out;
    out.error = "cannot create " + path + ": " + std::strerror(errno);
    return out;
  }
  body_sink sink;
  sink.reset = [file] {
    // A redirect's or an error's body never reaches the file, but a new hop
    // starts from an empty file all the same.
    return std::fflush(file) == 0 && ::ftruncate(::fileno(file), 0) == 0 &&
           std::fseek(file, 0, SEEK_SET) == 0;
  };
  sink.write = [file](const char* data, std::size_t len) { return std::fwrite(data, 1, len, file) == len; };
  fetch_result out = fetch_with_redirects(url, sink, o);
  if (std::fclose(file) != 0 && out.result == fetch_result::outcome::ok) {
    out.result = fetch_result::outcome::failed;
    out.error = "cannot write " + path;
  }
  if (out.result != fetch_result::outcome::ok)
    std::remove(path.c_str()); // nothing half-written stays behind
  return out;
}

fetch_result fetch_to_string(const std::string& url, std::string& body, const fetch_options& o) {
  body_sink sink;
  sink.reset = [&body] {
    body.clear();
    return true;
  };
  sink.write = [&body](const char* data, std::size_t len) {
    body.append(data, len);
    return true;
  };
  fetch_result out = fetch_with_redirects(url, sink, o);
  if (out.result != fetch_result::outcome::ok)
    body.clear();
  return out;
}

bool is_private_address(const std::string& ip) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1)
    return is_private_v4(buf);
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1)
    return is_private_v6(buf);
  return false;
}

bool same_origin(const std::string& url, const std::string& base) {
  init_curl();
  url_ptr a = parse_url(url), b = parse_url(base);
  if (!a || !b)
    return false;
  std::string scheme = lower(url_part(a.get(), CURLUPART_SCHEME));
  std::string host = lower(url_part(a.get(), CURLUPART_HOST));
  std::string port = url_part(a.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return !scheme.empty() && !host.empty() && scheme == lower(url_part(b.get(), CURLUPART_SCHEME)) &&
         host == lower(url_part(b.get(), CURLUPART_HOST)) &&
         port == url_part(b.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
}

} // namespace callscribe::http
