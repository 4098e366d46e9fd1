// A stand-in for Twilio's REST API on 127.0.0.1: basic auth, Twilio's URL
// layout, 404 while a recording is "not ready yet", the Calls and Recordings
// resources (lists too), DELETE. Built on callscribe's own http::server. The
// tests play Twilio with it, and so does `callscribe simulate-call`: one
// implementation of what Twilio does, for both.
#pragma once

#include "http/server.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace callscribe::app {

class twilio_standin {
public:
  // On 127.0.0.1:`port` (0: any free port).
  twilio_standin(std::string account_sid, std::string auth_token, std::uint16_t port = 0);
  ~twilio_standin();

  // Serves `wav_path` for this recording after answering 404 `not_ready_first` times.
  void add_recording(const std::string& recording_sid, const std::string& wav_path, int not_ready_first = 0);
  void add_call(const std::string& call_sid, const std::string& from, const std::string& to,
                const std::string& direction);
  // A recording of a call: served like add_recording's, and listed in
  // Calls/{CallSid}/Recordings.json from the list's `listed_after`+1st request
  // on (before that the list is empty, as while Twilio is still processing).
  void add_call_recording(const std::string& call_sid, const std::string& recording_sid,
                          const std::string& wav_path, int listed_after = 0);
  int recording_list_requests(const std::string& call_sid) const;
  int recording_deletes(const std::string& recording_sid) const; // DELETE Recordings/{sid}.json requests
  // A recording whose callback never came: served like add_recording's, its
  // call known (Calls/{CallSid}.json), and listed in the account's
  // Recordings.json, two to a page. (Recordings added otherwise are not
  // listed there, so the reconciliation sweep leaves the other tests alone.)
  void add_lost_recording(const std::string& call_sid, const std::string& recording_sid,
                          const std::string& wav_path, const std::string& from, const std::string& to);
  std::vector<std::string> account_list_queries() const; // the query of each Recordings.json page asked

  // For the benches: every recording's audio is answered `delay` after it is
  // asked for, each on a thread of its own, so downloads at once overlap as at
  // Twilio (0, the default: at once).
  void set_download_delay(std::chrono::milliseconds delay) { download_delay_ms_ = delay.count(); }

  std::string base() const; // http://127.0.0.1:PORT
  std::string recording_url(const std::string& recording_sid) const;
  int recording_requests(const std::string& recording_sid) const;
  std::string last_query(const std::string& recording_sid) const; // of the last request for it
  int call_requests(const std::string& call_sid) const;
  int unauthorised_requests() const;

private:
  struct recording {
    std::string path;
    int not_ready_first = 0;
    int requests = 0;
    std::string last_query;
    int deletes = 0;
  };
  struct call {
    std::string from, to, direction;
    int requests = 0;
  };
  struct call_recordings {
    std::vector<std::string> recording_sids;
    int listed_after = 0;
    int list_requests = 0;
  };
  http::response answer(const http::request& req);
  void reply_to(const http::request& req, http::reply_fn reply);

  std::string account_sid_;
  std::string expected_auth_;
  mutable std::mutex m_;
  std::map<std::string, recording> recordings_;
  std::map<std::string, call> calls_;
  std::map<std::string, call_recordings> call_recordings_;
  std::vector<std::pair<std::string, std::string>> lost_; // (call, recording), in order
  std::vector<std::string> account_list_queries_;
  int unauthorised_ = 0;
  std::atomic<long long> download_delay_ms_{0};
  http::server server_;
};

} // namespace callscribe::app
