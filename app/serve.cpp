// Start-up order: database and migrations, businesses, actors, then HTTP, so
// nothing is acknowledged before it can be stored. Shutdown in reverse:
// stop taking requests, stop the actors, and never wait longer than
// shutdown.grace-seconds (everything acknowledged is in the job store).
#include "app/serve.hpp"

#include "metrics/pipeline_metrics.hpp"

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "actors/supervisor.hpp"

#include "app/businesses.hpp"
#include "app/logging.hpp"
#include "app/routes.hpp"
#include "http/server.hpp"
#include "storage/database.hpp"
#include "storage/node_registry.hpp"
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <future>
#include <optional>
#include <pthread.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace callscribe::app {
namespace {

std::atomic<int> exit_code{0};

// One server owns a SQLite file: it takes every lease back at start, so a
// second one would steal the first one's work. The lock goes with the
// process, even on kill -9.
class single_server_lock {
public:
  explicit single_server_lock(const std::string& path) {
    std::error_code ec;
    auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty())
      std::filesystem::create_directories(dir, ec);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw std::runtime_error("another callscribe server is using this database (" + path +
                               " is locked); on one SQLite file only one server may run");
    }
  }
  ~single_server_lock() { ::close(fd_); }
  single_server_lock(const single_server_lock&) = delete;
  single_server_lock& operator=(const single_server_lock&) = delete;

private:
  int fd_ = -1;
};

// scheme://host[:port] of a URL, for the log: a path or query may carry what
// is nobody's business there.
std::string llm_origin(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos)
    return url.substr(0, url.find_first_of("/?#"));
  const auto end = url.find_first_of("/?#", scheme + 3);
  std::string origin = url.substr(0, end);
  if (const auto at = origin.rfind('@'); at != std::string::npos && at > scheme)
    origin.erase(scheme + 3, at - scheme - 2); // user:password@
  return origin;
}

// Checks what would otherwise fail on the first call, so a bad set-up stops
// the start with a reason rather than killing every job.
bool preflight(const config::settings& s) {
  if (auto problem = speech_settings_problem(s); !problem.empty()) {
    spdlog::critical("❌ {}", problem);
    return false;
  }
  if (auto problem = config::extraction_settings_problem(s); !problem.empty()) {
    spdlog::critical("❌ {}", problem);
    return false;
  }
  try {
    make_extractor(
        s, std::make_shared<extraction::gazetteer>(s.places_dir)); // checks the url as libcurl reads it
  } catch (const std::invalid_argument& e) {
    spdlog::critical("❌ {}", e.what());
    return false;
  }
  std::error_code ec;
  if (!std::filesystem::exists(s.places_dir + "/il_localities.tsv", ec)) {
    spdlog::critical("❌ No place lists in {} (run from the project folder, or set extract.places-dir)",
                     s.places_dir);
    return false;
  }
  if (s.twilio_account_sid.empty())
    spdlog::warn(
        "⚠️ twilio.account-sid is not set (TWILIO_ACCOUNT_SID): every Twilio callback will be refused");
  if (s.twilio_auth_token.empty() && s.validate_signature)
    spdlog::warn("⚠️ TWILIO_AUTH_TOKEN is not set: every Twilio callback will be refused (403)");
  if (!s.validate_signature)
    spdlog::warn(
        "⚠️ twilio.validate-signature is off: anyone who can reach this port can post callbacks");
  if (s.extract_engine == "llm")
    spdlog::info(
        "ℹ️ [OFFLINE_EXTRACT] Extraction by {} at {} (at most {} s a call; the gazetteer answers when it "
        "fails)",
        s.extract_model, llm_origin(s.extract_url), s.extract_timeout_seconds);
  return true;
}

} // namespace

int serve(const config::settings& s) {
  if (!preflight(s))
    return 1;
  metrics::process(); // uptime and the busy share count from here
  std::optional<single_server_lock> lock;
  try {
    auto target = storage::parse_db_url(s.db_url);
    if (target.kind == storage::db_target::backend::sqlite)
      lock.emplace(target.sqlite_path + ".lock");
    auto db = storage::database::open(s.db_url, s.db_password);
    int version = db.migrate();
    spdlog::info("✅ Database ready: {} (schema version {})", redact_db_url(s.db_url), version);
    std::error_code ec;
    if (std::filesystem::exists(s.businesses_file, ec)) {
      int n = load_businesses(db, s.businesses_file);
      spdlog::info("✅ Loaded {} business(es) from {}", n, s.businesses_file);
    } else {
      spdlog::warn("⚠️ No businesses file at {}: every call will end 'unknown business'",
                   s.businesses_file);
    }
  } catch (const std::exception& e) {
    spdlog::critical("❌ {}", e.what());
    return 1;
  }
  // Several nodes share a PostgreSQL database: this one's node.id must be its
  // own (SQLite has its file lock instead).
  const auto me = storage::this_process(s.node_id);
  std::optional<storage::database> registry;
  if (!lock) {
    try {
      registry.emplace(storage::database::open(s.db_url, s.db_password));
      auto r = storage::register_node(*registry, me, storage::now_us(),
                                      static_cast<std::int64_t>(s.lease_seconds) * 1000000,
                                      storage::process_alive);
      if (!r.ok) {
        spdlog::critical("❌ {}", r.refusal);
        return 1;
      }
      spdlog::info("✅ Node {} registered (host {}, pid {})", me.node_id, me.host, me.pid);
    } catch (const std::exception& e) {
      spdlog::critical("❌ {}", e.what());
      return 1;
    }
  }

  // Signals are taken by one thread with sigwait; every other thread
  // (CAF's, Asio's) inherits the block.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto pipeline = std::make_shared<pipeline_config>();
  pipeline->settings = s;
  use_real_parts(*pipeline);
  pipeline->on_give_up = [](const std::string&) {
    exit_code = 1;
    kill(getpid(), SIGTERM);
  };

  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};

  // Bind first: a server that cannot listen must not start taking jobs (on
  // SQLite it would take every lease back from the one already running).
  http::server_options options;
  options.host = s.http_host;
  options.port = s.http_port;
  options.body_limit = s.body_limit_bytes;
  options.threads = 2;
  http::server server(options, make_routes(sys, s));
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::critical("❌ {}", e.what());
    return 1;
  }
  spdlog::info("✅ Listening on http://{}:{}; Twilio posts to {}/twilio/recording-status", s.http_host,
               server.port(), s.public_url);
  auto sup = sys.spawn(supervisor, std::shared_ptr<const pipeline_config>(pipeline));

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("ℹ️ Stopping ({}); unfinished jobs stay queued for the next start",
               exit_code ? "the supervisor gave up" : (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  // A second signal does not wait for the grace period: every acknowledged
  // job is durable, and the next start takes back what was under way.
  std::thread([signals] {
    int again = 0;
    sigwait(&signals, &again);
    spdlog::warn("⚠️ Second signal: exiting now; unfinished jobs stay queued for the next start");
    spdlog::default_logger()->flush();
    std::_Exit(1);
  }).detach();
  server.stop();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  auto done = std::async(std::launch::async, [&sys] { sys.await_all_actors_done(); });
  if (done.wait_for(std::chrono::seconds(s.grace_seconds)) == std::future_status::timeout) {
    // A transcription in progress cannot be interrupted; its job is leased
    // and durable, and the next start takes it back.
    spdlog::warn("⚠️ Actors still busy after {} s; exiting anyway", s.grace_seconds);
    spdlog::default_logger()->flush();
    std::_Exit(exit_code);
  }
  if (registry) {
    try {
      storage::unregister_node(*registry, me);
    } catch (const std::exception& e) {
      spdlog::warn("⚠️ Could not unregister node {}: {}", me.node_id, e.what());
    }
  }
  spdlog::info("✅ Stopped");
  return exit_code;
}

} // namespace callscribe::app
