// Several callscribe nodes on one PostgreSQL database, for the multi-node
// test and its benchmark: a schema of their own in the test server
// (tests/pg/pg_server.sh), one Twilio stand-in, and N real `callscribe serve`
// processes with a speech engine that costs nothing (the `command` engine
// printing a fixed sentence), so what is measured is the pipeline.
#pragma once

#include "app/twilio_standin.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"
#include "tests/e2e/deployment.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/http/curl_client.hpp"

#include <soci/soci.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace callscribe::testing::e2e {

// The test server's db.url: CALLSCRIBE_TEST_PG_URL, or the first line of the
// file CALLSCRIBE_TEST_PG_URL_FILE names; empty when neither.
inline std::string pg_url_from_environment() {
  if (const char* url = std::getenv("CALLSCRIBE_TEST_PG_URL"); url && *url)
    return url;
  const char* file = std::getenv("CALLSCRIBE_TEST_PG_URL_FILE");
  if (!file)
    return {};
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

class cluster {
public:
  // `name` makes the folder and schema names; `lease_seconds` how soon a dead
  // node's jobs go to the others.
  cluster(const std::string& name, const std::string& pg_url, int lease_seconds = 5)
      : schema_("cluster_" + name + "_" + std::to_string(::getpid())), base_url_(pg_url) {
    if (base_url_.empty())
      throw std::runtime_error("no PostgreSQL for the cluster: set CALLSCRIBE_TEST_PG_URL(_FILE)");
    dir = fs::temp_directory_path() / ("callscribe-cluster-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    {
      auto admin = storage::database::open(base_url_);
      admin.session() << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
      admin.session() << "CREATE SCHEMA " + schema_;
    }
    db_url = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
             schema_;
    wav = (dir / "call.wav").string();
    std::string flite = "flite -voice rms -t 'I need a locksmith in Boston' -o '" + wav + "'";
    if (std::system(flite.c_str()) != 0)
      throw std::runtime_error("flite failed: " + flite);
    std::ofstream(dir / "businesses.json")
        << R"([{"name": "Boston Lock & Key", "phone_number": ")" << business
        << R"(", "language": "en", "places": ["us"], "services": [{"name": "locksmith", "aliases": ["lock smith"]}]}])";
    twilio = std::make_unique<app::twilio_standin>(account_sid, auth_token);
    lease_seconds_ = lease_seconds;
  }

  ~cluster() {
    nodes.clear(); // kill -9 whatever still runs
    twilio.reset();
    try {
      storage::database::open(base_url_).session() << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    } catch (const std::exception&) {
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // The speech engine's command: a fixed sentence at once by default.
  static constexpr const char* instant_engine = "sh -c 'echo I need a locksmith in Boston' {file}";

  // What node number `i` is started with: its data dir under `home`, node.id node-i.
  std::map<std::string, std::string> node_env(int i, const std::string& stt_command, const fs::path& home) {
    auto env = server_env(db_url, home / "data", twilio->base(), dir / "businesses.json",
                          "node-" + std::to_string(i), 100);
    env["CALLSCRIBE_WORKER_LEASE_SECONDS"] = std::to_string(lease_seconds_);
    env["CALLSCRIBE_STT_ENGINE"] = "command";
    env["CALLSCRIBE_STT_COMMAND"] = stt_command;
    env["CALLSCRIBE_TWILIO_RECONCILE_MINUTES"] = "0";
    // Trust over the socket ignores it; it is there to show it is never logged.
    env["CALLSCRIBE_DB_PASSWORD"] = db_password;
    return env;
  }

  // Starts node number `i` (its own folder, data dir and node.id).
  server_process& start_node(int i, const std::string& stt_command = instant_engine) {
    auto home = dir / ("node-" + std::to_string(i));
    fs::create_directories(home);
    auto node = std::make_unique<server_process>(home, node_env(i, stt_command, home));
    node->start();
    if (static_cast<int>(nodes.size()) <= i)
      nodes.resize(static_cast<std::size_t>(i) + 1);
    nodes[static_cast<std::size_t>(i)] = std::move(node);
    return *nodes[static_cast<std::size_t>(i)];
  }

  // Recording n at Twilio, and its status callback posted to `node`.
  void add_recording(int n) { twilio->add_recording(sid("RE", n), wav); }
  long post_recording(int n, server_process& node) {
    return post_signed(node, "/twilio/recording-status", recording_callback(*twilio, n)).status;
  }

  storage::database db() { return storage::database::open(db_url); }

  // An empty schema again, as before the first migration.
  void reset_schema() {
    auto admin = storage::database::open(base_url_);
    admin.session() << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    admin.session() << "CREATE SCHEMA " + schema_;
  }

  long long count(const std::string& sql) {
    auto d = db();
    long long n = 0;
    d.session() << sql, soci::into(n);
    return n;
  }

  long long jobs_in(const char* state) {
    return count(std::string("SELECT COUNT(*) FROM recording_jobs WHERE state = '") + state + "'");
  }

  static constexpr const char* db_password = "cluster-db-password-never-logged";
  fs::path dir;
  std::string db_url;
  std::string wav;
  std::unique_ptr<app::twilio_standin> twilio;
  std::vector<std::unique_ptr<server_process>> nodes;

private:
  std::string schema_, base_url_;
  int lease_seconds_ = 5;
};

} // namespace callscribe::testing::e2e
