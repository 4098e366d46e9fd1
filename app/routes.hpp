// The HTTP routes of `serve`, and the bridge from an HTTP handler to the
// webhook actor: a one-shot actor asks the webhook and answers Twilio once
// the job is durable, so no server thread ever waits on the pipeline.
#pragma once

#include "config/options.hpp"
#include "http/server.hpp"

#include <caf/fwd.hpp>

#include <vector>

namespace callscribe::app {

std::vector<http::route> make_routes(caf::actor_system& sys, const config::settings& s);

} // namespace callscribe::app
