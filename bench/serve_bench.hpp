// What the benches that drive a real `callscribe serve` share: a folder with a
// flite recording and the example locksmith business, the Twilio stand-in
// serving RE…1 to RE…N, the server's settings, signed callbacks posted over
// keep-alive connections, a number from /metrics, and the server's VmRSS.
#pragma once

#include "tests/e2e/deployment.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <soci/soci.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace callscribe::bench {

using namespace callscribe::testing;
using namespace callscribe::testing::e2e;

inline std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The `command` engine: a fixed sentence at once, or after `wait_ms` (time, no CPU).
inline std::string sentence_engine(int wait_ms) {
  if (wait_ms <= 0)
    return "sh -c 'echo I need a locksmith in Boston' {file}";
  char seconds[16];
  std::snprintf(seconds, sizeof seconds, "%.3f", wait_ms / 1000.0);
  return std::string("sh -c 'sleep ") + seconds + "; echo I need a locksmith in Boston' {file}";
}

struct bench_setup {
  fs::path dir;
  std::string wav, db_url;
  std::unique_ptr<twilio_standin> twilio;

  bench_setup(const std::string& name, int recordings) {
    dir = fs::temp_directory_path() / ("callscribe-bench-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    wav = (dir / "call.wav").string();
    if (std::system(("flite -voice rms -t 'I need a locksmith in Boston' -o '" + wav + "'").c_str()) != 0)
      throw std::runtime_error("flite failed (scripts/setup.sh installs it)");
    std::ofstream(dir / "businesses.json")
        << R"([{"name": "Boston Lock & Key", "phone_number": ")" << business
        << R"(", "language": "en", "places": ["us"], "services": [{"name": "locksmith", "aliases": ["lock smith"]}]}])";
    twilio = std::make_unique<twilio_standin>(account_sid, auth_token);
    for (int n = 1; n <= recordings; ++n)
      twilio->add_recording(sid("RE", n), wav);
    db_url = "sqlite:" + (dir / "db" / "callscribe.db").string();
  }
  ~bench_setup() {
    twilio.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // serve on this folder's SQLite file, the `command` engine, no reconciliation.
  std::map<std::string, std::string> env(const std::string& stt_command, bool worker) const {
    auto e = server_env(db_url, dir / "data", twilio->base(), dir / "businesses.json", "bench-node", 100);
    e["CALLSCRIBE_STT_ENGINE"] = "command";
    e["CALLSCRIBE_STT_COMMAND"] = stt_command;
    e["CALLSCRIBE_TWILIO_RECONCILE_MINUTES"] = "0";
    e["CALLSCRIBE_WORKER_ENABLED"] = worker ? "true" : "false";
    return e;
  }

  long long count(const std::string& sql) const {
    auto d = storage::database::open(db_url);
    long long n = 0;
    soci::indicator ind = soci::i_ok;
    d.session() << sql, soci::into(n, ind);
    return ind == soci::i_ok ? n : 0;
  }
  long long finished() const {
    return count("SELECT COUNT(*) FROM recording_jobs WHERE state IN ('done', 'dead')");
  }
};

// Posts the recording-status callbacks of recordings first..last, signed,
// from `clients` threads each on one keep-alive connection. Returns how many
// were not answered 200; `progress` is called now and then with the count sent.
inline long post_callbacks(const server_process& server, const twilio_standin& twilio, int first, int last,
                           int clients, const std::function<void(int)>& progress = {}) {
  std::atomic<int> next{first}, sent{0};
  std::atomic<long> refused{0};
  const std::string path = "/twilio/recording-status", url = server.url(path);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&] {
      CURL* handle = curl_easy_init();
      for (int n = next++; n <= last; n = next++) {
        auto f = recording_callback(twilio, n);
        std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded",
                                         "X-Twilio-Signature: " +
                                             http::twilio_signature(auth_token, public_url + path, f)};
        if (http::testing::curl_request(handle, "POST", url, form_body(f), headers, 30000).status != 200)
          ++refused;
        ++sent;
      }
      curl_easy_cleanup(handle);
    });
  if (progress)
    while (sent < last - first + 1) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      progress(sent);
    }
  for (auto& t : threads)
    t.join();
  return refused;
}

// The value of an unlabelled series on /metrics; -1 when it is not there.
inline double metric(const server_process& server, const std::string& name) {
  auto page = http::testing::curl_request("GET", server.url("/metrics")).body;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + " ", 0) == 0)
      return std::stod(line.substr(name.size() + 1));
  return -1;
}

// The pid of this process's child running `callscribe` (server_process's).
inline pid_t serve_pid() {
  DIR* proc = opendir("/proc");
  pid_t found = -1;
  while (dirent* e = proc ? readdir(proc) : nullptr) {
    std::ifstream stat(std::string("/proc/") + e->d_name + "/stat");
    std::string pid, comm, state;
    pid_t ppid = 0;
    if (stat >> pid >> comm >> state >> ppid && ppid == ::getpid() && comm == "(callscribe)")
      found = std::stoi(pid);
  }
  if (proc)
    closedir(proc);
  return found;
}

// VmRSS of `pid` in MiB; -1 when it cannot be read.
inline double rss_mib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return -1;
}

} // namespace callscribe::bench
