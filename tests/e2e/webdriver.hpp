// A small W3C WebDriver client for the browser tests: chromedriver runs as a
// child process on a free loopback port and drives a headless Chromium. Only
// what the tests need; every call is synchronous and bounded by a timeout.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace callscribe::testing {

// True when chromedriver and a Chromium are on PATH (or in /usr/bin). When
// false, *why_not (if given) says what is missing, so a test can skip with a reason.
bool webdriver_available(std::string* why_not = nullptr);

// One chromedriver process with one browser session. Not thread-safe: use it
// from one thread at a time. chromedriver runs under a small guardian child
// that also cleans up after a test that crashes or is killed.
class webdriver {
public:
  // Starts chromedriver (its output goes to workdir/chromedriver.log), waits up
  // to ~15 s for it to be ready, then opens a headless Chromium session with a
  // width x height window. The page's viewport is as wide but shorter (headless
  // Chromium keeps room for its toolbars: 1024x700 gives 1024x557), and so are
  // screenshots. Throws std::runtime_error with the log's tail on failure.
  explicit webdriver(const std::filesystem::path& workdir, int width = 1280, int height = 900);
  ~webdriver(); // deletes the session, SIGTERMs chromedriver (SIGKILL after 2 s), reaps it
  webdriver(const webdriver&) = delete;
  webdriver& operator=(const webdriver&) = delete;

  void navigate(const std::string& url); // waits for the page load, at most ~30 s
  std::string current_url();

  // Runs `script` as a function body (WebDriver "execute/sync"; use `return`
  // and `arguments[i]`) and returns its JSON result (null for undefined).
  // `args` is an array, or a single value; elements pass in as element_ref(id).
  nlohmann::json execute(const std::string& script, const nlohmann::json& args = nlohmann::json::array());
  static nlohmann::json element_ref(const std::string& element);

  // Element ids (WebDriver element references) by CSS selector.
  std::vector<std::string> find_all(const std::string& css); // may be empty
  std::string find(const std::string& css);                  // throws if none matches
  void click(const std::string& element);
  void type(const std::string& element, const std::string& text);
  std::string text(const std::string& element); // rendered text, as a user sees it
  // The HTML attribute as written in the markup; empty when absent. For live state such
  // as what was typed into an input, ask for the DOM property ("value", "checked").
  std::string attribute(const std::string& element, const std::string& name);
  std::string property(const std::string& element, const std::string& name); // non-strings as JSON text

  // Polls every 100 ms until `css` matches an element and returns the first one;
  // throws after `limit` with the current URL and the start of the page's text.
  std::string wait_for(const std::string& css, std::chrono::milliseconds limit = std::chrono::seconds(15));

  void screenshot(const std::filesystem::path& png); // the viewport, as PNG

  // SEVERE browser log entries (console.error, uncaught exceptions, failed
  // loads) since the previous call: chromedriver hands each entry out once.
  // Empty when the driver does not support the log endpoint.
  std::vector<std::string> console_errors();

  std::filesystem::path log_path() const { return log_path_; }

private:
  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr, long timeout_ms = 10000);
  std::string session_path(const std::string& tail) const { return "/session/" + session_ + tail; }
  void start_driver();
  void stop_driver() noexcept;
  std::string log_tail(std::size_t from = 0) const; // at most the last 3000 bytes

  std::filesystem::path workdir_, log_path_;
  std::string chromium_;
  std::filesystem::path tmpdir_; // chromedriver's and Chromium's TMPDIR, removed at the end
  void* curl_ = nullptr;         // CURL*, kept for keep-alive between calls
  std::size_t log_start_ = 0;    // where this instance's lines begin in a reused log
  pid_t pid_ = -1;               // the guardian, parent of chromedriver
  int lifeline_ = -1;            // closing it tells the guardian to stop chromedriver
  int port_ = 0;
  std::string session_;
};

} // namespace callscribe::testing
