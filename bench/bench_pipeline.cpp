// N recordings through one real `callscribe serve` (SQLite) and the Twilio
// stand-in, with the `command` speech engine printing a fixed sentence, at
// once or after --engine-ms (time, no CPU), and each download answered after
// --download-ms. Two ways:
//  - default: the callbacks are posted (3 clients) while the worker runs;
//    jobs/s from the first callback to the last lead written;
//  - --queued: the callbacks are stored with the worker paused, then serve is
//    restarted with it on; from the first claim to the last job done, and the
//    transcriber's busy share of that time (callscribe_transcriber_busy_seconds_total
//    over it), with where the rest went: waiting for a download, or the
//    hand-over between two jobs.
// Usage: callscribe_bench_pipeline [--jobs N (300)] [--download-ms D (0)]
//          [--engine-ms E (0)] [--prefetch P (serve's default)] [--queued]
// Prints one line of "name value" pairs.
#include "bench/serve_bench.hpp"

#include <cstring>

using namespace callscribe;
using namespace callscribe::bench;

namespace {

struct hop {
  std::int64_t job = 0, handled = 0, done = 0;
};

// The transcriber's hops in order, and each job's download done time.
std::vector<hop> transcriptions(const std::string& db_url, std::map<std::int64_t, std::int64_t>* downloaded) {
  auto d = storage::database::open(db_url);
  soci::rowset<soci::row> rows = (d.session().prepare << "SELECT job_id, actor, handled_at, done_at FROM job_events "
                                                         "WHERE (actor = 'transcriber' AND event IN "
                                                         "('transcribed', 'no_words')) OR (actor = 'downloader' "
                                                         "AND event = 'downloaded') ORDER BY handled_at");
  std::vector<hop> out;
  for (const soci::row& r : rows) {
    hop h;
    h.job = r.get<long long>(0);
    h.handled = r.get<long long>(2);
    h.done = r.get<long long>(3);
    if (r.get<std::string>(1) == "transcriber")
      out.push_back(h);
    else
      (*downloaded)[h.job] = h.done;
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  int jobs = 300, download_ms = 0, engine_ms = 0, prefetch = 0;
  bool queued = false;
  for (int i = 1; i < argc; ++i) {
    auto is = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (is("--jobs"))
      jobs = std::max(1, std::atoi(argv[++i]));
    else if (is("--download-ms"))
      download_ms = std::atoi(argv[++i]);
    else if (is("--engine-ms"))
      engine_ms = std::atoi(argv[++i]);
    else if (is("--prefetch"))
      prefetch = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--queued") == 0)
      queued = true;
    else {
      std::fprintf(stderr, "usage: %s [--jobs N] [--download-ms D] [--engine-ms E] [--prefetch P] [--queued]\n",
                   argv[0]);
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_ALL);
  bench_setup setup("pipeline", jobs);
  setup.twilio->set_download_delay(std::chrono::milliseconds(download_ms));
  auto env = setup.env(sentence_engine(engine_ms), !queued);
  if (prefetch > 0)
    env["CALLSCRIBE_WORKER_PREFETCH"] = std::to_string(prefetch);
  server_process server(setup.dir, env);
  server.start();
  const auto posted_at = wall_us();
  if (long refused = post_callbacks(server, *setup.twilio, 1, jobs, 3)) {
    std::fprintf(stderr, "bench: %ld callbacks not answered 200\n", refused);
    return 1;
  }
  if (queued) {
    server.terminate();
    server.set_env("CALLSCRIBE_WORKER_ENABLED", "true");
    server.start();
  }
  if (!wait_until([&] { return setup.finished() >= jobs; }, std::chrono::minutes(20))) {
    std::fprintf(stderr, "bench: %lld of %d jobs finished in 20 minutes\n", setup.finished(), jobs);
    return 1;
  }
  const double busy = metric(server, "callscribe_transcriber_busy_seconds_total");
  std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the tracer's last batch
  server.terminate();

  const long long dead = setup.count("SELECT COUNT(*) FROM recording_jobs WHERE state = 'dead'");
  const long long first_claim = setup.count(
      "SELECT MIN(handled_at) FROM job_events WHERE actor = 'downloader' AND event = 'claimed'");
  const long long last_done =
      setup.count("SELECT MAX(done_at) FROM job_events WHERE actor = 'lead_writer' AND event = 'done'");
  const double wall = static_cast<double>(last_done - (queued ? first_claim : posted_at)) / 1e6;

  // Where the transcriber's idle time went: between two transcriptions it
  // waited for the next job's download (when that ended after the previous
  // transcription), and the rest is the hand-over.
  std::map<std::int64_t, std::int64_t> downloaded;
  auto hops = transcriptions(setup.db_url, &downloaded);
  double waiting_download = 0, handover = 0, first_wait = 0;
  if (!hops.empty())
    first_wait = static_cast<double>(hops.front().handled - first_claim) / 1e6;
  for (std::size_t i = 1; i < hops.size(); ++i) {
    const auto gap = hops[i].handled - hops[i - 1].done;
    const auto ready = downloaded.count(hops[i].job) ? downloaded[hops[i].job] : 0;
    const auto starved = std::clamp<std::int64_t>(ready - hops[i - 1].done, 0, gap);
    waiting_download += static_cast<double>(starved) / 1e6;
    handover += static_cast<double>(gap - starved) / 1e6;
  }
  const double tail = hops.empty() ? 0 : static_cast<double>(last_done - hops.back().done) / 1e6;
  std::printf("jobs %d dead %lld mode %s download_ms %d engine_ms %d prefetch %s wall_s %.3f jobs_per_s %.1f "
              "busy_s %.3f busy_share %.4f first_download_s %.3f waiting_download_s %.3f handover_s %.3f "
              "tail_s %.3f\n",
              jobs, dead, queued ? "queued" : "live", download_ms, engine_ms,
              prefetch > 0 ? std::to_string(prefetch).c_str() : "default", wall, jobs / wall, busy,
              busy / wall, first_wait, waiting_download, handover, tail);
  return dead == 0 ? 0 : 1;
}
