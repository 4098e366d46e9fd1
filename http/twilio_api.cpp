// Twilio's REST API as callscribe uses it: recording downloads with retries
// while Twilio is still preparing the file, and a call's details.
#include "http/twilio_api.hpp"

#include "http/twilio_sid.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <memory>
#include <random>
#include <system_error>
#include <thread>

namespace callscribe::http {

namespace {

std::string unique_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string without_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

// recording_url with its media extension and query set through libcurl's URL
// API. Twilio's callbacks give the URL without an extension; a URI from the
// REST API ends in ".json"; either way the media type is ours to choose.
std::optional<std::string> media_url(const std::string& recording_url, const std::string& ext,
                                     const std::string& query) {
  std::unique_ptr<CURLU, void (*)(CURLU*)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, recording_url.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  char* raw_path = nullptr;
  if (curl_url_get(u.get(), CURLUPART_PATH, &raw_path, 0) != CURLUE_OK || !raw_path)
    return std::nullopt;
  std::string path = raw_path;
  curl_free(raw_path);
  for (const char* known : {".json", ".wav", ".mp3"}) {
    std::size_t n = std::char_traits<char>::length(known);
    if (path.size() > n && path.compare(path.size() - n, n, known) == 0) {
      path.resize(path.size() - n);
      break;
    }
  }
  path += ext;
  if (curl_url_set(u.get(), CURLUPART_PATH, path.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  curl_url_set(u.get(), CURLUPART_QUERY, nullptr, 0);
  if (!query.empty() && curl_url_set(u.get(), CURLUPART_QUERY, query.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  char* full = nullptr;
  if (curl_url_get(u.get(), CURLUPART_URL, &full, 0) != CURLUE_OK || !full)
    return std::nullopt;
  std::string out = full;
  curl_free(full);
  return out;
}

// ±20% so that many jobs waiting on the same outage do not retry in step.
std::chrono::milliseconds with_jitter(std::chrono::milliseconds base) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> factor(0.8, 1.2);
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(base.count()) * factor(rng)));
}

} // namespace

download_outcome download_recording(const twilio_credentials& creds, const std::string& recording_url,
                                    const std::string& recording_sid, int channels,
                                    const std::string& dest_dir, const fetch_options& fetch,
                                    const retry_policy& retry,
                                    const std::function<void(std::chrono::milliseconds)>& sleep) {
  download_outcome out;
  auto fail = [&out](std::string error, bool retryable) {
    out.result = download_outcome::status::failed;
    out.retryable = retryable;
    out.error = std::move(error);
    return out;
  };
  // The Sid becomes a file name: its format rules out "../" and friends.
  if (!is_recording_sid(recording_sid))
    return fail("not a Recording Sid", false);
  if (!same_origin(recording_url, creds.api_base))
    return fail("RecordingUrl is not on " + without_trailing_slash(creds.api_base), false);

  std::error_code ec;
  std::filesystem::create_directories(dest_dir, ec);
  if (ec)
    return fail("cannot create " + dest_dir + ": " + ec.message(), true);

  fetch_options options = fetch;
  options.username = creds.account_sid;
  options.password = creds.auth_token;
  auto pause = sleep ? sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };

  std::string ext = ".wav";
  bool tried_mp3 = false;
  auto backoff = retry.initial_backoff;
  fetch_result last;
  const std::filesystem::path dir(dest_dir);
  while (out.requests < std::max(1, retry.attempts)) {
    auto url = media_url(recording_url, ext, ext == ".wav" && channels == 2 ? "RequestedChannels=2" : "");
    if (!url)
      return fail("RecordingUrl is not a valid URL", false);
    const std::string final_path = (dir / (recording_sid + ext)).string();
    // A name of its own per download: two downloads of one recording (a
    // restarted node and its old worker) must not write into one file.
    const std::string part_path = final_path + ".part-" + unique_suffix();
    last = fetch_to_file(*url, part_path, options);
    ++out.requests;
    out.http_status = last.http_status;
    switch (last.result) {
    case fetch_result::outcome::ok:
      std::filesystem::rename(part_path, final_path, ec);
      if (ec) {
        std::filesystem::remove(part_path, ec);
        // Disk trouble may pass; the job is tried again, up to its attempts.
        return fail("cannot store " + final_path + ": " + ec.message(), true);
      }
      out.result = download_outcome::status::ok;
      out.path = final_path;
      out.bytes = last.bytes;
      out.error.clear();
      return out;
    case fetch_result::outcome::too_large:
      return fail("recording " + last.error, false);
    case fetch_result::outcome::failed:
      // Twilio answers 4xx when it cannot produce the WAV (for one, a
      // dual-channel request for a mono recording); MP3 may still be there.
      if (!tried_mp3 && last.http_status >= 400 && last.http_status < 500) {
        tried_mp3 = true;
        ext = ".mp3";
        continue;
      }
      return fail("download failed: " + last.error, false);
    case fetch_result::outcome::not_found:
    case fetch_result::outcome::retryable:
      break;
    }
    if (last.retry_after > retry.max_backoff) {
      // Twilio asks for a longer pause than a download waits in between:
      // the job waits instead, and the worker is free meanwhile.
      out.retry_after = last.retry_after;
      return fail("download failed: " + last.error + ", Retry-After " +
                      std::to_string(last.retry_after.count()) + " s",
                  true);
    }
    if (out.requests >= retry.attempts)
      break;
    pause(std::max<std::chrono::milliseconds>(with_jitter(backoff), last.retry_after));
    backoff = std::min(backoff * 2, retry.max_backoff);
  }
  if (last.result == fetch_result::outcome::not_found) {
    out.result = download_outcome::status::not_ready;
    out.retryable = true;
    out.error = "recording not ready after " + std::to_string(out.requests) + " requests (HTTP 404)";
    return out;
  }
  return fail("download failed after " + std::to_string(out.requests) + " requests: " + last.error,
              last.result == fetch_result::outcome::retryable);
}

std::optional<call_info> fetch_call(const twilio_credentials& creds, const std::string& call_sid,
                                    const fetch_options& fetch, std::string* error) {
  auto fail = [error](std::string why) -> std::optional<call_info> {
    if (error)
      *error = std::move(why);
    return std::nullopt;
  };
  // Both Sids become part of the path; their formats keep it a plain path.
  if (!is_call_sid(call_sid))
    return fail("not a Call Sid");
  if (creds.account_sid.empty() || creds.account_sid.find_first_of("/?#%") != std::string::npos)
    return fail("not an Account Sid");
  std::string url = without_trailing_slash(creds.api_base) + "/2010-04-01/Accounts/" + creds.account_sid +
                    "/Calls/" + call_sid + ".json";
  fetch_options options = fetch;
  options.username = creds.account_sid;
  options.password = creds.auth_token;
  options.max_bytes = std::min<std::size_t>(options.max_bytes, 1024 * 1024); // a call is a small object
  std::string body;
  fetch_result r = fetch_to_string(url, body, options);
  if (r.result != fetch_result::outcome::ok)
    return fail("GET Calls/" + call_sid + ".json: " + r.error);
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    return fail("GET Calls/" + call_sid + ".json: not a JSON object");
  auto text = [&json](const char* key) {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  call_info info;
  info.from = text("from");
  info.to = text("to");
  info.direction = text("direction");
  info.status = text("status");
  return info;
}

namespace {

// Walks a Recordings list resource of this account from `first_page` (a
// path with its query) through next_page_uri, at most `max_pages` pages.
std::optional<std::vector<listed_recording>> walk_recordings(const twilio_credentials& creds,
                                                             const std::string& first_page, int max_pages,
                                                             const fetch_options& fetch, std::string* error) {
  const std::string what = "GET " + first_page.substr(0, first_page.find('?'));
  auto fail = [error](std::string why) -> std::optional<std::vector<listed_recording>> {
    if (error)
      *error = std::move(why);
    return std::nullopt;
  };
  const std::string base = without_trailing_slash(creds.api_base);
  const std::string account_path = "/2010-04-01/Accounts/" + creds.account_sid;
  const std::string recordings_path = account_path + "/Recordings/";
  fetch_options options = fetch;
  options.username = creds.account_sid;
  options.password = creds.auth_token;
  options.max_bytes = std::min<std::size_t>(options.max_bytes, 4 * 1024 * 1024); // a page of JSON
  std::vector<listed_recording> out;
  std::string page = first_page;
  for (int pages = 0; !page.empty(); ++pages) {
    // Only this account's resources, as paths: a next_page_uri elsewhere is refused.
    if (pages == max_pages || page.rfind(account_path + "/", 0) != 0)
      return fail(pages == max_pages ? what + ": more than " + std::to_string(max_pages) + " pages"
                                     : what + ": a next page outside the account");
    std::string body;
    fetch_result r = fetch_to_string(base + page, body, options);
    if (r.result != fetch_result::outcome::ok)
      return fail(what + ": " + r.error);
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("recordings") ||
        !json["recordings"].is_array())
      return fail(what + ": not a list of recordings");
    auto text = [](const nlohmann::json& o, const char* key) {
      auto it = o.find(key);
      return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
    };
    // Twilio writes some numbers as strings ("duration": "12").
    auto number = [&text](const nlohmann::json& o, const char* key) {
      auto it = o.find(key);
      if (it != o.end() && it->is_number_integer())
        return it->get<int>();
      const std::string digits = text(o, key);
      int v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      return ec == std::errc() && end == digits.data() + digits.size() ? v : 0;
    };
    for (const auto& item : json["recordings"]) {
      if (!item.is_object())
        continue;
      listed_recording rec;
      rec.sid = text(item, "sid");
      rec.call_sid = text(item, "call_sid");
      rec.status = text(item, "status");
      rec.uri = text(item, "uri");
      rec.channels = number(item, "channels") == 2 ? 2 : 1;
      rec.duration_seconds = std::max(0, number(item, "duration"));
      if (!is_recording_sid(rec.sid) || rec.uri != recordings_path + rec.sid + ".json")
        continue;
      rec.media_url = base + rec.uri.substr(0, rec.uri.size() - 5);
      out.push_back(std::move(rec));
    }
    page = text(json, "next_page_uri");
  }
  return out;
}

} // namespace

std::optional<std::vector<listed_recording>> list_call_recordings(const twilio_credentials& creds,
                                                                  const std::string& call_sid,
                                                                  const fetch_options& fetch,
                                                                  std::string* error) {
  if (!is_call_sid(call_sid) || !is_account_sid(creds.account_sid)) {
    if (error)
      *error = is_call_sid(call_sid) ? "not an Account Sid" : "not a Call Sid";
    return std::nullopt;
  }
  return walk_recordings(
      creds, "/2010-04-01/Accounts/" + creds.account_sid + "/Calls/" + call_sid + "/Recordings.json", 10,
      fetch, error);
}

std::optional<std::vector<listed_recording>> list_recordings_since(const twilio_credentials& creds,
                                                                   const std::string& since_date,
                                                                   const fetch_options& fetch,
                                                                   std::string* error) {
  const bool date = since_date.size() == 10 && since_date[4] == '-' && since_date[7] == '-' &&
                    std::all_of(since_date.begin(), since_date.end(), [](char c) {
                      return c == '-' || std::isdigit(static_cast<unsigned char>(c));
                    });
  if (!date || !is_account_sid(creds.account_sid)) {
    if (error)
      *error = date ? "not an Account Sid" : "not a date (YYYY-MM-DD): " + since_date;
    return std::nullopt;
  }
  // `DateCreated>=` is Twilio's filter, its `>=` percent-encoded.
  return walk_recordings(creds,
                         "/2010-04-01/Accounts/" + creds.account_sid +
                             "/Recordings.json?DateCreated%3E=" + since_date + "&PageSize=100",
                         1000, fetch, error);
}

bool delete_recording(const twilio_credentials& creds, const std::string& recording_sid,
                      const fetch_options& fetch, std::string* error) {
  auto fail = [error](std::string why) {
    if (error)
      *error = std::move(why);
    return false;
  };
  if (!is_recording_sid(recording_sid))
    return fail("not a Recording Sid");
  if (!is_account_sid(creds.account_sid))
    return fail("not an Account Sid");
  fetch_options options = fetch;
  options.method = "DELETE";
  options.max_redirects = 0;
  options.username = creds.account_sid;
  options.password = creds.auth_token;
  options.max_bytes = 64 * 1024;
  std::string body;
  const std::string url = without_trailing_slash(creds.api_base) + "/2010-04-01/Accounts/" +
                          creds.account_sid + "/Recordings/" + recording_sid + ".json";
  fetch_result r = fetch_to_string(url, body, options);
  if (r.result == fetch_result::outcome::ok || r.result == fetch_result::outcome::not_found)
    return true;
  return fail("DELETE Recordings/" + recording_sid + ".json: " + r.error);
}

} // namespace callscribe::http
