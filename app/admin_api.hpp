// The admin API (DESIGN.md §2): jobs, a retry, a recording enqueued by hand,
// leads. Bearer admin.token, compared in constant time; with no token set,
// every request is refused. JSON in and out; errors as {"error": "…"}.
#pragma once

#include "config/options.hpp"
#include "http/server.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace callscribe::app {

std::vector<http::route> admin_routes(caf::actor_system& sys, const config::settings& s);

} // namespace callscribe::app
