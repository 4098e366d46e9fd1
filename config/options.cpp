// Reads the settings with Boost.Program_options. program_options keeps the
// first value stored for an option, so sources are stored in reverse order of
// precedence: command line, then environment, then file; defaults last.
#include "config/options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unistd.h>

extern char** environ;

namespace po = boost::program_options;

namespace callscribe::config {
namespace {

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
    return "callscribe";
  return buf;
}

// The options that exist three ways (file, environment, command line).
po::options_description settings_options(settings& s, int& port, int& body_limit, long long& max_bytes) {
  po::options_description d("Options (config file [section] key=value, environment CALLSCRIBE_SECTION_KEY, "
                            "or --section.key=value; later wins)");
  auto str = [](std::string* p) { return po::value<std::string>(p)->default_value(*p); };
  auto num = [](int* p) { return po::value<int>(p)->default_value(*p); };
  auto flag = [](bool* p) { return po::value<bool>(p)->default_value(*p, *p ? "true" : "false"); };
  // clang-format off
  d.add_options()
    ("http.host", str(&s.http_host), "address to listen on")
    ("http.port", po::value<int>(&port)->default_value(port), "port to listen on")
    ("http.public-url", str(&s.public_url), "the URL Twilio calls and signs (scheme, host, port)")
    ("http.body-limit-bytes", po::value<int>(&body_limit)->default_value(body_limit), "largest request body; larger gets 413")
    ("db.url", str(&s.db_url), "sqlite:PATH or postgresql://user@host/db")
    ("storage.data-dir", str(&s.data_dir), "where recordings are stored")
    ("storage.retention-days", num(&s.retention_days), "days to keep local audio (0: delete after processing)")
    ("storage.sweep-seconds", num(&s.sweep_seconds), "how often retention is applied (and recordings deleted at Twilio)")
    ("storage.min-free-megabytes", num(&s.min_free_megabytes), "free space in storage.data-dir below which /readyz says not ready")
    ("twilio.account-sid", str(&s.twilio_account_sid), "your Account Sid (AC…); also TWILIO_ACCOUNT_SID")
    ("twilio.api-base", str(&s.twilio_api_base), "Twilio REST API origin; recordings are fetched only from here")
    ("twilio.validate-signature", flag(&s.validate_signature), "check X-Twilio-Signature")
    ("twilio.delete-after-processing", flag(&s.delete_after_processing), "delete the recording at Twilio once done")
    ("twilio.reconcile-minutes", num(&s.reconcile_minutes), "list recent recordings to catch lost callbacks (0: off)")
    ("stt.engine", str(&s.stt_engine), "pocketsphinx, openai or command")
    ("stt.url", str(&s.stt_url), "OpenAI-compatible transcription endpoint (openai)")
    ("stt.model", str(&s.stt_model), "model name (openai)")
    ("stt.language", str(&s.stt_language), "language hint, e.g. he (openai, command)")
    ("stt.command", str(&s.stt_command), "program and arguments, {file} for the audio (command)")
    ("stt.model-dir", str(&s.stt_model_dir), "PocketSphinx model folder (pocketsphinx)")
    ("stt.timeout-seconds", num(&s.stt_timeout_seconds), "time limit of one request (openai) or run (command)")
    ("extract.engine", str(&s.extract_engine), "gazetteer or llm")
    ("extract.url", str(&s.extract_url), "OpenAI-compatible chat endpoint (llm)")
    ("extract.model", str(&s.extract_model), "model name (llm)")
    ("extract.timeout-seconds", num(&s.extract_timeout_seconds), "time limit of one request (llm); then the gazetteer answers")
    ("extract.places-dir", str(&s.places_dir), "folder of the built-in place lists")
    ("worker.enabled", flag(&s.worker_enabled), "process jobs (off: jobs are stored, not processed)")
    ("worker.lease-seconds", num(&s.lease_seconds), "a claimed job returns to the queue when its node stops renewing")
    ("worker.max-attempts", num(&s.max_attempts), "attempts before a job ends dead")
    ("worker.prefetch", num(&s.prefetch), "downloads kept ahead of the transcriber")
    ("node.id", str(&s.node_id), "owner name of this node's leases (default: the host name)")
    ("download.max-bytes", po::value<long long>(&max_bytes)->default_value(max_bytes), "largest recording")
    ("download.timeout-seconds", num(&s.download_timeout_seconds), "time limit of one download request")
    ("download.retries", num(&s.download_retries), "requests per download while Twilio answers 404/429/5xx")
    ("download.backoff-ms", num(&s.download_backoff_ms), "first retry delay; doubles, with jitter")
    ("shutdown.grace-seconds", num(&s.grace_seconds), "time to finish work in hand on SIGTERM")
    ("trace.level", str(&s.trace_level), "off, jobs or messages")
    ("trace.retention-days", num(&s.trace_retention_days),
     "days to keep the trace of a finished job (0: for ever)")
    ("log.level", str(&s.log_level), "trace, debug, info, warn, error")
    ("log.format", str(&s.log_format), "text or json")
    ("businesses.file", str(&s.businesses_file), "businesses and their service catalogues (JSON)");
  // clang-format on
  return d;
}

po::options_description command_options() {
  po::options_description d("Command options");
  // clang-format off
  d.add_options()
    ("help,h", "print this help")
    ("config", po::value<std::string>(), "config file (default config/callscribe.ini when present)")
    ("json", "transcribe: print JSON")
    ("jsonl", "extract: one JSON transcript per input line")
    ("business", po::value<std::string>(), "transcribe/extract: the business's phone number (+E164)")
    ("audio", po::value<std::string>(), "simulate-call: the recording to play")
    ("from", po::value<std::string>(), "simulate-call: caller number")
    ("to", po::value<std::string>(), "simulate-call: business number")
    ("server", po::value<std::string>(), "simulate-call: the server's URL")
    ("twice", "simulate-call: deliver every callback twice");
  // clang-format on
  return d;
}

const char* secrets_help =
    "Secrets (environment only, never logged):\n"
    "  TWILIO_AUTH_TOKEN or CALLSCRIBE_TWILIO_AUTH_TOKEN   Twilio auth token (signs webhooks, downloads)\n"
    "  CALLSCRIBE_ADMIN_TOKEN                              bearer token of the admin API (unset: refuses "
    "all)\n"
    "  CALLSCRIBE_STT_API_KEY                              key of the openai speech engine\n"
    "  CALLSCRIBE_EXTRACT_API_KEY                          key of the llm extractor\n"
    "  CALLSCRIBE_DB_PASSWORD or PGPASSWORD                database password\n";

// Boost 1.74's error_with_option_name::what() replaces a placeholder until none
// is left, so a value that holds its own ("port = %value%") made it loop for
// ever. Its substitutions are protected: a derived class names them.
struct placeholder_guard : po::error_with_option_name {
  static void defuse(po::error_with_option_name& e) {
    for (auto& [name, text] : e.*(&placeholder_guard::m_substitutions)) {
      const std::string token = "%" + name + "%";
      for (auto at = text.find(token); at != std::string::npos; at = text.find(token))
        text.replace(at, token.size(), name); // "%value%" is shown as "value"
    }
  }
};

std::string lookup(const std::map<std::string, std::string>& env, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    auto it = env.find(n);
    if (it != env.end() && !it->second.empty())
      return it->second;
  }
  return {};
}

} // namespace

std::string env_name(const std::string& option) {
  std::string e = "CALLSCRIBE_";
  for (char c : option)
    e += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

std::string extraction_settings_problem(const settings& s) {
  if (s.extract_engine != "llm")
    return {};
  if (s.extract_url.empty())
    return "extract.engine=llm needs extract.url (the chat-completions URL, e.g. "
           "https://api.openai.com/v1/chat/completions)";
  std::string scheme = s.extract_url.substr(0, s.extract_url.find("://"));
  for (char& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.extract_url.find("://") == std::string::npos || (scheme != "http" && scheme != "https"))
    return "extract.url must be an http(s) URL (e.g. https://api.openai.com/v1/chat/completions)";
  if (s.extract_model.empty())
    return "extract.engine=llm needs extract.model (e.g. gpt-4o-mini)";
  return {};
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

std::string help_text() {
  settings s;
  s.node_id = "(host name)";
  int port = s.http_port, body = static_cast<int>(s.body_limit_bytes);
  long long max_bytes = static_cast<long long>(s.download_max_bytes);
  std::ostringstream out;
  out << "callscribe: Twilio recordings → transcripts → service and city on the caller's lead\n\n"
         "Usage:\n"
         "  callscribe [serve]                   run the server (default)\n"
         "  callscribe migrate                   apply database migrations and exit\n"
         "  callscribe transcribe FILE [--json] [--business +E164]\n"
         "  callscribe extract --business +E164 [--jsonl] [FILE]\n"
         "  callscribe trace CA…|JOB_ID\n"
         "  callscribe simulate-call --audio FILE --from +E164 --to +E164 [--server URL] [--twice]\n\n";
  out << settings_options(s, port, body, max_bytes) << "\n" << command_options() << "\n" << secrets_help;
  out << "\nEvery option's environment variable is CALLSCRIBE_ + its name in upper case with . and - as _\n"
         "(http.public-url → CALLSCRIBE_HTTP_PUBLIC_URL).\n";
  return out.str();
}

invocation parse_invocation(int argc, const char* const argv[],
                            const std::map<std::string, std::string>& env) {
  invocation inv;
  settings& s = inv.values;
  s.node_id = host_name();
  int port = s.http_port, body_limit = static_cast<int>(s.body_limit_bytes);
  long long max_bytes = static_cast<long long>(s.download_max_bytes);

  po::options_description all;
  po::options_description settings_desc = settings_options(s, port, body_limit, max_bytes);
  all.add(settings_desc).add(command_options());
  all.add_options()("positional", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("positional", -1);

  po::variables_map vm;
  try {
    // No guessing from prefixes: a typo must not quietly set another option.
    auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(argc, const_cast<char**>(argv))
                  .options(all)
                  .positional(pos)
                  .style(style)
                  .run(),
              vm);

    // The environment: every option's CALLSCRIBE_… name, plus Twilio's own name
    // for the account. Unknown CALLSCRIBE_ variables are ignored, not errors,
    // because secrets share the prefix.
    std::map<std::string, std::string> env_to_option;
    for (const auto& opt : settings_desc.options())
      env_to_option[env_name(opt->long_name())] = opt->long_name();
    po::parsed_options from_env(&all);
    auto add_env = [&](const std::string& option, const std::string& value) {
      po::option o;
      o.string_key = option;
      o.value.push_back(value);
      from_env.options.push_back(o);
    };
    // An empty variable counts as unset, as it does for the secrets.
    for (const auto& [name, option] : env_to_option) {
      auto it = env.find(name);
      if (it != env.end() && !it->second.empty())
        add_env(option, it->second);
    }
    if (lookup(env, {"CALLSCRIBE_TWILIO_ACCOUNT_SID"}).empty()) {
      auto sid = lookup(env, {"TWILIO_ACCOUNT_SID"});
      if (!sid.empty())
        add_env("twilio.account-sid", sid);
    }
    po::store(from_env, vm);

    std::string file;
    bool explicit_file = vm.count("config") > 0;
    if (explicit_file)
      file = vm["config"].as<std::string>();
    else if (auto it = env.find("CALLSCRIBE_CONFIG"); it != env.end())
      file = it->second, explicit_file = true;
    else
      file = "config/callscribe.ini";
    std::ifstream in(file);
    if (in) {
      po::store(po::parse_config_file(in, settings_desc, false), vm);
      inv.config_file = file;
    } else if (explicit_file) {
      throw options_error("cannot read config file " + file);
    }
    po::notify(vm);
  } catch (const options_error&) {
    throw;
  } catch (const po::unknown_option& e) {
    // Never echo the value: it may be a secret typed where it does not belong.
    auto name = e.get_option_name();
    name = name.substr(0, name.find('='));
    // A config line "=x" or "-=x" names an option of no letters at all.
    auto bare = name.substr(std::min(name.find_first_not_of('-'), name.size()));
    for (const char* secret :
         {"twilio.auth-token", "admin.token", "db.password", "stt.api-key", "extract.api-key"})
      if (bare == secret)
        throw options_error(bare +
                            " is a secret: set it in the environment, never on the command line or in a file "
                            "(see --help)");
    throw options_error("unknown option '" + name + "' (see --help)");
  } catch (po::error_with_option_name& e) {
    placeholder_guard::defuse(e);
    throw options_error(e.what());
  } catch (const po::error& e) {
    throw options_error(e.what());
  }

  if (vm.count("help"))
    inv.help = true;
  for (const char* f : {"json", "jsonl", "twice"})
    if (vm.count(f))
      inv.flags[f] = "true";
  for (const char* f : {"business", "audio", "from", "to", "server"})
    if (vm.count(f))
      inv.flags[f] = vm[f].as<std::string>();
  if (vm.count("positional")) {
    auto args = vm["positional"].as<std::vector<std::string>>();
    inv.command = args.front();
    inv.arguments.assign(args.begin() + 1, args.end());
  }
  static const char* commands[] = {"serve", "migrate", "transcribe", "extract", "trace", "simulate-call"};
  if (std::find(std::begin(commands), std::end(commands), inv.command) == std::end(commands))
    throw options_error("unknown command '" + inv.command + "' (try --help)");

  if (port < 0 || port > 65535)
    throw options_error("http.port must be 0-65535, not " + std::to_string(port));
  s.http_port = static_cast<std::uint16_t>(port);
  if (body_limit <= 0)
    throw options_error("http.body-limit-bytes must be positive");
  s.body_limit_bytes = static_cast<std::size_t>(body_limit);
  if (max_bytes <= 0)
    throw options_error("download.max-bytes must be positive");
  s.download_max_bytes = static_cast<std::size_t>(max_bytes);
  if (s.lease_seconds < 5)
    throw options_error("worker.lease-seconds must be at least 5");
  if (s.max_attempts < 1)
    throw options_error("worker.max-attempts must be at least 1");
  if (s.prefetch < 1)
    throw options_error("worker.prefetch must be at least 1");
  if (s.node_id.empty())
    s.node_id = host_name();
  for (auto [value, name, least] :
       {std::tuple<int, const char*, int>{s.retention_days, "storage.retention-days", 0},
        {s.trace_retention_days, "trace.retention-days", 0},
        {s.grace_seconds, "shutdown.grace-seconds", 0},
        {s.stt_timeout_seconds, "stt.timeout-seconds", 1},
        {s.download_timeout_seconds, "download.timeout-seconds", 1},
        {s.extract_timeout_seconds, "extract.timeout-seconds", 1},
        {s.download_retries, "download.retries", 1},
        {s.download_backoff_ms, "download.backoff-ms", 0},
        {s.sweep_seconds, "storage.sweep-seconds", 1},
        {s.min_free_megabytes, "storage.min-free-megabytes", 0},
        {s.reconcile_minutes, "twilio.reconcile-minutes", 0}})
    if (value < least)
      throw options_error(std::string(name) + " must be at least " + std::to_string(least) + ", not " +
                          std::to_string(value));
  if ((inv.command == "serve" || inv.command == "migrate") && !inv.arguments.empty())
    throw options_error(inv.command + " takes no arguments, but was given '" + inv.arguments.front() + "'");
  for (auto [value, name, allowed] :
       {std::tuple<std::string, const char*, std::vector<std::string>>{
            s.stt_engine, "stt.engine", {"pocketsphinx", "openai", "command"}},
        {s.extract_engine, "extract.engine", {"gazetteer", "llm"}},
        {s.trace_level, "trace.level", {"off", "jobs", "messages"}},
        {s.log_format, "log.format", {"text", "json"}},
        {s.log_level, "log.level", {"trace", "debug", "info", "warn", "error"}}}) {
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
      throw options_error(std::string(name) + " must be one of the documented values, not '" + value + "'");
  }
  while (!s.public_url.empty() && s.public_url.back() == '/')
    s.public_url.pop_back();

  s.twilio_auth_token = lookup(env, {"CALLSCRIBE_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"});
  s.admin_token = lookup(env, {"CALLSCRIBE_ADMIN_TOKEN"});
  s.stt_api_key = lookup(env, {"CALLSCRIBE_STT_API_KEY"});
  s.extract_api_key = lookup(env, {"CALLSCRIBE_EXTRACT_API_KEY"});
  s.db_password = lookup(env, {"CALLSCRIBE_DB_PASSWORD", "PGPASSWORD"});
  return inv;
}

} // namespace callscribe::config
