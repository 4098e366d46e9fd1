// The `command` engine against small shell scripts written at test time: what it
// passes, what it reads back, and how it ends a program that fails or never ends.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "speech/command_engine.hpp"
#include "tests/speech/recordings.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

using namespace callscribe::speech;
using namespace callscribe::speech::test;
namespace data = boost::unit_test::data;
using namespace std::chrono_literals;

namespace {

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// An executable /bin/sh script in the scratch folder.
std::string script(const std::string& name, const std::string& body) {
  const std::string path = scratch_file(name);
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

// A second of a quiet 440 Hz tone at 16 kHz: not silence.
std::vector<std::int16_t> one_second(std::size_t samples = 16000) {
  std::vector<std::int16_t> s(samples);
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<std::int16_t>(3000 * std::sin(2 * M_PI * 440 * static_cast<double>(i) / 16000));
  return s;
}

std::unique_ptr<speech_engine> engine_for(std::vector<std::string> argv, std::chrono::seconds timeout = 10s,
                                          std::string language = "en") {
  command_options o;
  o.argv = std::move(argv);
  o.timeout = timeout;
  o.language = std::move(language);
  return make_command_engine(o);
}

// The message of the runtime_error that f throws ("" if none).
template <typename F> std::string failure_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    return e.what();
  }
  BOOST_ERROR("no exception");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Gone, or dead and waiting for a parent (in a container PID 1 may never reap).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat)
    return true;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

pid_t pid_in(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

} // namespace

BOOST_AUTO_TEST_SUITE(command_engine)

BOOST_AUTO_TEST_CASE(stdout_is_the_text) {
  const auto engine =
      engine_for({script("echo.sh", "echo '  I need a locksmith in Boston  '\necho"), "{file}"});
  BOOST_TEST(engine->name() == "command");
  BOOST_TEST(engine->sample_rate() == 16000);
  const channel_transcript t = engine->transcribe_pcm16(one_second(), {});
  BOOST_TEST(t.text == "I need a locksmith in Boston");
  BOOST_TEST(t.segments.empty());
}

// The file is a real 16 kHz mono 16-bit WAV of the samples given; each placeholder
// is replaced inside its argument, and nothing is seen by a shell.
BOOST_AUTO_TEST_CASE(arguments_and_the_file) {
  const auto engine = engine_for(
      {script("args.sh", "for a in \"$@\"; do echo \"arg:$a\"; done\n"
                         "f=\"$2\"\n"
                         "echo \"rate:$(soxi -r \"$f\")\"\necho \"channels:$(soxi -c \"$f\")\"\n"
                         "echo \"bits:$(soxi -b \"$f\")\"\necho \"samples:$(soxi -s \"$f\")\""),
       "-f", "{file}", "--language={language}", "--prompt", "{prompt}", "$HOME; rm -rf /tmp/x", "{nothing}"},
      10s, "he");
  recognition_hints hints{"", {"locksmith", "lock out", "Boston"}};
  // Plain output comes back as one line: each "arg:" is one argument as received.
  const std::string text = engine->transcribe_pcm16(one_second(24000), hints).text;
  BOOST_TEST_MESSAGE(text);
  const std::string tmp = [] {
    const char* d = std::getenv("TMPDIR");
    return std::string(d && *d ? d : "/tmp");
  }();
  BOOST_TEST(contains(text, "arg:-f arg:" + tmp + "/callscribe-"));
  BOOST_TEST(contains(text, ".wav arg:--language=he arg:--prompt arg:locksmith, lock out, Boston "
                            "arg:$HOME; rm -rf /tmp/x arg:{nothing}"));
  BOOST_TEST(contains(text, "rate:16000 channels:1 bits:16 samples:24000"));

  // The hints' language wins over the default.
  const std::string english = engine->transcribe_pcm16(one_second(), {"en", {}}).text;
  BOOST_TEST(contains(english, "arg:--language=en arg:--prompt arg: arg:$HOME"));
}

BOOST_AUTO_TEST_CASE(the_file_is_removed_after_success_and_failure) {
  const std::string dir = scratch_file("tmpdir");
  std::filesystem::create_directories(dir);
  const char* before = std::getenv("TMPDIR");
  const std::string saved = before ? before : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  const auto ok = engine_for({script("path.sh", "echo \"$1\""), "{file}"});
  const std::string path = ok->transcribe_pcm16(one_second(), {}).text;
  BOOST_TEST(path.rfind(dir + "/callscribe-", 0) == 0u, path);
  BOOST_TEST(!std::filesystem::exists(path));

  const auto failing = engine_for({script("path-fails.sh", "echo \"$1\" >&2; exit 1"), "{file}"});
  const std::string message = failure_of([&] { failing->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(std::filesystem::is_empty(dir), message);
  if (before)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
}

BOOST_AUTO_TEST_CASE(whisper_timestamps_become_segments) {
  const auto engine =
      engine_for({script("whisper.sh", "echo\n"
                                       "echo '[00:00:00.000 --> 00:00:02.000]   I need a locksmith'\n"
                                       "echo '[00:00:02.000 --> 00:00:03.500]  [BLANK_AUDIO]'\n"
                                       "echo '[00:00:03.500 --> 00:01:04.250]   in Boston, please.'\n"
                                       "echo '[01:00:00.000 --> 01:00:01.000]   לפני שעה'"),
                  "{file}"});
  const channel_transcript t = engine->transcribe_pcm16(one_second(), {});
  BOOST_TEST(t.text == "I need a locksmith in Boston, please. לפני שעה");
  BOOST_REQUIRE(t.segments.size() == 3u);
  BOOST_TEST(t.segments[0].start == 0.0);
  BOOST_TEST(t.segments[0].end == 2.0);
  BOOST_TEST(t.segments[0].text == "I need a locksmith");
  BOOST_TEST(t.segments[1].start == 3.5);
  BOOST_TEST(t.segments[1].end == 64.25, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(t.segments[2].start == 3600.0);
}

BOOST_AUTO_TEST_CASE(plain_lines_are_joined_and_marks_dropped) {
  const auto engine = engine_for(
      {script("lines.sh", "echo ' I need a plumber'\necho '[BLANK_AUDIO]'\necho ' in Houston '"), "{file}"});
  BOOST_TEST(engine->transcribe_pcm16(one_second(), {}).text == "I need a plumber in Houston");
}

BOOST_AUTO_TEST_CASE(a_hanging_program_is_killed_at_the_timeout) {
  const auto engine = engine_for({script("hang.sh", "sleep 30"), "{file}"}, 1s);
  const auto started = std::chrono::steady_clock::now();
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "timed out after 1 s"), message);
  BOOST_TEST(seconds_since(started) < 3.0);
}

// The program's children are in its process group, so the kill reaches them too.
BOOST_AUTO_TEST_CASE(the_timeout_kills_what_the_program_started) {
  const std::string pidfile = scratch_file("background.pid");
  const auto engine =
      engine_for({script("spawns.sh", "sleep 60 &\necho $! > '" + pidfile + "'\nwait"), "{file}"}, 1s);
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "timed out"), message);
  const pid_t child = pid_in(pidfile);
  BOOST_REQUIRE(child > 0);
  BOOST_TEST(gone_within(child, 2000ms), "pid " << child << " still running");
}

// A program that exits at once but leaves something running (holding stdout, even):
// the text comes back at once, and what it left is ended.
BOOST_AUTO_TEST_CASE(what_a_finished_program_leaves_behind_is_ended) {
  const std::string pidfile = scratch_file("left-behind.pid");
  const auto engine =
      engine_for({script("leaves.sh", "sleep 60 &\necho $! > '" + pidfile + "'\necho done"), "{file}"}, 20s);
  const auto started = std::chrono::steady_clock::now();
  BOOST_TEST(engine->transcribe_pcm16(one_second(), {}).text == "done");
  BOOST_TEST(seconds_since(started) < 5.0);
  const pid_t child = pid_in(pidfile);
  BOOST_REQUIRE(child > 0);
  BOOST_TEST(gone_within(child, 2000ms), "pid " << child << " still running");
}

BOOST_AUTO_TEST_CASE(a_failing_program_reports_status_and_stderr) {
  const auto engine = engine_for(
      {script("fails.sh", "echo 'loading model' >&2\necho 'error: model not found' >&2\nexit 3"), "{file}"});
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "exited with status 3"), message);
  BOOST_TEST(contains(message, "loading model error: model not found"), message);
  BOOST_TEST(!contains(message, "\n"));
}

BOOST_AUTO_TEST_CASE(only_the_end_of_a_long_stderr_is_kept) {
  const auto engine = engine_for(
      {script("chatty.sh", "i=0\nwhile [ $i -lt 500 ]; do echo \"progress $i\" >&2; i=$((i+1)); done\n"
                           "echo 'the real reason' >&2\nexit 1"),
       "{file}"});
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "the real reason"));
  BOOST_TEST(!contains(message, "progress 1 "));
  BOOST_TEST(message.size() < 700u);
}

BOOST_AUTO_TEST_CASE(a_killed_program_is_an_error) {
  const auto engine = engine_for({script("killed.sh", "kill -9 $$"), "{file}"});
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "killed by signal 9"), message);
}

BOOST_AUTO_TEST_CASE(a_missing_program_is_named) {
  const auto engine = engine_for({"/nonexistent/whisper-cli", "{file}"});
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "cannot run /nonexistent/whisper-cli: No such file or directory"), message);
}

BOOST_AUTO_TEST_CASE(output_is_bounded) {
  command_options o;
  o.argv = {script("flood.sh", "yes 'lorem ipsum'"), "{file}"};
  o.max_output_bytes = 10000;
  const auto engine = make_command_engine(o);
  const auto started = std::chrono::steady_clock::now();
  const std::string message = failure_of([&] { engine->transcribe_pcm16(one_second(), {}); });
  BOOST_TEST(contains(message, "more than 10000 bytes"), message);
  BOOST_TEST(seconds_since(started) < 5.0);
}

// stdin is /dev/null: a program that reads it ends instead of waiting on ours.
BOOST_AUTO_TEST_CASE(stdin_is_empty) {
  const auto engine = engine_for({script("reads.sh", "cat\necho read"), "{file}"}, 5s);
  BOOST_TEST(engine->transcribe_pcm16(one_second(), {}).text == "read");
}

BOOST_AUTO_TEST_CASE(silence_runs_nothing) {
  const std::string marker = scratch_file("ran.marker");
  const auto engine = engine_for({script("marks.sh", "touch '" + marker + "'\necho words"), "{file}"});
  BOOST_TEST(engine->transcribe_pcm16(std::vector<std::int16_t>(16000, 0), {}).text.empty());
  BOOST_TEST(engine->transcribe_pcm16({}, {}).text.empty());
  BOOST_TEST(!std::filesystem::exists(marker));
  BOOST_TEST(engine->transcribe_pcm16(one_second(), {}).text == "words");
  BOOST_TEST(std::filesystem::exists(marker));
}

// Through transcribe(): an 8 kHz two-channel call reaches the program as two 16 kHz files.
BOOST_AUTO_TEST_CASE(a_dual_channel_call) {
  const auto engine =
      engine_for({script("count.sh", "echo \"$(soxi -r \"$1\") Hz, $(soxi -s \"$1\") samples\""), "{file}"});
  audio a{8000, {std::vector<float>(8000), std::vector<float>(8000)}};
  for (std::size_t i = 0; i < 8000; ++i)
    a.channels[0][i] = a.channels[1][i] = 0.2f * static_cast<float>(std::sin(i * 0.3));
  a.channels[1].resize(4000);
  const transcription t = transcribe(*engine, a);
  BOOST_TEST(t.engine == "command");
  BOOST_TEST(t.text == "Caller: 16000 Hz, 16000 samples\nBusiness: 16000 Hz, 8000 samples");
}

BOOST_AUTO_TEST_CASE(a_command_needs_a_program_and_the_file) {
  BOOST_CHECK_THROW(engine_for({}), std::invalid_argument);
  BOOST_CHECK_THROW(engine_for({"whisper-cli", "-f", "audio.wav"}), std::invalid_argument);
  BOOST_CHECK_THROW(engine_for({"whisper-cli", "{file}"}, 0s), std::invalid_argument);
  BOOST_CHECK_NO_THROW(engine_for({"whisper-cli", "--file={file}"}));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct split_case {
  std::string line;
  std::vector<std::string> args;
};

std::ostream& operator<<(std::ostream& out, const split_case& c) {
  return out << '[' << c.line << ']';
}

const std::vector<split_case> splits{
    {"whisper-cli -f {file}", {"whisper-cli", "-f", "{file}"}},
    {"  whisper-cli\t-m  /m/ggml.bin \n -f {file}  ", {"whisper-cli", "-m", "/m/ggml.bin", "-f", "{file}"}},
    {"'/opt/my models/run' {file}", {"/opt/my models/run", "{file}"}},
    {"run \"--prompt={prompt}\" {file}", {"run", "--prompt={prompt}", "{file}"}},
    {"run --x='a b'\"c d\"e {file}", {"run", "--x=a bc de", "{file}"}},
    {R"(run a\ b {file})", {"run", "a b", "{file}"}},
    {R"(run "say \"hi\" \\ \n" {file})", {"run", R"(say "hi" \ \n)", "{file}"}},
    {R"(run 'it\s' {file})", {"run", R"(it\s)", "{file}"}},
    {"run '' \"\" {file}", {"run", "", "", "{file}"}},
    {"run $HOME;ls|cat>x {file}", {"run", "$HOME;ls|cat>x", "{file}"}},
    {"run -l {language} {file}", {"run", "-l", "{language}", "{file}"}},
};

const std::vector<std::string> bad_lines{
    "run 'unterminated {file}",
    "run \"unterminated {file}",
    "run {file} trailing\\",
    "run -f audio.wav",
    "",
    "   ",
};

} // namespace

BOOST_AUTO_TEST_SUITE(split_command_line)

BOOST_DATA_TEST_CASE(splits_like_a_shell_without_one, data::make(splits), c) {
  BOOST_TEST(split_command(c.line) == c.args, boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(refuses, data::make(bad_lines), line) {
  BOOST_CHECK_THROW(split_command(line), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
