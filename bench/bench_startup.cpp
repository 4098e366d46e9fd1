// Start-up time: from exec of `callscribe serve` to the first 200 from GET
// /readyz (polled every millisecond), on an empty SQLite file (every migration
// runs) and on the file that start left (migrated already). The default speech
// engine (PocketSphinx, its model loaded at start) unless --engine says
// otherwise; no reconciliation. One unmeasured start first warms the page cache.
// Usage: callscribe_bench_startup [--runs N (7)] [--stt-engine NAME] [--stt-command CMD]
// Prints one line per database: the median and every run, in ms.
#include "tests/http/curl_client.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern char** environ;
namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

// ms from fork/exec until /readyz answers 200; the server is stopped after.
double time_to_ready(const fs::path& dir, const std::map<std::string, std::string>& settings) {
  const int port = free_port();
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "CALLSCRIBE_", 11) != 0 && std::strncmp(*e, "TWILIO_", 7) != 0)
      env.emplace_back(*e);
  for (const auto& [k, v] : settings)
    env.push_back(k + "=" + v);
  env.push_back("CALLSCRIBE_HTTP_PORT=" + std::to_string(port));
  std::vector<char*> envp;
  for (auto& kv : env)
    envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::string binary = CALLSCRIBE_BINARY_DIR "/callscribe", serve = "serve";
  char* argv[] = {binary.data(), serve.data(), nullptr};
  const std::string log = (dir / "serve.log").string(), url = "http://127.0.0.1:" + std::to_string(port) + "/readyz";

  const auto started = clock_type::now();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "a");
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    execve(binary.c_str(), argv, envp.data());
    _exit(127);
  }
  CURL* handle = curl_easy_init();
  double ms = -1;
  while (clock_type::now() - started < std::chrono::seconds(60)) {
    if (callscribe::http::testing::curl_request(handle, "GET", url, "", {}, 1000).status == 200) {
      ms = std::chrono::duration<double, std::milli>(clock_type::now() - started).count();
      break;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      std::fprintf(stderr, "startup bench: callscribe exited; see %s\n", log.c_str());
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  curl_easy_cleanup(handle);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  if (ms < 0) {
    std::fprintf(stderr, "startup bench: not ready in 60 s; see %s\n", log.c_str());
    std::exit(1);
  }
  return ms;
}

void report(const char* what, std::vector<double> runs) {
  std::vector<double> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  std::printf("%s median_ms %.0f runs_ms", what, sorted[sorted.size() / 2]);
  for (double r : runs)
    std::printf(" %.0f", r);
  std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
  int runs = 7;
  std::map<std::string, std::string> settings{
      {"CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "0"},
      {"CALLSCRIBE_BUSINESSES_FILE", CALLSCRIBE_SOURCE_DIR "/config/businesses.json"},
      {"CALLSCRIBE_EXTRACT_PLACES_DIR", CALLSCRIBE_SOURCE_DIR "/config/places"}};
  for (int i = 1; i < argc; ++i) {
    auto is = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (is("--runs"))
      runs = std::max(1, std::atoi(argv[++i]));
    else if (is("--stt-engine"))
      settings["CALLSCRIBE_STT_ENGINE"] = argv[++i];
    else if (is("--stt-command"))
      settings["CALLSCRIBE_STT_COMMAND"] = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--runs N] [--stt-engine NAME] [--stt-command CMD]\n", argv[0]);
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_ALL);
  const fs::path dir = fs::temp_directory_path() / ("callscribe-bench-startup-" + std::to_string(::getpid()));
  auto fresh = [&](int n) {
    auto d = dir / std::to_string(n);
    fs::remove_all(d);
    fs::create_directories(d);
    settings["CALLSCRIBE_DB_URL"] = "sqlite:" + (d / "callscribe.db").string();
    settings["CALLSCRIBE_STORAGE_DATA_DIR"] = (d / "data").string();
    return d;
  };
  time_to_ready(fresh(0), settings); // warms the page cache
  std::vector<double> empty, migrated;
  for (int r = 1; r <= runs; ++r) {
    auto d = fresh(r);
    empty.push_back(time_to_ready(d, settings));
    migrated.push_back(time_to_ready(d, settings));
  }
  report("empty_db", empty);
  report("migrated_db", migrated);
  fs::remove_all(dir);
  return 0;
}
