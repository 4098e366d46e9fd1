// The server's resident memory (VmRSS from /proc/PID/status), in three states:
//  1. idle: `callscribe serve` on a fresh SQLite file, worker paused, 2 s after start;
//  2. queued: after N signed recording-status callbacks, posted over --clients
//     keep-alive connections and each answered 200 (so N jobs are stored);
//  3. drained: serve restarted with the worker on and the `command` engine
//     printing a fixed sentence (no CPU of its own), once every job is done
//     (at most --drain-minutes; progress on stderr every 10 s).
// Usage: callscribe_bench_rss [--jobs N (100000)] [--clients C (32)] [--drain-minutes M (25)]
// Prints one line of "name value" pairs; drained_jobs < jobs when the drain ran out of time.
#include "bench/serve_bench.hpp"

#include <cstring>

using namespace callscribe;
using namespace callscribe::bench;

namespace {

// VmRSS of the running server once it has settled for 2 s.
double settled_rss() {
  std::this_thread::sleep_for(std::chrono::seconds(2));
  return rss_mib(serve_pid());
}

} // namespace

int main(int argc, char** argv) {
  int jobs = 100000, clients = 32, drain_minutes = 25;
  for (int i = 1; i < argc; ++i) {
    auto is = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (is("--jobs"))
      jobs = std::max(1, std::atoi(argv[++i]));
    else if (is("--clients"))
      clients = std::max(1, std::atoi(argv[++i]));
    else if (is("--drain-minutes"))
      drain_minutes = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--jobs N] [--clients C] [--drain-minutes M]\n", argv[0]);
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_ALL);
  bench_setup setup("rss", jobs);
  server_process server(setup.dir, setup.env(sentence_engine(0), false));
  server.start();
  const double idle = settled_rss();

  auto post_started = std::chrono::steady_clock::now();
  long refused = post_callbacks(server, *setup.twilio, 1, jobs, clients, [&](int sent) {
    static int shown = 0;
    if (sent - shown >= 10000 || sent == jobs) {
      std::fprintf(stderr, "rss bench: posted %d of %d\n", sent, jobs);
      shown = sent;
    }
  });
  const double post_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - post_started).count();
  const double queued = settled_rss();
  const long long stored = setup.count("SELECT COUNT(*) FROM recording_jobs");
  server.terminate();

  server.set_env("CALLSCRIBE_WORKER_ENABLED", "true");
  server.start();
  // From /metrics: what SQLite holds of that memory (its page caches), what
  // the program holds on the heap and what malloc keeps free (glibc).
  auto mib = [&](const char* series) { return metric(server, series) / (1024.0 * 1024.0); };
  const double started_with_queue = rss_mib(serve_pid());
  const auto drain_started = std::chrono::steady_clock::now();
  auto since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_started).count();
  };
  long long drained = 0;
  double peak = started_with_queue;
  while (since() < drain_minutes * 60.0) {
    drained = setup.finished();
    peak = std::max(peak, rss_mib(serve_pid()));
    if (drained >= stored)
      break;
    static double shown = 0;
    if (since() - shown >= 10) {
      shown = since();
      std::fprintf(stderr,
                   "rss bench: drained %lld of %lld in %.0f s (%.0f jobs/s), RSS %.1f MiB, SQLite %.1f MiB, "
                   "heap in use %.1f MiB, malloc free %.1f MiB\n",
                   drained, stored, shown, drained / shown, rss_mib(serve_pid()),
                   mib("callscribe_sqlite_memory_bytes"), mib("callscribe_malloc_in_use_bytes"),
                   mib("callscribe_malloc_free_bytes"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const double drain_s = since();
  const double after = settled_rss();
  const double sqlite_after = mib("callscribe_sqlite_memory_bytes");
  const double heap_after = mib("callscribe_malloc_in_use_bytes");
  const double free_after = mib("callscribe_malloc_free_bytes");
  const long long dead = setup.count("SELECT COUNT(*) FROM recording_jobs WHERE state = 'dead'");
  server.terminate();
  std::printf(
      "jobs %d stored %lld refused %ld post_s %.1f rss_idle_mib %.1f rss_queued_mib %.1f "
      "rss_restart_with_queue_mib %.1f drained_jobs %lld dead %lld drain_s %.1f drain_jobs_per_s %.1f "
      "rss_peak_draining_mib %.1f rss_drained_mib %.1f sqlite_drained_mib %.1f heap_in_use_drained_mib %.1f "
      "malloc_free_drained_mib %.1f\n",
      jobs, stored, refused, post_s, idle, queued, started_with_queue, drained, dead, drain_s,
      drained / drain_s, peak, after, sqlite_after, heap_after, free_after);
  return refused == 0 && drained >= stored ? 0 : 1;
}
