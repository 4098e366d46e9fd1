// The pieces every outgoing libcurl call to an HTTP service shares.
#include "http/service_call.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>

namespace callscribe::http {

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<capped_body*>(user);
  const std::size_t n = size * count;
  if (body->text.size() + n > body->limit)
    return 0; // libcurl stops with CURLE_WRITE_ERROR
  body->text.append(data, n);
  return n;
}

} // namespace

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b]))
    ++b;
  while (e > b && is_space(s[e - 1]))
    --e;
  return s.substr(b, e - b);
}

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string utf8_prefix(const std::string& s, std::size_t max) {
  std::size_t n = std::min(s.size(), max);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n; // do not end inside a multi-byte character
  return s.substr(0, n);
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  return s;
}

std::string redacted(std::string text, const std::string& secret) {
  if (secret.empty())
    return text;
  static const std::string mask = "***";
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mask.size()))
    text.replace(at, secret.size(), mask);
  return text;
}

http_url parse_http_url(const std::string& url) {
  http_url u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return nullptr;
  const std::string scheme = ascii_lower(url_component(u.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https")
    return nullptr;
  return u;
}

std::string url_component(CURLU* u, CURLUPart which) {
  char* p = nullptr;
  std::string s;
  if (curl_url_get(u, which, &p, 0) == CURLUE_OK && p)
    s = p;
  curl_free(p);
  return s;
}

std::string host_and_port(CURLU* u) {
  std::string where = url_component(u, CURLUPART_HOST);
  if (const std::string port = url_component(u, CURLUPART_PORT); !port.empty())
    where += ":" + port;
  return where;
}

void set_service_options(CURL* h, std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds timeout) {
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "callscribe");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
}

void collect_into(CURL* h, capped_body& into) {
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &into);
}

std::string service_error_message(const std::string& body) {
  using json = nlohmann::json;
  const json j = json::parse(body, nullptr, false);
  std::string m;
  if (j.is_object()) {
    if (const auto e = j.find("error"); e != j.end()) {
      if (e->is_object() && e->contains("message") && (*e)["message"].is_string())
        m = (*e)["message"].get<std::string>();
      else if (e->is_string())
        m = e->get<std::string>();
    }
    for (const char* key : {"detail", "message"})
      if (m.empty())
        if (const auto d = j.find(key); d != j.end() && d->is_string())
          m = d->get<std::string>();
  }
  return m;
}

} // namespace callscribe::http
