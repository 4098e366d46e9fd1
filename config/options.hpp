// callscribe's settings: every option of DESIGN.md §Configuration, read from
// the config file, then the environment, then the command line (later wins).
// Secrets come from the environment only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace callscribe::config {

struct settings {
  // http
  std::string http_host = "127.0.0.1";
  std::uint16_t http_port = 8080;
  std::string public_url = "http://127.0.0.1:8080";
  std::size_t body_limit_bytes = 64 * 1024;
  // db
  std::string db_url = "sqlite:data/callscribe.db";
  std::string db_password; // secret
  // storage
  std::string data_dir = "data";
  int retention_days = 7;
  int sweep_seconds = 600;      // how often the retention sweep runs
  int min_free_megabytes = 200; // /readyz wants at least this much free space in data_dir
  // twilio
  std::string twilio_account_sid;
  std::string twilio_auth_token; // secret
  std::string twilio_api_base = "https://api.twilio.com";
  bool validate_signature = true;
  bool delete_after_processing = false;
  int reconcile_minutes = 10;
  // speech
  std::string stt_engine = "pocketsphinx";
  std::string stt_url, stt_model, stt_language, stt_command;
  std::string stt_api_key; // secret
  std::string stt_model_dir = "/usr/share/pocketsphinx/model/en-us";
  int stt_timeout_seconds = 300; // one request (openai) or one run (command)
  // extraction
  std::string extract_engine = "gazetteer";
  std::string extract_url, extract_model;
  std::string extract_api_key;      // secret
  int extract_timeout_seconds = 20; // one llm request; after it the gazetteer answers
  std::string places_dir = "config/places";
  // worker
  bool worker_enabled = true;
  int lease_seconds = 60;
  int max_attempts = 5;
  int prefetch = 3;
  std::string node_id; // default: the host name
  // download
  std::size_t download_max_bytes = 200u * 1024 * 1024;
  int download_timeout_seconds = 120;
  int download_retries = 6;
  int download_backoff_ms = 1000;
  // shutdown, trace, log, admin, businesses
  int grace_seconds = 20;
  std::string trace_level = "jobs";
  std::string log_level = "info";
  std::string log_format = "text";
  std::string admin_token; // secret
  std::string businesses_file = "config/businesses.json";
  int trace_retention_days = 30; // trace events of finished jobs; 0: kept for ever
};

// What the command line asked for: a subcommand, its arguments and flags.
struct invocation {
  std::string command = "serve";      // serve, migrate, transcribe, extract, trace, simulate-call
  std::vector<std::string> arguments; // positional arguments after the command
  std::map<std::string, std::string>
      flags; // command flags: json, business, audio, from, to, server, twice, jsonl
  bool help = false;
  std::string config_file; // the file read, or empty
  settings values;
};

struct options_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `env` stands in for the process environment (tests pass their own).
// Throws options_error with a one-line reason for an unknown option, a bad
// value, or a --config file that cannot be read.
invocation parse_invocation(int argc, const char* const argv[],
                            const std::map<std::string, std::string>& env);

// The process environment as a map.
std::map<std::string, std::string> process_environment();

// Every option with its default, its environment variable, and the secrets.
std::string help_text();

// The environment variable an option answers to: http.port → CALLSCRIBE_HTTP_PORT.
std::string env_name(const std::string& option);

// What is wrong with the extraction settings, in one line, or "" when nothing is:
// extract.engine=llm needs extract.url (an http(s) URL) and extract.model. Checked by the
// commands that extract (serve, extract, transcribe --business) rather than at parse time, as
// the speech settings are, so `migrate` or `trace` run whatever the engine settings say.
std::string extraction_settings_problem(const settings& s);

} // namespace callscribe::config
