// `callscribe simulate-call`: plays Twilio's part against a running server.
#pragma once

#include "config/options.hpp"

namespace callscribe::app {

// Serves --audio as a recording on loopback (the Twilio stand-in, on the
// port of twilio.api-base, which must be http://127.0.0.1:PORT for the
// server too), posts signed voice, recording-status and call-status
// callbacks in Twilio's order (--twice: each delivered twice), waits for the
// job and prints the lead. 0 when the lead was written; 1 when the job ended
// dead or did not finish in time; 2 for bad input.
int simulate_call(const config::invocation& inv);

} // namespace callscribe::app
