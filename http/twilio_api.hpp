// Twilio's REST API as callscribe uses it: download a recording (retrying
// while it is not ready) and look up a call's numbers.
#pragma once

#include "http/fetch.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::http {

struct twilio_credentials {
  std::string api_base; // https://api.twilio.com, or a stand-in on loopback
  std::string account_sid;
  std::string auth_token;
};

struct retry_policy {
  int attempts = 5; // HTTP requests per download before giving up for now
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{16000};
};

struct download_outcome {
  enum class status { ok, not_ready, failed } result = status::failed;
  bool retryable = false; // for failed: 429/5xx/network rather than a permanent refusal
  std::string path;       // the stored file, when ok
  std::string error;      // one line
  int requests = 0;
  long http_status = 0;  // of the last request
  std::size_t bytes = 0; // stored, when ok
  // Twilio's Retry-After when it was longer than this call waits in between
  // requests (retry_policy::max_backoff): the job should wait that long.
  std::chrono::seconds retry_after{0};
};

// Fetches recording_url + ".wav" (with ?RequestedChannels=2 when channels is
// 2; ".mp3" when Twilio refuses the WAV) into `dest_dir`/<RecordingSid>.<ext>:
// written to a temporary file and renamed, so a file there is complete.
// Retries 404, 429 and 5xx with exponential backoff and jitter, waiting at
// least a 429's or 503's Retry-After (one longer than max_backoff ends the
// call, with retry_after set); `sleep` is injectable for tests. Refuses a URL
// outside api_base's origin.
download_outcome download_recording(const twilio_credentials& creds, const std::string& recording_url,
                                    const std::string& recording_sid, int channels,
                                    const std::string& dest_dir, const fetch_options& fetch,
                                    const retry_policy& retry,
                                    const std::function<void(std::chrono::milliseconds)>& sleep = {});

struct call_info {
  std::string from;
  std::string to;
  std::string direction;
  std::string status;
};

// GET {api_base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json.
std::optional<call_info> fetch_call(const twilio_credentials& creds, const std::string& call_sid,
                                    const fetch_options& fetch, std::string* error = nullptr);

// DELETE {api_base}/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.json.
// True when Twilio deleted it (204) or has no such recording (404: deleted
// before); false with a one-line error otherwise.
bool delete_recording(const twilio_credentials& creds, const std::string& recording_sid,
                      const fetch_options& fetch, std::string* error = nullptr);

// One recording of a call, as Twilio's REST API lists it.
struct listed_recording {
  std::string sid;
  std::string call_sid;
  std::string status;    // completed, processing, absent, failed…
  std::string uri;       // /2010-04-01/Accounts/AC…/Recordings/RE….json, as listed
  std::string media_url; // api_base + uri without ".json": what a recording callback calls RecordingUrl
  int channels = 1;
  int duration_seconds = 0;
};

// GET {api_base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json,
// following next_page_uri (at most 10 pages). An entry whose uri is not one
// of this account's recordings is left out. nullopt, with a one-line error,
// when Twilio cannot be asked or answers something else than such a list.
std::optional<std::vector<listed_recording>> list_call_recordings(const twilio_credentials& creds,
                                                                  const std::string& call_sid,
                                                                  const fetch_options& fetch,
                                                                  std::string* error = nullptr);

// Every recording of the account created on or after `since_date`
// (YYYY-MM-DD, UTC: Twilio's filter has a day's granularity), all pages (at
// most 1,000 of 100): GET …/Recordings.json?DateCreated>=….
std::optional<std::vector<listed_recording>> list_recordings_since(const twilio_credentials& creds,
                                                                   const std::string& since_date,
                                                                   const fetch_options& fetch,
                                                                   std::string* error = nullptr);

} // namespace callscribe::http
