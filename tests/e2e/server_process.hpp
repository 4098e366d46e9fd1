// The real callscribe binary as a child process: started with its settings in
// the environment, its log in a file, stopped with SIGTERM or kill -9.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <sys/types.h>

namespace callscribe::testing {

class server_process {
public:
  server_process(std::filesystem::path workdir, std::map<std::string, std::string> env);
  ~server_process(); // kill -9 if still running

  // Starts `callscribe serve` and waits (bounded) until it logs the port it
  // listens on. Throws with the log's tail when it does not come up.
  void start();
  void set_env(const std::string& name, const std::string& value) { env_[name] = value; }
  void kill9();
  int terminate(); // SIGTERM; returns the exit status
  // Waits (bounded) for the process to end by itself: its exit status, 128 +
  // the signal that ended it, or -2 when it still runs.
  int wait_exit(std::chrono::milliseconds limit);
  bool running() const { return pid_ > 0; }

  std::string url(const std::string& path) const;
  std::string log() const; // everything logged, by every start
  std::filesystem::path log_path() const { return log_path_; }

private:
  std::filesystem::path workdir_, log_path_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Polls `done` every 50 ms until it holds or `limit` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit);

} // namespace callscribe::testing
