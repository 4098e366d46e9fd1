// fork/exec of build/callscribe with a clean environment of our choosing.
#include "tests/e2e/server_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace callscribe::testing {

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

server_process::server_process(std::filesystem::path workdir, std::map<std::string, std::string> env)
    : workdir_(std::move(workdir)), log_path_(workdir_ / "callscribe.log"), env_(std::move(env)) {}

server_process::~server_process() {
  if (pid_ > 0)
    kill9();
}

std::string server_process::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void server_process::start() {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    // Only what the test says: no settings leak in from the developer's shell.
    if (kv.rfind("CALLSCRIBE_", 0) == 0 || kv.rfind("TWILIO_", 0) == 0 || kv.rfind("PGPASSWORD", 0) == 0)
      continue;
    env.push_back(kv);
  }
  for (const auto& [k, v] : env_)
    env.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& kv : env)
    envp.push_back(kv.data());
  envp.push_back(nullptr);
  std::string binary = CALLSCRIBE_BINARY_DIR "/callscribe";
  std::string serve = "serve", port = "--http.port=0";
  char* argv[] = {binary.data(), serve.data(), port.data(), nullptr};

  auto before = log().size();
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    if (chdir(workdir_.c_str()) != 0)
      _exit(126);
    execve(binary.c_str(), argv, envp.data());
    _exit(127);
  }
  static const std::regex listening(R"(Listening on http://127\.0\.0\.1:(\d+))");
  std::smatch m;
  bool up = wait_until(
      [&] {
        auto text = log().substr(before);
        if (std::regex_search(text, m, listening)) {
          port_ = std::stoi(m[1]);
          return true;
        }
        int status = 0;
        return waitpid(pid_, &status, WNOHANG) == pid_ && (pid_ = -1, true);
      },
      std::chrono::seconds(30));
  if (!up || pid_ < 0) {
    auto text = log();
    throw std::runtime_error("callscribe did not start; log:\n" +
                             text.substr(text.size() > 3000 ? text.size() - 3000 : 0));
  }
}

void server_process::kill9() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int server_process::wait_exit(std::chrono::milliseconds limit) {
  if (pid_ <= 0)
    return -1;
  int status = 0;
  if (!wait_until([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, limit))
    return -2;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int server_process::terminate() {
  if (pid_ <= 0)
    return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool exited = wait_until([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(40));
  if (!exited) {
    kill9();
    return -1;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string server_process::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

} // namespace callscribe::testing
