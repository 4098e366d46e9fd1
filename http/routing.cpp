#include "http/routing.hpp"

#include <algorithm>
#include <cctype>

namespace callscribe::http {

const std::string* request::header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name)
      return &value;
  return nullptr;
}

response text_response(int status, std::string body) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

namespace {

bool path_matches(const std::string& pattern, const std::string& path) {
  if (!pattern.empty() && pattern.back() == '*')
    return path.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == path;
}

} // namespace

request make_request(std::string method, std::string target,
                     std::vector<std::pair<std::string, std::string>> headers, std::string body) {
  request req;
  req.method = std::move(method);
  req.target = std::move(target);
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? std::string{} : req.target.substr(q + 1);
  for (auto& [name, value] : headers) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    req.headers.emplace_back(std::move(name), std::move(value));
  }
  req.body = std::move(body);
  return req;
}

route_match match_route(const std::vector<route>& routes, const request& req) {
  route_match out;
  std::vector<std::string> allowed; // methods of the routes whose path matches
  for (const auto& r : routes) {
    if (!path_matches(r.path, req.path))
      continue;
    if (r.method == req.method) {
      out.found = &r;
      return out;
    }
    if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end())
      allowed.push_back(r.method);
  }
  if (allowed.empty()) {
    out.refusal = text_response(404, "no such path: " + req.path);
    return out;
  }
  std::string allow;
  for (const auto& m : allowed)
    allow += (allow.empty() ? "" : ", ") + m;
  out.refusal = text_response(405, "method " + req.method + " not allowed on " + req.path);
  out.refusal.headers.emplace_back("Allow", allow);
  return out;
}

} // namespace callscribe::http
