// Settings (DESIGN.md §2 Configuration): defaults, the three sources and their
// order (file < environment < command line), secrets from the environment
// only, subcommands and their flags, errors, and the help text.
//
// Every test runs in a fresh, empty working directory (see `scratch_cwd`), so
// the default `config/callscribe.ini` is whatever the test puts there and the
// result does not depend on where the executable is started. The environment
// is always a map given by the test, never the process environment.
#define BOOST_TEST_MODULE config
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "config/options.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace callscribe::config;

namespace {

using env_map = std::map<std::string, std::string>;

// A fresh empty working directory for the test; the old one comes back after.
struct scratch_cwd {
  fs::path old_cwd;
  fs::path dir;

  scratch_cwd() : old_cwd(fs::current_path()), dir(make_dir()) { fs::current_path(dir); }
  ~scratch_cwd() {
    std::error_code ignored;
    fs::current_path(old_cwd, ignored);
    fs::remove_all(dir, ignored);
  }

  // Writes `text` to `name` (relative to the scratch folder) and returns its absolute path.
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

private:
  static fs::path make_dir() {
    static std::atomic<int> counter{0};
    auto d = fs::temp_directory_path() /
             ("callscribe-config-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }
};

invocation parse(const std::vector<std::string>& args, const env_map& env = {}) {
  std::vector<const char*> argv{"callscribe"};
  for (const auto& a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return parse_invocation(static_cast<int>(argv.size() - 1), argv.data(), env);
}

// The options_error message, or "" when parsing succeeded.
std::string error_of(const std::vector<std::string>& args, const env_map& env = {}) {
  try {
    parse(args, env);
  } catch (const options_error& e) {
    return e.what();
  }
  return "";
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
    return "callscribe";
  return buf;
}

std::string str(bool b) {
  return b ? "true" : "false";
}
template <typename T> std::string str(T n) {
  return std::to_string(n);
}
std::string str(const std::string& s) {
  return s;
}

// One non-secret option: its name and three valid values, distinct from their
// neighbours (`a` also differs from the default), and how to read it back.
struct option_case {
  std::string name;
  std::string a, b, c;
  std::function<std::string(const settings&)> get;
};

std::ostream& operator<<(std::ostream& os, const option_case& o) {
  return os << o.name;
}

#define GET(field) [](const settings& s) { return str(s.field); }

// Every option that exists three ways, with every kind of value: strings,
// enums, ints, a 16-bit port, sizes and booleans.
const std::vector<option_case> all_options{
    {"http.host", "0.0.0.0", "::1", "10.0.0.7", GET(http_host)},
    {"http.port", "9000", "9001", "9002", GET(http_port)},
    {"http.public-url", "https://a.example", "https://b.example", "https://c.example:8443", GET(public_url)},
    {"http.body-limit-bytes", "1024", "2048", "4096", GET(body_limit_bytes)},
    {"db.url", "sqlite:/tmp/a.db", "postgresql://u@b/db", "sqlite:c.db", GET(db_url)},
    {"storage.data-dir", "/var/a", "/var/b", "/var/c", GET(data_dir)},
    {"storage.retention-days", "0", "1", "30", GET(retention_days)},
    {"twilio.account-sid", "ACaaaa", "ACbbbb", "ACcccc", GET(twilio_account_sid)},
    {"twilio.api-base", "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3",
     GET(twilio_api_base)},
    {"twilio.validate-signature", "false", "true", "false", GET(validate_signature)},
    {"twilio.delete-after-processing", "true", "false", "true", GET(delete_after_processing)},
    {"twilio.reconcile-minutes", "0", "5", "15", GET(reconcile_minutes)},
    {"stt.engine", "openai", "command", "pocketsphinx", GET(stt_engine)},
    {"stt.url", "http://a/v1", "http://b/v1", "http://c/v1", GET(stt_url)},
    {"stt.model", "whisper-1", "whisper-2", "whisper-3", GET(stt_model)},
    {"stt.language", "he", "en", "ar", GET(stt_language)},
    {"stt.command", "a {file}", "b {file}", "c {file}", GET(stt_command)},
    {"stt.model-dir", "/models/a", "/models/b", "/models/c", GET(stt_model_dir)},
    {"extract.engine", "llm", "gazetteer", "llm", GET(extract_engine)},
    {"extract.url", "http://a/chat", "http://b/chat", "http://c/chat", GET(extract_url)},
    {"extract.model", "m-a", "m-b", "m-c", GET(extract_model)},
    {"extract.timeout-seconds", "5", "10", "60", GET(extract_timeout_seconds)},
    {"extract.places-dir", "/places/a", "/places/b", "/places/c", GET(places_dir)},
    {"worker.enabled", "false", "true", "false", GET(worker_enabled)},
    {"worker.lease-seconds", "30", "90", "120", GET(lease_seconds)},
    {"worker.max-attempts", "1", "2", "3", GET(max_attempts)},
    {"worker.prefetch", "1", "2", "4", GET(prefetch)},
    {"node.id", "node-a", "node-b", "node-c", GET(node_id)},
    {"download.max-bytes", "1000", "3000000000", "5000", GET(download_max_bytes)},
    {"download.timeout-seconds", "10", "20", "30", GET(download_timeout_seconds)},
    {"download.retries", "1", "2", "3", GET(download_retries)},
    {"download.backoff-ms", "10", "20", "30", GET(download_backoff_ms)},
    {"shutdown.grace-seconds", "1", "2", "3", GET(grace_seconds)},
    {"trace.level", "off", "messages", "jobs", GET(trace_level)},
    {"log.level", "debug", "warn", "error", GET(log_level)},
    {"log.format", "json", "text", "json", GET(log_format)},
    {"businesses.file", "/b/a.json", "/b/b.json", "/b/c.json", GET(businesses_file)},
};

#undef GET

// `[section]\nkey = value\n` for an option named section.key.
std::string ini_line(const std::string& option, const std::string& value) {
  auto dot = option.find('.');
  return "[" + option.substr(0, dot) + "]\n" + option.substr(dot + 1) + " = " + value + "\n";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(options, scratch_cwd)

// ---------------------------------------------------------------- defaults

BOOST_AUTO_TEST_CASE(defaults_match_the_design) {
  auto inv = parse({});
  BOOST_TEST(inv.command == "serve");
  BOOST_TEST(inv.arguments.empty());
  BOOST_TEST(inv.flags.empty());
  BOOST_TEST(!inv.help);
  BOOST_TEST(inv.config_file == ""); // no config/callscribe.ini here, and that is fine

  const settings& s = inv.values;
  BOOST_TEST(s.http_host == "127.0.0.1");
  BOOST_TEST(s.http_port == 8080);
  BOOST_TEST(s.public_url == "http://127.0.0.1:8080");
  BOOST_TEST(s.body_limit_bytes == 65536u);
  BOOST_TEST(s.db_url == "sqlite:data/callscribe.db");
  BOOST_TEST(s.data_dir == "data");
  BOOST_TEST(s.retention_days == 7);
  BOOST_TEST(s.twilio_account_sid == "");
  BOOST_TEST(s.twilio_api_base == "https://api.twilio.com");
  BOOST_TEST(s.validate_signature);
  BOOST_TEST(!s.delete_after_processing);
  BOOST_TEST(s.reconcile_minutes == 10);
  BOOST_TEST(s.stt_engine == "pocketsphinx");
  BOOST_TEST(s.extract_engine == "gazetteer");
  BOOST_TEST(s.extract_timeout_seconds == 20);
  BOOST_TEST(s.worker_enabled);
  BOOST_TEST(s.lease_seconds == 60);
  BOOST_TEST(s.max_attempts == 5);
  BOOST_TEST(s.prefetch == 3);
  BOOST_TEST(s.node_id == host_name());
  BOOST_TEST(s.download_max_bytes == 200u * 1024 * 1024);
  BOOST_TEST(s.download_timeout_seconds == 120);
  BOOST_TEST(s.grace_seconds == 20);
  BOOST_TEST(s.trace_level == "jobs");
  BOOST_TEST(s.log_level == "info");
  BOOST_TEST(s.log_format == "text");
  BOOST_TEST(s.businesses_file == "config/businesses.json");
  // Secrets are empty unless the environment has them.
  BOOST_TEST(s.twilio_auth_token == "");
  BOOST_TEST(s.admin_token == "");
  BOOST_TEST(s.db_password == "");
  BOOST_TEST(s.stt_api_key == "");
  BOOST_TEST(s.extract_api_key == "");
}

BOOST_AUTO_TEST_CASE(the_shipped_config_file_changes_no_default) {
  auto shipped = parse({"--config", CALLSCRIBE_SOURCE_DIR "/config/callscribe.ini"});
  BOOST_TEST(shipped.config_file == CALLSCRIBE_SOURCE_DIR "/config/callscribe.ini");
  auto none = parse({});
  for (const auto& o : all_options)
    BOOST_TEST(o.get(shipped.values) == o.get(none.values), o.name);
}

BOOST_AUTO_TEST_CASE(config_callscribe_ini_in_the_working_directory_is_read_by_default) {
  write("config/callscribe.ini", "[http]\nport = 8181\n");
  auto inv = parse({});
  BOOST_TEST(inv.config_file == "config/callscribe.ini");
  BOOST_TEST(inv.values.http_port == 8181);
}

BOOST_AUTO_TEST_CASE(callscribe_config_in_the_environment_names_the_file_and_config_wins_over_it) {
  auto a = write("a.ini", "[http]\nport = 8181\n");
  auto b = write("b.ini", "[http]\nport = 8282\n");
  write("config/callscribe.ini", "[http]\nport = 8383\n");
  BOOST_TEST(parse({}, {{"CALLSCRIBE_CONFIG", a}}).values.http_port == 8181);
  BOOST_TEST(parse({"--config", b}, {{"CALLSCRIBE_CONFIG", a}}).values.http_port == 8282);
  BOOST_TEST(parse({"--config=" + b}).config_file == b);
}

BOOST_AUTO_TEST_CASE(an_empty_config_file_and_comments_are_fine) {
  BOOST_TEST(parse({"--config", write("empty.ini", "")}).values.http_port == 8080);
  auto commented = write("c.ini", "# a comment\n[worker]\n# prefetch = 9\nprefetch = 4\n\n[http]\n");
  BOOST_TEST(parse({"--config", commented}).values.prefetch == 4);
}

// ------------------------------------------------------ the three sources

BOOST_DATA_TEST_CASE(every_option_is_read_from_the_file, bdata::make(all_options), o) {
  auto file = write("callscribe.ini", ini_line(o.name, o.a));
  BOOST_TEST(o.get(parse({"--config", file}).values) == o.a);
}

BOOST_DATA_TEST_CASE(every_option_is_read_from_the_environment, bdata::make(all_options), o) {
  BOOST_TEST(o.get(parse({}, {{env_name(o.name), o.a}}).values) == o.a);
}

BOOST_DATA_TEST_CASE(every_option_is_read_from_the_command_line, bdata::make(all_options), o) {
  BOOST_TEST(o.get(parse({"--" + o.name + "=" + o.a}).values) == o.a);
  BOOST_TEST(o.get(parse({"--" + o.name, o.a}).values) == o.a);
}

BOOST_DATA_TEST_CASE(file_then_environment_then_command_line_later_wins, bdata::make(all_options), o) {
  auto file = write("callscribe.ini", ini_line(o.name, o.a));
  const env_map env{{env_name(o.name), o.b}};
  const std::string cli = "--" + o.name + "=" + o.c;

  BOOST_TEST(o.get(parse({"--config", file}, env).values) == o.b);
  BOOST_TEST(o.get(parse({"--config", file, cli}, env).values) == o.c);
  BOOST_TEST(o.get(parse({"--config", file, cli}).values) == o.c);
  BOOST_TEST(o.get(parse({cli}, env).values) == o.c);
}

BOOST_AUTO_TEST_CASE(precedence_with_mixed_types_in_one_file) {
  auto file = write("callscribe.ini", "[http]\nport = 8001\npublic-url = https://file.example\n"
                                      "[worker]\nlease-seconds = 31\nenabled = false\n"
                                      "[twilio]\nvalidate-signature = false\n"
                                      "[stt]\nengine = openai\n");
  const env_map env{{"CALLSCRIBE_HTTP_PORT", "8002"},
                    {"CALLSCRIBE_WORKER_LEASE_SECONDS", "32"},
                    {"CALLSCRIBE_TWILIO_VALIDATE_SIGNATURE", "true"},
                    {"CALLSCRIBE_HTTP_PUBLIC_URL", "https://env.example"}};
  auto inv = parse({"--config", file, "--http.port=8003", "--worker.enabled=true"}, env);
  const settings& s = inv.values;
  BOOST_TEST(inv.config_file == file);
  BOOST_TEST(s.http_port == 8003);                   // cli > env > file
  BOOST_TEST(s.public_url == "https://env.example"); // env > file
  BOOST_TEST(s.lease_seconds == 32);                 // env > file
  BOOST_TEST(s.validate_signature);                  // env > file
  BOOST_TEST(s.worker_enabled);                      // cli > file
  BOOST_TEST(s.stt_engine == "openai");              // file > default
  BOOST_TEST(s.http_host == "127.0.0.1");            // default
}

BOOST_AUTO_TEST_CASE(command_line_options_go_before_or_after_the_subcommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"serve", "--http.port=9000"},
                                                                {"--http.port=9000", "serve"},
                                                                {"--http.port", "9000", "serve"},
                                                                {"serve", "--http.port", "9000"},
                                                                {"--http.port=9000"}}) {
    auto inv = parse(args);
    BOOST_TEST(inv.command == "serve");
    BOOST_TEST(inv.arguments.empty());
    BOOST_TEST(inv.values.http_port == 9000);
  }
  auto t = parse({"transcribe", "--http.port=9000", "call.wav", "--stt.engine=command"});
  BOOST_TEST(t.command == "transcribe");
  BOOST_TEST(t.arguments == std::vector<std::string>{"call.wav"});
  BOOST_TEST(t.values.http_port == 9000);
  BOOST_TEST(t.values.stt_engine == "command");
}

BOOST_DATA_TEST_CASE(booleans_take_the_usual_spellings,
                     bdata::make(std::vector<std::string>{"true", "1", "yes", "on"}) ^
                         bdata::make(std::vector<std::string>{"false", "0", "no", "off"}),
                     yes, no) {
  BOOST_TEST(parse({"--worker.enabled=" + no}).values.worker_enabled == false);
  BOOST_TEST(parse({"--worker.enabled=" + yes}, {{"CALLSCRIBE_WORKER_ENABLED", no}}).values.worker_enabled);
  BOOST_TEST(parse({}, {{"CALLSCRIBE_WORKER_ENABLED", no}}).values.worker_enabled == false);
}

BOOST_AUTO_TEST_CASE(twilio_account_sid_answers_to_twilios_own_name) {
  BOOST_TEST(parse({}, {{"TWILIO_ACCOUNT_SID", "ACtwilio"}}).values.twilio_account_sid == "ACtwilio");
  BOOST_TEST(parse({}, {{"TWILIO_ACCOUNT_SID", "ACtwilio"}, {"CALLSCRIBE_TWILIO_ACCOUNT_SID", "ACours"}})
                 .values.twilio_account_sid == "ACours");
  BOOST_TEST(
      parse({"--twilio.account-sid=ACcli"}, {{"TWILIO_ACCOUNT_SID", "ACtwilio"}}).values.twilio_account_sid ==
      "ACcli");
  auto file = write("callscribe.ini", "[twilio]\naccount-sid = ACfile\n");
  BOOST_TEST(parse({"--config", file}).values.twilio_account_sid == "ACfile");
  BOOST_TEST(parse({"--config", file}, {{"TWILIO_ACCOUNT_SID", "ACtwilio"}}).values.twilio_account_sid ==
             "ACtwilio");
}

BOOST_AUTO_TEST_CASE(unknown_callscribe_variables_in_the_environment_are_ignored) {
  auto inv = parse({}, {{"CALLSCRIBE_NO_SUCH_OPTION", "1"}, {"CALLSCRIBE_HTTP", "x"}, {"HTTP_PORT", "1"}});
  BOOST_TEST(inv.values.http_port == 8080);
}

BOOST_AUTO_TEST_CASE(trailing_slashes_of_the_public_url_are_dropped) {
  BOOST_TEST(parse({"--http.public-url=https://x.example/"}).values.public_url == "https://x.example");
  BOOST_TEST(parse({}, {{"CALLSCRIBE_HTTP_PUBLIC_URL", "https://x.example//"}}).values.public_url ==
             "https://x.example");
}

BOOST_AUTO_TEST_CASE(an_empty_node_id_means_the_host_name) {
  BOOST_TEST(parse({}, {{"CALLSCRIBE_NODE_ID", ""}}).values.node_id == host_name());
  BOOST_TEST(parse({"--config", write("n.ini", "[node]\nid =\n")}).values.node_id == host_name());
}

// ----------------------------------------------------------------- secrets

BOOST_AUTO_TEST_CASE(secrets_come_from_the_environment) {
  auto s = parse({}, {{"TWILIO_AUTH_TOKEN", "tw-token"},
                      {"CALLSCRIBE_ADMIN_TOKEN", "admin-token"},
                      {"PGPASSWORD", "pg-password"},
                      {"CALLSCRIBE_STT_API_KEY", "stt-key"},
                      {"CALLSCRIBE_EXTRACT_API_KEY", "extract-key"}})
               .values;
  BOOST_TEST(s.twilio_auth_token == "tw-token");
  BOOST_TEST(s.admin_token == "admin-token");
  BOOST_TEST(s.db_password == "pg-password");
  BOOST_TEST(s.stt_api_key == "stt-key");
  BOOST_TEST(s.extract_api_key == "extract-key");
}

BOOST_AUTO_TEST_CASE(our_names_for_secrets_win_over_the_standard_ones) {
  auto s = parse({}, {{"TWILIO_AUTH_TOKEN", "theirs"},
                      {"CALLSCRIBE_TWILIO_AUTH_TOKEN", "ours"},
                      {"PGPASSWORD", "theirs"},
                      {"CALLSCRIBE_DB_PASSWORD", "ours"}})
               .values;
  BOOST_TEST(s.twilio_auth_token == "ours");
  BOOST_TEST(s.db_password == "ours");
  // An empty variable counts as unset.
  s = parse({}, {{"TWILIO_AUTH_TOKEN", "theirs"}, {"CALLSCRIBE_TWILIO_AUTH_TOKEN", ""}}).values;
  BOOST_TEST(s.twilio_auth_token == "theirs");
}

const std::vector<std::string> secret_options{"twilio.auth-token", "admin.token", "db.password",
                                              "stt.api-key", "extract.api-key"};

BOOST_DATA_TEST_CASE(secrets_on_the_command_line_are_rejected, bdata::make(secret_options), name) {
  // The message names the option and says where secrets go, and never
  // repeats the value: main prints it on stderr, which ends up in logs.
  for (const auto& args : {std::vector<std::string>{"--" + name + "=s3cret"},
                           std::vector<std::string>{"serve", "--" + name, "s3cret"}}) {
    auto error = error_of(args);
    BOOST_TEST(contains(error, name), "error: " << error);
    BOOST_TEST(contains(error, "environment"), "error: " << error);
    BOOST_TEST(!contains(error, "s3cret"), "error: " << error);
  }
}

BOOST_DATA_TEST_CASE(secrets_in_the_config_file_are_rejected, bdata::make(secret_options), name) {
  auto file = write("callscribe.ini", ini_line(name, "s3cret"));
  std::string error;
  try {
    auto inv = parse({"--config", file});
    // Should it ever be accepted, it must at least not be taken.
    BOOST_TEST(inv.values.twilio_auth_token == "");
    BOOST_TEST(inv.values.admin_token == "");
    BOOST_TEST(inv.values.db_password == "");
    BOOST_TEST(inv.values.stt_api_key == "");
    BOOST_TEST(inv.values.extract_api_key == "");
  } catch (const options_error& e) {
    error = e.what();
  }
  BOOST_TEST(contains(error, name), "error: " << error);
  BOOST_TEST(!contains(error, "s3cret"), "error: " << error);
}

// ------------------------------------------------------ subcommands, flags

BOOST_AUTO_TEST_CASE(transcribe_takes_a_file_and_json) {
  auto inv = parse({"transcribe", "call.wav", "--json"});
  BOOST_TEST(inv.command == "transcribe");
  BOOST_TEST(inv.arguments == std::vector<std::string>{"call.wav"});
  BOOST_TEST(inv.flags == (std::map<std::string, std::string>{{"json", "true"}}));

  inv = parse({"--json", "transcribe", "--business", "+97246000000", "/tmp/call two.wav"});
  BOOST_TEST(inv.command == "transcribe");
  BOOST_TEST(inv.arguments == std::vector<std::string>{"/tmp/call two.wav"});
  BOOST_TEST(inv.flags.at("json") == "true");
  BOOST_TEST(inv.flags.at("business") == "+97246000000");
}

BOOST_AUTO_TEST_CASE(extract_takes_a_business_jsonl_and_an_optional_file) {
  auto inv = parse({"extract", "--business", "+97246000000", "--jsonl"});
  BOOST_TEST(inv.command == "extract");
  BOOST_TEST(inv.arguments.empty());
  BOOST_TEST(inv.flags ==
             (std::map<std::string, std::string>{{"business", "+97246000000"}, {"jsonl", "true"}}));

  inv = parse({"extract", "--business=+15550001111", "transcript.txt"});
  BOOST_TEST(inv.arguments == std::vector<std::string>{"transcript.txt"});
  BOOST_TEST(inv.flags == (std::map<std::string, std::string>{{"business", "+15550001111"}}));
}

BOOST_AUTO_TEST_CASE(simulate_call_takes_its_flags) {
  auto inv = parse({"simulate-call", "--audio", "a.wav", "--from", "+972501234567", "--to", "+97246000000",
                    "--server", "http://127.0.0.1:8080", "--twice"});
  BOOST_TEST(inv.command == "simulate-call");
  BOOST_TEST(inv.flags == (std::map<std::string, std::string>{{"audio", "a.wav"},
                                                              {"from", "+972501234567"},
                                                              {"to", "+97246000000"},
                                                              {"server", "http://127.0.0.1:8080"},
                                                              {"twice", "true"}}));
}

BOOST_AUTO_TEST_CASE(migrate_trace_and_help) {
  BOOST_TEST(parse({"migrate"}).command == "migrate");
  auto trace = parse({"trace", "CA0123456789abcdef0123456789abcdef"});
  BOOST_TEST(trace.command == "trace");
  BOOST_TEST(trace.arguments == std::vector<std::string>{"CA0123456789abcdef0123456789abcdef"});
  BOOST_TEST(parse({"trace", "42"}).arguments == std::vector<std::string>{"42"});
  BOOST_TEST(parse({"--help"}).help);
  BOOST_TEST(parse({"-h"}).help);
  BOOST_TEST(parse({"transcribe", "--help"}).help);
  BOOST_TEST(!parse({"serve"}).help);
}

// ------------------------------------------------------------------ errors

struct bad_case {
  std::vector<std::string> args;
  env_map env;
  std::string file;    // config file text; empty: no --config
  std::string message; // a part of the expected message
};

std::ostream& operator<<(std::ostream& os, const bad_case& b) {
  for (const auto& a : b.args)
    os << a << ' ';
  for (const auto& [k, v] : b.env)
    os << k << '=' << v << ' ';
  return os << (b.file.empty() ? "" : "[file] ") << "→ " << b.message;
}

const std::vector<bad_case> bad_cases{
    // unknown options, anywhere
    {{"--http.prot=1"}, {}, "", "http.prot"},
    {{"serve", "--no-such-option"}, {}, "", "no-such-option"},
    {{}, {}, "[http]\nprot = 1\n", "http.prot"},
    {{}, {}, "[nosuch]\nkey = 1\n", "nosuch.key"},
    // bad numbers and ranges
    {{"--http.port=abc"}, {}, "", "http.port"},
    {{"--http.port=80.5"}, {}, "", "http.port"},
    {{"--http.port=70000"}, {}, "", "http.port must be 0-65535"},
    {{"--http.port=65536"}, {}, "", "http.port must be 0-65535"},
    {{"--http.port=-1"}, {}, "", "http.port must be 0-65535"},
    {{"--http.port=99999999999"}, {}, "", "http.port"},
    {{}, {{"CALLSCRIBE_HTTP_PORT", "eighty"}}, "", "http.port"},
    {{}, {{"CALLSCRIBE_WORKER_LEASE_SECONDS", "soon"}}, "", "worker.lease-seconds"},
    {{}, {}, "[worker]\nmax-attempts = many\n", "worker.max-attempts"},
    {{"--worker.lease-seconds=4"}, {}, "", "worker.lease-seconds must be at least 5"},
    {{"--worker.max-attempts=0"}, {}, "", "worker.max-attempts must be at least 1"},
    {{"--worker.prefetch=0"}, {}, "", "worker.prefetch must be at least 1"},
    {{"--http.body-limit-bytes=0"}, {}, "", "http.body-limit-bytes must be positive"},
    {{"--download.max-bytes=-5"}, {}, "", "download.max-bytes must be positive"},
    {{"--twilio.validate-signature=maybe"}, {}, "", "twilio.validate-signature"},
    {{}, {{"CALLSCRIBE_WORKER_ENABLED", "sometimes"}}, "", "worker.enabled"},
    // unknown commands and enum values
    {{"frobnicate"}, {}, "", "unknown command 'frobnicate'"},
    {{"--http.port=9000", "Serve"}, {}, "", "unknown command 'Serve'"},
    {{"--stt.engine=foo"}, {}, "", "stt.engine must be one of the documented values, not 'foo'"},
    {{}, {{"CALLSCRIBE_STT_ENGINE", "whisper"}}, "", "stt.engine"},
    {{}, {}, "[stt]\nengine = foo\n", "stt.engine"},
    {{"--extract.engine=bert"}, {}, "", "extract.engine"},
    {{"--trace.level=all"}, {}, "", "trace.level"},
    {{"--log.level=verbose"}, {}, "", "log.level"},
    {{"--log.format=xml"}, {}, "", "log.format"},
    // one value per option per source
    {{"--http.port=1", "--http.port=2"}, {}, "", "http.port"},
    // a config file that is not there
    {{"--config", "no/such/file.ini"}, {}, "", "cannot read config file no/such/file.ini"},
    {{}, {{"CALLSCRIBE_CONFIG", "no/such/file.ini"}}, "", "cannot read config file no/such/file.ini"},
};

BOOST_DATA_TEST_CASE(bad_input_is_an_options_error_with_a_one_line_reason, bdata::make(bad_cases), bad) {
  auto args = bad.args;
  if (!bad.file.empty()) {
    args.push_back("--config");
    args.push_back(write("bad.ini", bad.file));
  }
  auto error = error_of(args, bad.env);
  BOOST_TEST(!error.empty());
  BOOST_TEST(contains(error, bad.message), "error: " << error);
  BOOST_TEST(!contains(error, "\n"), "error: " << error);
}

// ------------------------------------------------------ help and env names

BOOST_AUTO_TEST_CASE(env_names_are_callscribe_section_key_in_upper_case) {
  BOOST_TEST(env_name("http.public-url") == "CALLSCRIBE_HTTP_PUBLIC_URL");
  BOOST_TEST(env_name("http.port") == "CALLSCRIBE_HTTP_PORT");
  BOOST_TEST(env_name("worker.lease-seconds") == "CALLSCRIBE_WORKER_LEASE_SECONDS");
  BOOST_TEST(env_name("twilio.validate-signature") == "CALLSCRIBE_TWILIO_VALIDATE_SIGNATURE");
  BOOST_TEST(env_name("twilio.account-sid") == "CALLSCRIBE_TWILIO_ACCOUNT_SID");
  BOOST_TEST(env_name("node.id") == "CALLSCRIBE_NODE_ID");
  BOOST_TEST(env_name("download.max-bytes") == "CALLSCRIBE_DOWNLOAD_MAX_BYTES");
}

BOOST_DATA_TEST_CASE(help_lists_every_option, bdata::make(all_options), o) {
  BOOST_TEST(contains(help_text(), "--" + o.name), o.name);
}

BOOST_AUTO_TEST_CASE(empty_environment_variables_count_as_unset) {
  auto s = parse({}, {{"CALLSCRIBE_HTTP_PORT", ""},
                      {"CALLSCRIBE_TWILIO_ACCOUNT_SID", ""},
                      {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"}})
               .values;
  BOOST_TEST(s.http_port == 8080);
  BOOST_TEST(s.twilio_account_sid == "AC0123456789abcdef0123456789abcdef");
}

BOOST_AUTO_TEST_CASE(abbreviated_option_names_are_not_guessed) {
  BOOST_TEST(contains(error_of({"--http.po=9000"}), "unknown option '--http.po'"));
}

const std::vector<std::string> below_range{"--storage.retention-days=-3",  "--shutdown.grace-seconds=-1",
                                           "--download.timeout-seconds=0", "--download.retries=0",
                                           "--download.backoff-ms=-5",     "--twilio.reconcile-minutes=-1",
                                           "--extract.timeout-seconds=0"};

BOOST_DATA_TEST_CASE(numbers_below_their_range_are_refused, bdata::make(below_range), arg) {
  BOOST_TEST(contains(error_of({arg}), "must be at least"), arg);
}

BOOST_AUTO_TEST_CASE(the_llm_engine_needs_a_url_and_a_model) {
  // The gazetteer needs nothing more; neither do commands that do not extract, so parsing accepts
  // an incomplete llm set-up and extraction_settings_problem names what is missing in one line.
  BOOST_TEST(extraction_settings_problem(parse({}).values) == "");
  BOOST_TEST(extraction_settings_problem(parse({"--extract.url=ftp://x"}).values) == "");
  auto llm = parse({"migrate", "--extract.engine=llm"}).values;
  BOOST_TEST(contains(extraction_settings_problem(llm), "extract.engine=llm needs extract.url"));
  llm = parse({"--extract.engine=llm", "--extract.url=https://api.openai.com/v1/chat/completions"}).values;
  BOOST_TEST(contains(extraction_settings_problem(llm), "extract.engine=llm needs extract.model"));
  llm = parse({"--extract.engine=llm", "--extract.model=gpt-4o-mini"}).values;
  BOOST_TEST(contains(extraction_settings_problem(llm), "needs extract.url"));
  for (const char* url : {"llm.example.com/v1/chat/completions", "ftp://example.com/chat", "://x"}) {
    llm = parse({"--extract.engine=llm", "--extract.model=m", std::string("--extract.url=") + url}).values;
    const auto problem = extraction_settings_problem(llm);
    BOOST_TEST(contains(problem, "extract.url must be an http(s) URL"), url);
    BOOST_TEST(!contains(problem, url), problem); // a URL may carry a key in its query
  }
  const env_map env{{"CALLSCRIBE_EXTRACT_ENGINE", "llm"},
                    {"CALLSCRIBE_EXTRACT_URL", "HTTP://127.0.0.1:8000/v1/chat/completions"},
                    {"CALLSCRIBE_EXTRACT_MODEL", "qwen2.5"}};
  BOOST_TEST(extraction_settings_problem(parse({}, env).values) == "");
  for (const auto& problem :
       {extraction_settings_problem(parse({"--extract.engine=llm"}).values),
        extraction_settings_problem(parse({"--extract.engine=llm", "--extract.url=http://x/"}).values)})
    BOOST_TEST(!contains(problem, "\n"), problem);
}

BOOST_AUTO_TEST_CASE(serve_and_migrate_take_no_arguments) {
  BOOST_TEST(contains(error_of({"serve", "extra"}), "serve takes no arguments"));
  BOOST_TEST(contains(error_of({"migrate", "extra"}), "migrate takes no arguments"));
}

BOOST_AUTO_TEST_CASE(help_shows_defaults_secrets_commands_and_the_environment_scheme) {
  const std::string help = help_text();
  for (const char* part :
       {"(=127.0.0.1)", "(=8080)", "(=http://127.0.0.1:8080)", "(=65536)", "(=sqlite:data/callscribe.db)",
        "(=https://api.twilio.com)", "(=pocketsphinx)", "(=gazetteer)", "(=60)", "(=209715200)", "(=120)",
        "(=jobs)", "(=info)", "(=text)", "(=config/businesses.json)", "(=true)", "(=false)", "(host name)"})
    BOOST_TEST(contains(help, part), part);
  for (const char* part :
       {"TWILIO_AUTH_TOKEN", "CALLSCRIBE_TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "CALLSCRIBE_ADMIN_TOKEN",
        "PGPASSWORD", "CALLSCRIBE_DB_PASSWORD", "CALLSCRIBE_STT_API_KEY", "CALLSCRIBE_EXTRACT_API_KEY"})
    BOOST_TEST(contains(help, part), part);
  BOOST_TEST(contains(help, "CALLSCRIBE_HTTP_PUBLIC_URL"));
  BOOST_TEST(contains(help, "CALLSCRIBE_SECTION_KEY"));
  for (const char* command : {"serve", "migrate", "transcribe", "extract", "trace", "simulate-call"})
    BOOST_TEST((contains(help, "callscribe " + std::string(command)) ||
                contains(help, "callscribe [" + std::string(command) + "]")),
               command);
  for (const char* flag : {"--config", "--json", "--jsonl", "--business", "--audio", "--from", "--to",
                           "--server", "--twice", "--help"})
    BOOST_TEST(contains(help, flag), flag);
}

BOOST_AUTO_TEST_SUITE_END()
