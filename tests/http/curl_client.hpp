// A small libcurl client for the http tests: our server is tested from the
// outside, the way Twilio and browsers reach it.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

namespace callscribe::http::testing {

struct client_reply {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
  std::string headers; // raw header lines
  long new_connections = 0;
  long local_port = 0;
};

inline std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// `handle` may be reused between calls to keep the connection alive.
inline client_reply curl_request(CURL* handle, const std::string& method, const std::string& url,
                                 const std::string& body = "", const std::vector<std::string>& headers = {},
                                 long timeout_ms = 5000) {
  client_reply out;
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROXY, "");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method == "GET" ? nullptr : method.c_str());
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, append_to_string);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &out.headers);
  out.rc = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &out.status);
  curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &out.new_connections);
  curl_easy_getinfo(handle, CURLINFO_LOCAL_PORT, &out.local_port);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  return out;
}

inline client_reply curl_request(const std::string& method, const std::string& url,
                                 const std::string& body = "", const std::vector<std::string>& headers = {},
                                 long timeout_ms = 5000) {
  CURL* handle = curl_easy_init();
  client_reply out = curl_request(handle, method, url, body, headers, timeout_ms);
  curl_easy_cleanup(handle);
  return out;
}

} // namespace callscribe::http::testing
