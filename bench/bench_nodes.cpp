// Jobs per second with 1, 2 and 3 callscribe nodes on one PostgreSQL, on this
// machine. Each node is the real binary; the speech engine is the `command`
// engine printing a fixed sentence (zero cost next to a real engine), so
// what is timed is the pipeline: callback, job store, download from a
// loopback Twilio stand-in, decoding, extraction, the lead transaction.
// Starts its own PostgreSQL with tests/pg/pg_server.sh.
// A second table gives each transcription a 50 ms wait that costs no CPU,
// as a hosted engine's answer does: there one node's single transcriber is
// the limit, not this machine's two cores.
// Usage: callscribe_bench_nodes [JOBS (300)] [ROUNDS (3)] [MAX_NODES (3)]
#include "tests/e2e/cluster.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using clock_type = std::chrono::steady_clock;

namespace {

// The engine: a fixed sentence at once, or after `wait_ms` (a hosted engine's
// round trip: time, not CPU).
std::string engine(int wait_ms) {
  if (wait_ms == 0)
    return cluster::instant_engine;
  char seconds[16];
  std::snprintf(seconds, sizeof seconds, "%.3f", wait_ms / 1000.0);
  return std::string("sh -c 'sleep ") + seconds + "; echo I need a locksmith in Boston' {file}";
}

// Seconds from the first callback until every job is done.
double one_round(int nodes, int jobs, int round, int wait_ms) {
  cluster c("bench" + std::to_string(nodes) + "r" + std::to_string(round), pg_url_from_environment(), 30);
  for (int i = 0; i < nodes; ++i)
    c.start_node(i, engine(wait_ms));
  for (int n = 1; n <= jobs; ++n)
    c.add_recording(n);
  auto start = clock_type::now();
  // Three clients post the callbacks, round-robin over the nodes, as a load
  // balancer would spread Twilio's requests.
  std::atomic<int> next{1}, refused{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&] {
      for (int n = next++; n <= jobs; n = next++)
        if (c.post_recording(n, *c.nodes[static_cast<std::size_t>(n % nodes)]) != 200)
          ++refused;
    });
  for (auto& t : clients)
    t.join();
  if (refused > 0) {
    std::fprintf(stderr, "bench: %d callbacks refused\n", refused.load());
    std::exit(1);
  }
  if (!wait_until([&] { return c.jobs_in("done") + c.jobs_in("dead") >= jobs; }, std::chrono::minutes(10))) {
    std::fprintf(stderr, "bench: not done in 10 minutes\n");
    std::exit(1);
  }
  double took = std::chrono::duration<double>(clock_type::now() - start).count();
  if (c.jobs_in("dead") > 0) {
    std::fprintf(stderr, "bench: %lld jobs dead\n", c.jobs_in("dead"));
    std::exit(1);
  }
  for (auto& node : c.nodes)
    node->terminate();
  return took;
}

} // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 300;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const int max_nodes = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  const std::string state = CALLSCRIBE_BINARY_DIR "/pg-bench";
  const std::string script = "bash " CALLSCRIBE_SOURCE_DIR "/tests/pg/pg_server.sh ";
  if (std::system((script + "start " + state + " > /dev/null").c_str()) != 0) {
    std::fprintf(stderr, "bench: could not start PostgreSQL (scripts/setup.sh installs it)\n");
    return 1;
  }
  setenv("CALLSCRIBE_TEST_PG_URL_FILE", (state + "/url").c_str(), 1);
  std::printf("callscribe_bench_nodes: %d jobs a round, best and median of %d rounds, %u cores\n\n", jobs,
              rounds, std::thread::hardware_concurrency());
  for (int wait_ms : {0, 50}) {
    std::printf(
        "%s\n\n| nodes | best s | median s | jobs/s (best) | jobs/s (median) |\n|---:|---:|---:|---:|---:|\n",
        wait_ms == 0 ? "Speech engine: a fixed sentence at once"
                     : "Speech engine: a fixed sentence after 50 ms (a hosted engine's wait)");
    for (int nodes = 1; nodes <= max_nodes; ++nodes) {
      std::vector<double> times;
      for (int r = 0; r < rounds; ++r)
        times.push_back(one_round(nodes, jobs, r, wait_ms));
      std::sort(times.begin(), times.end());
      double median = times[times.size() / 2];
      std::printf("| %d | %.2f | %.2f | %.0f | %.0f |\n", nodes, times.front(), median, jobs / times.front(),
                  jobs / median);
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  std::system((script + "stop " + state).c_str());
  return 0;
}
