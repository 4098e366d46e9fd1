// callscribe's entry point: parse the invocation, run the subcommand.
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/serve.hpp"
#include "app/simulate.hpp"
#include "config/options.hpp"

#include <cstdlib>
#include <iostream>
#include <malloc.h>

namespace {

// glibc gives each thread that allocates an arena of its own, up to eight
// per core, and keeps what each arena once held: over 10,000 jobs the
// server's resident memory crept from 59 to 68 MiB with its default and
// stayed at 58 MiB with two arenas, at the same rate of jobs
// (bench/bench_rss.cpp, docs/benchmarks.md). An operator's own
// MALLOC_ARENA_MAX still wins.
void cap_malloc_arenas() {
  if (!std::getenv("MALLOC_ARENA_MAX"))
    mallopt(M_ARENA_MAX, 2);
}

} // namespace

int main(int argc, char** argv) {
  using namespace callscribe;
  cap_malloc_arenas();
  config::invocation inv;
  try {
    inv = config::parse_invocation(argc, argv, config::process_environment());
  } catch (const config::options_error& e) {
    std::cerr << "callscribe: " << e.what() << "\n";
    return 2;
  }
  if (inv.help) {
    std::cout << config::help_text();
    return 0;
  }
  app::setup_logging(inv.values);
  try {
    if (inv.command == "serve")
      return app::serve(inv.values);
    if (inv.command == "migrate")
      return app::migrate(inv.values);
    if (inv.command == "transcribe")
      return app::transcribe(inv);
    if (inv.command == "extract")
      return app::extract(inv);
    if (inv.command == "trace")
      return app::trace(inv);
    if (inv.command == "simulate-call")
      return app::simulate_call(inv);
    std::cerr << "callscribe " << inv.command << " is not available in this version yet\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "callscribe " << inv.command << ": " << e.what() << "\n";
    return 1;
  }
}
