// Text logs for operators (spdlog): the seed's lines with a time and level
// prefix, or one JSON object per line with log.format=json.
#pragma once

#include "config/options.hpp"

namespace callscribe::app {

void setup_logging(const config::settings& s);

// The database URL fit for a log line: a PostgreSQL password is masked.
std::string redact_db_url(const std::string& url);

} // namespace callscribe::app
