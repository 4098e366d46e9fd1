// `callscribe serve`: the server's start-up, run and shutdown.
#pragma once

#include "config/options.hpp"

namespace callscribe::app {

int serve(const config::settings& s);

} // namespace callscribe::app
