// What the server does with a request once Beast has parsed it, without
// Beast: the plain request, and which route answers it. The session and the
// HTTP fuzz target (fuzz/http_request_fuzz.cpp) both go through these.
#pragma once

#include "http/server.hpp"

#include <string>
#include <utility>
#include <vector>

namespace callscribe::http {

// The request as handlers see it: path and query split at the first '?',
// header names lower-cased.
request make_request(std::string method, std::string target,
                     std::vector<std::pair<std::string, std::string>> headers, std::string body);

// The route for `req`, or the answer when there is none: 404 for a path no
// route has, 405 with Allow for one that takes other methods.
struct route_match {
  const route* found = nullptr;
  response refusal;
};
route_match match_route(const std::vector<route>& routes, const request& req);

} // namespace callscribe::http
