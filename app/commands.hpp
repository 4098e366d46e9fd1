// The one-shot subcommands: migrate, transcribe, extract, trace.
#pragma once

#include "config/options.hpp"

namespace callscribe::app {

int migrate(const config::settings& s);
int transcribe(const config::invocation& inv);
int extract(const config::invocation& inv);
int trace(const config::invocation& inv);

} // namespace callscribe::app
