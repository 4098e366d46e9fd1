// GET /metrics: the process's counters plus the job counts read from the
// database at scrape time.
#pragma once

#include "storage/database.hpp"

#include <string>

namespace callscribe::app {

// Prometheus text format (0.0.4). Throws storage_error when the database
// cannot be read; the route answers 503 then.
std::string metrics_page(storage::database& db);

} // namespace callscribe::app
