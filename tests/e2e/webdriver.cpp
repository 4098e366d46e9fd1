// chromedriver as a child process, spoken to over loopback HTTP with libcurl.
#include "tests/e2e/webdriver.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <initializer_list>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace callscribe::testing {

namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// The W3C web element identifier (spec section 12.1); chromedriver uses exactly this key.
const char* const element_key = "element-6066-11e4-a52e-4f735466cecf";
constexpr long navigation_timeout_ms = 30000;
constexpr long session_timeout_ms = 30000; // Chromium's first start can take seconds on a cold cache
constexpr long default_timeout_ms = 10000;

bool executable(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

// The first of `names` found on PATH, then in /usr/bin; empty when none.
std::string find_program(std::initializer_list<const char*> names) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream s(path);
    for (std::string dir; std::getline(s, dir, ':');)
      if (!dir.empty())
        dirs.push_back(dir);
  }
  dirs.push_back("/usr/bin");
  for (const char* name : names)
    for (const auto& dir : dirs)
      if (auto p = std::filesystem::path(dir) / name; executable(p))
        return p.string();
  return {};
}

std::string find_chromedriver() {
  return find_program({"chromedriver"});
}
std::string find_chromium() {
  return find_program({"chromium", "chromium-browser"});
}

// Asks the kernel for a free loopback port. Another process may take it before
// chromedriver binds it; the caller retries with a new port when that happens.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error("webdriver: socket() failed: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  if (port <= 0)
    throw std::runtime_error("webdriver: could not pick a free 127.0.0.1 port");
  return port;
}

std::size_t append_to_string(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct reply {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
  std::string error; // curl's own words when rc != CURLE_OK
};

reply http(CURL* curl, const std::string& method, const std::string& url, const std::string* body,
           long timeout_ms) {
  reply out;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROXY, ""); // never through a developer's http_proxy
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L); // loopback: slow connect means no listener
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_string);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  // No "Expect: 100-continue" round trip for larger bodies (long scripts, typed text).
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body->c_str() : "{}");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body ? body->size() : 2));
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  out.rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  if (out.rc != CURLE_OK)
    out.error = errbuf[0] ? errbuf : curl_easy_strerror(out.rc);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  return out;
}

// Standard base64 as WebDriver sends it; whitespace is skipped, padding optional.
std::string base64_decode(const std::string& in) {
  auto value = [](unsigned char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned bits = 0;
  int nbits = 0;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '=')
      break;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
      continue;
    int v = value(c);
    if (v < 0)
      throw std::runtime_error("webdriver: screenshot is not valid base64");
    bits = (bits << 6) | static_cast<unsigned>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFF));
    }
  }
  return out;
}

std::string snippet(const std::string& s, std::size_t max) {
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

void close_from(int first) {
  if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0)
    return;
  for (int fd = first; fd < 65536; ++fd) // kernels before 5.9
    ::close(fd);
}

// The child between the test and chromedriver. It exists because chromedriver does not take
// Chromium down when it is killed: the guardian (a subreaper) kills chromedriver's whole process
// group and reaps everything once the test closes the lifeline pipe or dies, even by SIGKILL or
// abort. It runs between fork and exec in a maybe multi-threaded process: async-signal-safe calls only.
[[noreturn]] void guardian(int lifeline, int log_fd, char* const argv[], char* const envp[],
                           char* const rm_tmpdir[]) {
  ::setpgid(0, 0); // out of the test's group: a Ctrl-C to the test reaches us through the lifeline
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_IGN);  // the lifeline decides when we stop
  ::signal(SIGCHLD, SIG_DFL); // SIG_IGN (inherited) would make waitpid fail
  // Out of the way first, in case the test had closed one of 0..3 and a pipe end landed there.
  log_fd = ::fcntl(log_fd, F_DUPFD, 10);
  lifeline = ::fcntl(lifeline, F_DUPFD, 10);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0 && devnull != 0)
    ::dup2(devnull, 0);
  ::dup2(log_fd, 1);
  ::dup2(log_fd, 2);
  ::dup2(lifeline, 3);
  // Sockets the test holds (servers under test) must not stay open in chromedriver and Chromium.
  close_from(4);

  pid_t driver = ::fork();
  if (driver < 0)
    ::_exit(126);
  if (driver == 0) {
    ::setpgid(0, 0); // Chromium inherits this group, so it can be killed as one
    ::signal(SIGINT, SIG_DFL);
    close_from(3);
    ::execve(argv[0], argv, envp);
    ::_exit(127);
  }
  ::setpgid(driver, driver); // also here, so the group exists before we might kill it

  auto driver_exited = [driver] {
    siginfo_t info{};
    // WNOWAIT: a zombie keeps its pid, so the group id stays valid for the kill below.
    return ::waitid(P_PID, static_cast<id_t>(driver), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == driver;
  };
  for (;;) {
    pollfd p{3, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      char buf[16];
      ssize_t n = ::read(3, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        break; // lifeline closed: the test is done with us, or gone
    }
    if (driver_exited())
      break;
  }
  ::kill(driver, SIGTERM);
  for (int i = 0; i < 100 && !driver_exited(); ++i)
    ::poll(nullptr, 0, 20);
  if (!driver_exited()) {
    ::kill(driver, SIGKILL);
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(driver), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
  }
  ::kill(-driver, SIGKILL); // Chromium, if no session quit closed it
  int status = 0;
  while (::waitpid(driver, &status, 0) < 0 && errno == EINTR) {
  }
  // Chromium's processes (and its crashpad handlers, which leave on their own) were reparented to us.
  for (int i = 0; i < 100; ++i) {
    pid_t r = ::waitpid(-1, nullptr, WNOHANG);
    if (r < 0 && errno == ECHILD)
      break;
    if (r <= 0)
      ::poll(nullptr, 0, 20);
  }
  // The profile in our TMPDIR, also when the test died and cannot remove it itself.
  pid_t rm = ::fork();
  if (rm == 0) {
    ::execve(rm_tmpdir[0], rm_tmpdir, envp);
    ::_exit(127);
  }
  while (rm > 0 && ::waitpid(rm, nullptr, 0) < 0 && errno == EINTR) {
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

} // namespace

bool webdriver_available(std::string* why_not) {
  std::string missing;
  if (find_chromedriver().empty())
    missing = "chromedriver not found on PATH or in /usr/bin (Debian: apt-get install chromium-driver)";
  else if (find_chromium().empty())
    missing = "chromium not found on PATH or in /usr/bin (Debian: apt-get install chromium)";
  if (why_not)
    *why_not = missing;
  return missing.empty();
}

json webdriver::element_ref(const std::string& element) {
  return json{{element_key, element}};
}

webdriver::webdriver(const std::filesystem::path& workdir, int width, int height)
    : workdir_(workdir), log_path_(workdir / "chromedriver.log") {
  std::string why;
  if (!webdriver_available(&why))
    throw std::runtime_error("webdriver: " + why);
  chromium_ = find_chromium();
  std::filesystem::create_directories(workdir_);
  curl_ = curl_easy_init();
  if (!curl_)
    throw std::runtime_error("webdriver: curl_easy_init failed");
  try {
    start_driver();
    json args = {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 // Only loopback is reachable here: keep Chromium from trying anything else.
                 "--no-proxy-server", "--disable-background-networking", "--disable-component-update",
                 "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                 "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
    json caps = {
        {"browserName", "chrome"},
        {"goog:chromeOptions", {{"binary", chromium_}, {"args", args}}},
        {"goog:loggingPrefs", {{"browser", "ALL"}}},
        // Below our curl timeouts, so a slow page or script is a WebDriver error, not a hung call.
        {"timeouts", {{"pageLoad", navigation_timeout_ms - 5000}, {"script", default_timeout_ms - 2000}}}};
    json value = call("POST", "/session", {{"capabilities", {{"alwaysMatch", caps}}}}, session_timeout_ms);
    session_ = value.value("sessionId", "");
    if (session_.empty())
      throw std::runtime_error("webdriver: new session reply has no sessionId: " +
                               snippet(value.dump(), 500));
  } catch (const std::exception& e) {
    std::string message = e.what();
    stop_driver();
    curl_easy_cleanup(static_cast<CURL*>(curl_));
    curl_ = nullptr;
    throw std::runtime_error(message + "\nchromedriver log (" + log_path_.string() + ") tail:\n" +
                             log_tail(log_start_));
  }
}

webdriver::~webdriver() {
  stop_driver();
  if (curl_)
    curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void webdriver::start_driver() {
  std::string driver = find_chromedriver();
  // O_APPEND keeps earlier runs in a reused workdir; log_start_ marks where ours begins.
  int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    throw std::runtime_error("webdriver: cannot open " + log_path_.string() + ": " + std::strerror(errno));
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } close_log{log_fd};
  log_start_ = static_cast<std::size_t>(::lseek(log_fd, 0, SEEK_END)); // this instance's part of the log

  std::string last_problem;
  // A picked port can be taken before chromedriver binds it; a few tries make that harmless.
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    auto log_start = static_cast<std::size_t>(::lseek(log_fd, 0, SEEK_END));
    // No --allowed-ips: with it chromedriver listens on every interface and filters peers itself;
    // without it, it binds loopback only, which is all we use.
    // --enable-chrome-logs: Chromium's own stderr (why it would not start) goes to our log too.
    std::vector<std::string> argv_s = {driver, "--port=" + std::to_string(port_), "--enable-chrome-logs"};
    std::vector<char*> argv;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);

    // A private TMPDIR: chromedriver's profile and Chromium's singleton directory land there, and
    // Chromium leaves the latter behind even after a clean quit. Short, for Unix socket paths.
    // A new one per try, since the guardian removes it when its chromedriver ends.
    char tmpl[] = "/tmp/callscribe-webdriver-XXXXXX";
    if (!::mkdtemp(tmpl))
      throw std::runtime_error("webdriver: mkdtemp failed: " + std::string(std::strerror(errno)));
    tmpdir_ = tmpl;
    std::vector<std::string> env_s;
    for (char** e = environ; e && *e; ++e)
      if (std::strncmp(*e, "TMPDIR=", 7) != 0)
        env_s.emplace_back(*e);
    env_s.push_back("TMPDIR=" + tmpdir_.string());
    std::vector<char*> envp;
    for (auto& kv : env_s)
      envp.push_back(kv.data());
    envp.push_back(nullptr);
    std::string rm = "/bin/rm", rm_flags = "-rf", rm_end = "--", rm_dir = tmpdir_.string();
    std::vector<char*> rm_argv = {rm.data(), rm_flags.data(), rm_end.data(), rm_dir.data(), nullptr};

    int lifeline[2];
    if (::pipe2(lifeline, O_CLOEXEC) != 0)
      throw std::runtime_error("webdriver: pipe failed: " + std::string(std::strerror(errno)));
    pid_t pid = ::fork();
    if (pid < 0) {
      ::close(lifeline[0]);
      ::close(lifeline[1]);
      throw std::runtime_error("webdriver: fork failed: " + std::string(std::strerror(errno)));
    }
    if (pid == 0) {
      ::close(lifeline[1]); // the read end must see EOF once we are gone
      guardian(lifeline[0], log_fd, argv.data(), envp.data(), rm_argv.data());
    }
    ::close(lifeline[0]);
    pid_ = pid;
    lifeline_ = lifeline[1];

    const std::string status_url = "http://127.0.0.1:" + std::to_string(port_) + "/status";
    auto end = std::chrono::steady_clock::now() + 15s;
    bool exited = false;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        // The guardian exits with chromedriver's status (128 + signal when killed).
        exited = true;
        pid_ = -1;
        ::close(lifeline_);
        lifeline_ = -1;
        last_problem = "chromedriver exited during startup with status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        break;
      }
      reply r = http(static_cast<CURL*>(curl_), "GET", status_url, nullptr, 1000);
      if (r.rc == CURLE_OK && r.status == 200) {
        try {
          if (json::parse(r.body).at("value").value("ready", false))
            return;
          last_problem = "chromedriver /status says not ready: " + snippet(r.body, 300);
        } catch (const std::exception&) {
          last_problem = "chromedriver /status is not JSON: " + snippet(r.body, 300);
        }
      } else {
        last_problem =
            r.rc != CURLE_OK ? "GET /status: " + r.error : "GET /status: HTTP " + std::to_string(r.status);
      }
      std::this_thread::sleep_for(100ms);
    }
    if (!exited) {
      stop_driver();
      last_problem += " after 15 s";
      break; // alive but never ready: another port will not help
    }
    std::string said = log_tail(log_start);
    if (said.find("Address already in use") == std::string::npos &&
        said.find("port not available") == std::string::npos)
      break; // only a port taken under our feet is worth another try
  }
  throw std::runtime_error("webdriver: chromedriver did not start on 127.0.0.1:" + std::to_string(port_) +
                           ": " + last_problem);
}

void webdriver::stop_driver() noexcept {
  if (pid_ > 0) {
    try {
      if (!session_.empty() && curl_) {
        // Closes Chromium properly; killing chromedriver alone would leave the browser running.
        http(static_cast<CURL*>(curl_), "DELETE",
             "http://127.0.0.1:" + std::to_string(port_) + "/session/" + session_, nullptr,
             default_timeout_ms);
      }
    } catch (...) {
    }
    session_.clear();
    ::close(lifeline_); // the guardian now stops chromedriver and whatever it left behind
    lifeline_ = -1;
    int status = 0;
    bool reaped = false;
    // The guardian needs at most ~4 s (2 s for chromedriver, 2 s to reap stragglers).
    for (int i = 0; i < 300 && !reaped; ++i) {
      reaped = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!reaped)
        std::this_thread::sleep_for(20ms);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }
  if (!tmpdir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(tmpdir_, ignored);
    tmpdir_.clear();
  }
}

std::string webdriver::log_tail(std::size_t from) const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  from = std::max(from, text.size() > 3000 ? text.size() - 3000 : 0);
  return from < text.size() ? text.substr(from) : std::string();
}

json webdriver::call(const std::string& method, const std::string& path, const json& body, long timeout_ms) {
  if (pid_ <= 0)
    throw std::runtime_error("webdriver: " + method + " " + path + ": chromedriver is not running");
  std::string payload = body.is_null() ? "{}" : body.dump();
  std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
  reply r = http(static_cast<CURL*>(curl_), method, url, method == "POST" ? &payload : nullptr, timeout_ms);
  std::string what = "webdriver: " + method + " " + path;
  if (r.rc != CURLE_OK) // e.g. chromedriver died: its log says why
    throw std::runtime_error(what + ": " + r.error + " (chromedriver log: " + log_path_.string() + ")");
  json reply_json;
  try {
    reply_json = json::parse(r.body);
  } catch (const std::exception&) {
    throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) +
                             ", not JSON: " + snippet(r.body, 500));
  }
  json value = reply_json.contains("value") ? reply_json["value"] : json();
  if (value.is_object() && value.contains("error")) {
    throw std::runtime_error(what + ": " + value.value("error", std::string()) + ": " +
                             value.value("message", std::string()));
  }
  if (r.status != 200)
    throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + ": " + snippet(r.body, 500));
  return value;
}

void webdriver::navigate(const std::string& url) {
  call("POST", session_path("/url"), {{"url", url}}, navigation_timeout_ms);
}

std::string webdriver::current_url() {
  return call("GET", session_path("/url")).get<std::string>();
}

json webdriver::execute(const std::string& script, const json& args) {
  return call("POST", session_path("/execute/sync"),
              {{"script", script}, {"args", args.is_array() ? args : json::array({args})}});
}

std::vector<std::string> webdriver::find_all(const std::string& css) {
  json value = call("POST", session_path("/elements"), {{"using", "css selector"}, {"value", css}});
  std::vector<std::string> out;
  for (const auto& e : value)
    out.push_back(e.at(element_key).get<std::string>());
  return out;
}

std::string webdriver::find(const std::string& css) {
  auto all = find_all(css);
  if (all.empty())
    throw std::runtime_error("webdriver: no element matches '" + css + "' on " + current_url());
  return all.front();
}

void webdriver::click(const std::string& element) {
  call("POST", session_path("/element/" + element + "/click"), json::object());
}

void webdriver::type(const std::string& element, const std::string& text) {
  call("POST", session_path("/element/" + element + "/value"), {{"text", text}});
}

std::string webdriver::text(const std::string& element) {
  return call("GET", session_path("/element/" + element + "/text")).get<std::string>();
}

std::string webdriver::attribute(const std::string& element, const std::string& name) {
  json value = call("GET", session_path("/element/" + element + "/attribute/" + name));
  if (value.is_null())
    return {};
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string webdriver::property(const std::string& element, const std::string& name) {
  json value = call("GET", session_path("/element/" + element + "/property/" + name));
  if (value.is_null())
    return {};
  return value.is_string() ? value.get<std::string>() : value.dump(); // e.g. "true" for checked
}

std::string webdriver::wait_for(const std::string& css, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  std::string last_error;
  for (;;) {
    try {
      auto all = find_all(css);
      if (!all.empty())
        return all.front();
    } catch (const std::exception& e) {
      last_error = e.what(); // e.g. mid-navigation; keep polling until the limit
    }
    if (std::chrono::steady_clock::now() >= end)
      break;
    std::this_thread::sleep_for(100ms);
  }
  std::string url, body;
  try {
    url = current_url();
    json t = execute("return document.body ? document.body.innerText : '';");
    body = t.is_string() ? t.get<std::string>() : t.dump();
  } catch (const std::exception& e) {
    body = std::string("(page text unavailable: ") + e.what() + ")";
  }
  std::string message = "webdriver: nothing matched '" + css + "' within " + std::to_string(limit.count()) +
                        " ms on " + url + "; page text: " + snippet(body, 800);
  if (!last_error.empty())
    message += "; last error: " + last_error;
  throw std::runtime_error(message);
}

void webdriver::screenshot(const std::filesystem::path& png) {
  std::string bytes = base64_decode(call("GET", session_path("/screenshot")).get<std::string>());
  if (png.has_parent_path())
    std::filesystem::create_directories(png.parent_path());
  std::ofstream out(png, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("webdriver: cannot write " + png.string());
}

std::vector<std::string> webdriver::console_errors() {
  json entries;
  try {
    // Not W3C: chromedriver keeps the legacy log endpoint under Selenium's /se/ prefix.
    entries = call("POST", session_path("/se/log"), {{"type", "browser"}});
  } catch (const std::exception&) {
    return {};
  }
  std::vector<std::string> out;
  if (!entries.is_array())
    return out;
  for (const auto& e : entries) {
    if (e.value("level", std::string()) == "SEVERE")
      out.push_back(e.value("message", std::string()));
  }
  return out;
}

} // namespace callscribe::testing
