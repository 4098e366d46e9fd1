// What every outgoing libcurl call to an HTTP service shares: libcurl's global init, the URL
// check, the common options, an answer collected up to a limit, the service's own error message,
// and the text helpers that make one-line messages from what came back. Used by speech's `openai`
// engine and extraction's `llm` engine (both OpenAI-compatible services) and by fetch.cpp.
// libcurl and the standard library only: no Beast here.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace callscribe::http {

// curl_global_init, once per process: call it before any other libcurl function.
void init_curl();

// --- text ---------------------------------------------------------------------------------

// ' ', \t, \n, \r, \f, \v: std::isspace in the C locale, whatever the locale.
bool is_space(char c);

// `s` without leading and trailing is_space characters.
std::string trimmed(const std::string& s);

// A-Z lowered, every other byte (UTF-8 included) kept.
std::string ascii_lower(std::string s);

// At most `max` bytes of `s`, ending on a whole UTF-8 character.
std::string utf8_prefix(const std::string& s, std::size_t max);

// `s` with every control character (line breaks included) turned into a space.
std::string one_line(std::string s);

// `text` with every occurrence of `secret` replaced by "***"; an empty secret changes nothing.
// The search steps past each replacement, so a secret that "***" contains ("*") cannot loop.
std::string redacted(std::string text, const std::string& secret);

// --- the call -------------------------------------------------------------------------------

struct curlu_free {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using http_url = std::unique_ptr<CURLU, curlu_free>;

// libcurl's reading of `url` when it is an http or https URL; null otherwise.
http_url parse_http_url(const std::string& url);

// One part of a parsed URL; "" when it has none.
std::string url_component(CURLU* u, CURLUPart which);

// The host, with ":port" when the URL names one: how messages say which service answered.
std::string host_and_port(CURLU* u);

// The options every call to a service sets: no signals (calls run on many threads), http and
// https only, "callscribe" as User-Agent, any encoding libcurl can decode, and the two timeouts.
void set_service_options(CURL* h, std::chrono::milliseconds connect_timeout,
                         std::chrono::milliseconds timeout);

// An answer's body, kept up to `limit` bytes: a longer one ends the transfer with
// CURLE_WRITE_ERROR.
struct capped_body {
  explicit capped_body(std::size_t max_bytes) : limit(max_bytes) {}
  std::size_t limit;
  std::string text;
};

// Sets the write function and data of `h` so that the next transfer's body goes to `into`.
void collect_into(CURL* h, capped_body& into);

// The service's own reason in an HTTP error's body: OpenAI's error.message, or the shapes other
// servers use (error as a string, detail, message). "" when the body holds none of them.
std::string service_error_message(const std::string& body);

} // namespace callscribe::http
