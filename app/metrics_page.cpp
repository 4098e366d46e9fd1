#include "app/metrics_page.hpp"

#include "metrics/pipeline_metrics.hpp"
#include "storage/job_store.hpp"

#include <malloc.h>

namespace callscribe::app {

std::string metrics_page(storage::database& db) {
  storage::job_store jobs(db);
  auto counts = jobs.count_by_state();
  auto oldest = jobs.oldest_unfinished_created_us();

  // Read first, so a database error leaves no half page.
  std::string out = metrics::process().all().render();
  out += "# HELP callscribe_jobs Jobs in the database, by state\n# TYPE callscribe_jobs gauge\n";
  double unfinished = 0;
  for (const auto& [state, n] : counts) {
    out += metrics::sample_line("callscribe_jobs", {{"state", storage::to_string(state)}},
                                static_cast<double>(n));
    if (state != storage::job_state::done && state != storage::job_state::dead)
      unfinished += static_cast<double>(n);
  }
  out += "# HELP callscribe_queue_depth Jobs waiting or in progress (not done or dead)\n"
         "# TYPE callscribe_queue_depth gauge\n";
  out += metrics::sample_line("callscribe_queue_depth", {}, unfinished);
  out +=
      "# HELP callscribe_oldest_queued_job_age_seconds Age of the oldest job not done or dead; 0 when none\n"
      "# TYPE callscribe_oldest_queued_job_age_seconds gauge\n";
  double age = oldest ? std::max<double>(0, static_cast<double>(storage::now_us() - *oldest) / 1e6) : 0;
  out += metrics::sample_line("callscribe_oldest_queued_job_age_seconds", {}, age);
  out += "# HELP callscribe_sqlite_memory_bytes Memory SQLite holds in this process, page caches above all\n"
         "# TYPE callscribe_sqlite_memory_bytes gauge\n";
  out += metrics::sample_line("callscribe_sqlite_memory_bytes", {},
                              static_cast<double>(storage::sqlite_memory_bytes()));
  // glibc's own account: what the program holds, and what malloc keeps free
  // without giving it back. Memory in use that grows with the jobs is being
  // held by something; a steady one under a growing RSS is fragmentation.
  const struct mallinfo2 heap = mallinfo2();
  out += "# HELP callscribe_malloc_in_use_bytes Bytes of the heap this process holds allocated (glibc)\n"
         "# TYPE callscribe_malloc_in_use_bytes gauge\n";
  out += metrics::sample_line("callscribe_malloc_in_use_bytes", {},
                              static_cast<double>(heap.uordblks + heap.hblkhd));
  out += "# HELP callscribe_malloc_free_bytes Bytes glibc's malloc holds free and has not returned\n"
         "# TYPE callscribe_malloc_free_bytes gauge\n";
  out += metrics::sample_line("callscribe_malloc_free_bytes", {}, static_cast<double>(heap.fordblks));
  return out;
}

} // namespace callscribe::app
