// The `command` engine: each channel goes to a configured program as a 16 kHz WAV
// file; what the program prints is the transcript. The program runs without a
// shell, in its own process group, so a timeout can end it and all it started.
#include "speech/command_engine.hpp"

#include <sndfile.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace callscribe::speech {

namespace {

constexpr int engine_rate = 16000;
// Of the program's stderr, the end (where the reason usually is) goes in errors.
constexpr std::size_t stderr_tail_bytes = 500;
// whisper.cpp reads about 224 tokens of prompt; far past that, one argument could
// also pass Linux's 128 KiB limit. Whole phrases are dropped from the end.
constexpr std::size_t max_prompt_bytes = 1024;

bool has_file_placeholder(const std::vector<std::string>& argv) {
  return std::any_of(argv.begin(), argv.end(),
                     [](const std::string& a) { return a.find("{file}") != std::string::npos; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// stderr for an error message: one line, and starting on a whole UTF-8 character.
std::string one_line_tail(const std::string& err) {
  std::size_t from = err.size() > stderr_tail_bytes ? err.size() - stderr_tail_bytes : 0;
  while (from < err.size() && (static_cast<unsigned char>(err[from]) & 0xC0) == 0x80)
    ++from;
  std::string line;
  for (std::size_t i = from; i < err.size(); ++i) {
    const auto c = static_cast<unsigned char>(err[i]);
    if (c < 0x20 || c == 0x7f) {
      if (!line.empty() && line.back() != ' ')
        line += ' ';
    } else {
      line += err[i];
    }
  }
  return std::string(trim(line));
}

class unique_fd {
public:
  explicit unique_fd(int fd = -1) : fd_(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
};

// The channel as a 16 kHz mono 16-bit WAV in $TMPDIR (or /tmp), removed when done.
class temporary_wav {
public:
  explicit temporary_wav(const std::vector<std::int16_t>& samples) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string name =
        (tmpdir && *tmpdir ? std::string(tmpdir) : std::string("/tmp")) + "/callscribe-XXXXXX.wav";
    // whisper.cpp and others tell formats by the extension: keep ".wav".
    unique_fd fd{::mkostemps(name.data(), 4, O_CLOEXEC)};
    if (fd.get() < 0)
      throw std::runtime_error("cannot create a temporary audio file in " + name.substr(0, name.rfind('/')) +
                               ": " + std::strerror(errno));
    path_ = name;
    SF_INFO info{};
    info.samplerate = engine_rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* f = sf_open_fd(fd.get(), SFM_WRITE, &info, SF_FALSE);
    if (!f)
      throw std::runtime_error("cannot write " + path_ + ": " + sf_strerror(nullptr));
    const sf_count_t written = sf_write_short(f, samples.data(), static_cast<sf_count_t>(samples.size()));
    const int closed = sf_close(f);
    if (written != static_cast<sf_count_t>(samples.size()) || closed != 0)
      throw std::runtime_error("cannot write " + path_ + " (disk full?)");
  }
  temporary_wav(const temporary_wav&) = delete;
  temporary_wav& operator=(const temporary_wav&) = delete;
  ~temporary_wav() {
    if (!path_.empty())
      ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

// Every placeholder replaced in one pass, so a phrase holding "{file}" stays text.
std::string substitute(const std::string& arg, const std::string& file, const std::string& language,
                       const std::string& prompt) {
  static const std::pair<std::string_view, int> names[] = {{"{file}", 0}, {"{language}", 1}, {"{prompt}", 2}};
  std::string out;
  for (std::size_t i = 0; i < arg.size();) {
    bool replaced = false;
    for (const auto& [name, which] : names)
      if (arg.compare(i, name.size(), name) == 0) {
        out += which == 0 ? file : which == 1 ? language : prompt;
        i += name.size();
        replaced = true;
        break;
      }
    if (!replaced)
      out += arg[i++];
  }
  return out;
}

std::string prompt_of(const std::vector<std::string>& phrases) {
  std::string prompt;
  for (const auto& p : phrases) {
    if (p.empty())
      continue;
    const std::size_t grown = prompt.size() + (prompt.empty() ? 0 : 2) + p.size();
    if (grown > max_prompt_bytes)
      break;
    if (!prompt.empty())
      prompt += ", ";
    prompt += p;
  }
  return prompt;
}

struct finished_program {
  int status = 0; // as from waitpid
  std::string out;
  std::string err;
};

// The child and everything it started share its process group: whatever path
// leaves run_program, the group is killed and the child reaped.
class child_group {
public:
  explicit child_group(pid_t pid) : pid_(pid) {}
  child_group(const child_group&) = delete;
  child_group& operator=(const child_group&) = delete;
  ~child_group() {
    if (!reaped_) {
      ::kill(-pid_, SIGKILL);
      reap();
    }
  }

  // True once the child has exited; it stays a zombie, so its pid (and the group
  // id) cannot be reused before reap().
  bool exited() {
    if (exited_)
      return true;
    siginfo_t info{};
    const int r = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid_) {
      exited_ = true;
      // Whatever it left running in the background goes with it.
      ::kill(-pid_, SIGKILL);
    } else if (r < 0 && errno == ECHILD) {
      // Reaped behind our back (SIGCHLD ignored): its pid is no longer ours to signal.
      exited_ = reaped_ = true;
    }
    return exited_;
  }

  int reap() {
    int status = 0;
    if (reaped_)
      return status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

private:
  pid_t pid_;
  bool exited_ = false;
  bool reaped_ = false;
};

finished_program run_program(const std::vector<std::string>& args, std::chrono::seconds timeout,
                             std::size_t max_output_bytes) {
  const std::string& program = args.front();
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  unique_fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  unique_fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

  // posix_spawn rather than fork + execvp: the server is multi-threaded, and glibc's
  // spawn does in the child only what is safe there, and reports exec's errno.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  // Sockets and database files of the server that lack O_CLOEXEC stay ours.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (setpgid(0, 0) in the child), so kill(-pid) reaches
  // every process it starts; default signal handling and an empty mask,
  // whatever the server's threads had.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(&attr, &mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2})
    sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0)
    throw std::runtime_error("cannot run " + program + ": " + std::strerror(spawned));
  child_group child{pid};
  out_write.reset();
  err_write.reset();
  ::fcntl(out_read.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err_read.get(), F_SETFL, O_NONBLOCK);

  finished_program result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  for (;;) {
    const bool exited = child.exited();
    const bool reading = out_read.get() >= 0 || err_read.get() >= 0;
    if (exited && !reading)
      break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (exited) // a process outside the group still holds the pipe: keep what came
        break;
      throw std::runtime_error(program + " timed out after " + std::to_string(timeout.count()) + " s");
    }
    // Output wakes poll at once; an exit is noticed within the short wait.
    const int wait_ms = static_cast<int>(std::min<long long>(left.count(), reading && !exited ? 50 : 5));
    pollfd fds[2];
    nfds_t n = 0;
    for (int fd : {out_read.get(), err_read.get()})
      if (fd >= 0)
        fds[n++] = {fd, POLLIN, 0};
    if (::poll(fds, n, wait_ms) < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0)
        continue;
      const bool is_out = fds[i].fd == out_read.get();
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (got <= 0) {
        (is_out ? out_read : err_read).reset();
        continue;
      }
      if (is_out) {
        if (result.out.size() + static_cast<std::size_t>(got) > max_output_bytes)
          throw std::runtime_error(program + " wrote more than " + std::to_string(max_output_bytes) +
                                   " bytes to its standard output");
        result.out.append(buffer, static_cast<std::size_t>(got));
      } else {
        result.err.append(buffer, static_cast<std::size_t>(got));
        if (result.err.size() > 8 * stderr_tail_bytes)
          result.err.erase(0, result.err.size() - 2 * stderr_tail_bytes);
      }
    }
  }
  result.status = child.reap();
  return result;
}

// "00:01:02.500" or "01:02.500" → seconds; advances s past it.
std::optional<double> timestamp(std::string_view& s) {
  double total = 0;
  int fields = 0;
  for (;;) {
    std::size_t n = 0;
    long value = 0;
    while (n < s.size() && n < 9 && std::isdigit(static_cast<unsigned char>(s[n])))
      value = value * 10 + (s[n++] - '0');
    if (n == 0)
      return std::nullopt;
    s.remove_prefix(n);
    total = total * 60 + static_cast<double>(value);
    ++fields;
    if (fields < 3 && !s.empty() && s.front() == ':') {
      s.remove_prefix(1);
      continue;
    }
    break;
  }
  if (fields < 2)
    return std::nullopt;
  if (!s.empty() && (s.front() == '.' || s.front() == ',')) {
    s.remove_prefix(1);
    double scale = 0.1;
    std::size_t n = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) {
      total += (s[n++] - '0') * scale;
      scale /= 10;
    }
    if (n == 0)
      return std::nullopt;
    s.remove_prefix(n);
  }
  return total;
}

bool skip(std::string_view& s, std::string_view what) {
  if (s.substr(0, what.size()) != what)
    return false;
  s.remove_prefix(what.size());
  return true;
}

// whisper.cpp's "[00:00:00.000 --> 00:00:02.000]  text".
std::optional<segment> timed_line(std::string_view line) {
  line = trim(line);
  if (!skip(line, "["))
    return std::nullopt;
  const auto start = timestamp(line);
  line = trim(line);
  if (!start || !skip(line, "-->"))
    return std::nullopt;
  line = trim(line);
  const auto end = timestamp(line);
  if (!end || !skip(line, "]"))
    return std::nullopt;
  return segment{*start, *end, std::string(trim(line))};
}

// whisper's marks for what is not speech: "[BLANK_AUDIO]", "[Music]", "(wind blowing)".
bool non_speech(std::string_view text) {
  return text.size() >= 2 &&
         ((text.front() == '[' && text.back() == ']') || (text.front() == '(' && text.back() == ')'));
}

channel_transcript parse_output(const std::string& out) {
  std::vector<std::string_view> lines;
  std::string_view rest = out;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  channel_transcript t;
  bool timed = false;
  for (auto line : lines)
    if (auto s = timed_line(line)) {
      timed = true;
      if (!s->text.empty() && !non_speech(s->text))
        t.segments.push_back(std::move(*s));
    }
  // One line per channel: the whole transcript labels channels line by line.
  auto append = [&t](std::string_view words) {
    if (!t.text.empty())
      t.text += ' ';
    t.text += words;
  };
  if (timed) {
    for (const auto& s : t.segments)
      append(s.text);
  } else {
    for (auto line : lines)
      if (auto words = trim(line); !words.empty() && !non_speech(words))
        append(words);
  }
  return t;
}

class command_engine : public speech_engine {
public:
  explicit command_engine(command_options o) : o_(std::move(o)) {}

  std::string name() const override { return "command"; }
  int sample_rate() const override { return engine_rate; }

  channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                      const recognition_hints& hints) override {
    if (silent(samples, engine_rate))
      return {};
    const temporary_wav wav(samples);
    const std::string& language = hints.language.empty() ? o_.language : hints.language;
    const std::string prompt = prompt_of(hints.phrases);
    std::vector<std::string> args;
    for (const auto& a : o_.argv)
      args.push_back(substitute(a, wav.path(), language, prompt));
    const finished_program done = run_program(args, o_.timeout, o_.max_output_bytes);
    if (WIFSIGNALED(done.status) || (WIFEXITED(done.status) && WEXITSTATUS(done.status) != 0)) {
      const std::string tail = one_line_tail(done.err);
      throw std::runtime_error(args.front() +
                               (WIFSIGNALED(done.status)
                                    ? " was killed by signal " + std::to_string(WTERMSIG(done.status))
                                    : " exited with status " + std::to_string(WEXITSTATUS(done.status))) +
                               (tail.empty() ? "" : ": " + tail));
    }
    return parse_output(done.out);
  }

private:
  command_options o_;
};

} // namespace

std::vector<std::string> split_command(const std::string& command_line) {
  std::vector<std::string> args;
  std::string current;
  bool in_word = false;
  for (std::size_t i = 0; i < command_line.size(); ++i) {
    const char c = command_line[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word)
        args.push_back(std::move(current));
      current.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == command_line.size())
        throw std::invalid_argument("the command ends with a backslash: " + command_line);
      current += command_line[i];
    } else if (c == '\'') {
      const std::size_t close = command_line.find('\'', i + 1);
      if (close == std::string::npos)
        throw std::invalid_argument("unterminated ' in the command: " + command_line);
      current.append(command_line, i + 1, close - i - 1);
      i = close;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i == command_line.size())
          throw std::invalid_argument("unterminated \" in the command: " + command_line);
        const char d = command_line[i];
        if (d == '"')
          break;
        if (d == '\\' && i + 1 < command_line.size() &&
            (command_line[i + 1] == '"' || command_line[i + 1] == '\\'))
          ++i;
        current += command_line[i];
      }
    } else {
      current += c;
    }
  }
  if (in_word)
    args.push_back(std::move(current));
  if (args.empty())
    throw std::invalid_argument("the command is empty");
  if (!has_file_placeholder(args))
    throw std::invalid_argument("the command has no {file} for the audio: " + command_line);
  return args;
}

std::unique_ptr<speech_engine> make_command_engine(const command_options& o) {
  if (o.argv.empty() || o.argv.front().empty())
    throw std::invalid_argument("the command engine has no program to run");
  if (!has_file_placeholder(o.argv))
    throw std::invalid_argument("the command for the speech engine has no {file} for the audio");
  if (o.timeout.count() <= 0)
    throw std::invalid_argument("the command engine's timeout must be positive");
  return std::make_unique<command_engine>(o);
}

} // namespace callscribe::speech
