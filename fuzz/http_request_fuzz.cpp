// Raw bytes from a client, read as the server's session reads them: Beast's
// request_parser with the server's body and header limits, one request after
// another while the connection is kept alive, each turned into an
// http::request and routed by the server's own make_request and match_route
// (http/routing.cpp) over the route table of app/, and, on a Twilio route,
// checked as its handler checks it (with and without the signature). Only
// the session's few lines of read-error mapping are repeated here: they live
// on Beast's error codes inside the session.
#include "http/routing.hpp"
#include "http/server.hpp" // request, response, server_options (server.cpp is not linked)
#include "http/twilio_callback.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using namespace callscribe::http;

namespace {

// app/routes.cpp and app/admin_api.cpp: (method, path) of every route; the
// handlers are what handle() below does.
std::vector<route> app_routes() {
  std::vector<route> out;
  for (const auto& [method, path] :
       std::vector<std::pair<const char*, const char*>>{{"POST", "/twilio/recording-status"},
                                                        {"POST", "/twilio/call-status"},
                                                        {"POST", "/twilio/voice"},
                                                        {"GET", "/healthz"},
                                                        {"GET", "/readyz"},
                                                        {"GET", "/"},
                                                        {"GET", "/metrics"},
                                                        {"GET", "/api/jobs"},
                                                        {"GET", "/api/jobs/*"},
                                                        {"POST", "/api/jobs/*"},
                                                        {"POST", "/api/recordings"},
                                                        {"GET", "/api/calls/*"},
                                                        {"GET", "/api/leads/*"}})
    out.push_back({method, path, {}});
  return out;
}

bool has_line_break(const std::string& s) {
  return s.find_first_of("\r\n") != std::string::npos;
}

const twilio_settings signed_settings{"AC00000000000000000000000000000000", "fuzz-auth-token",
                                      "https://calls.example.com", "https://api.twilio.com", true};
twilio_settings unsigned_settings() {
  twilio_settings s = signed_settings;
  s.validate_signature = false;
  return s;
}

// What the session writes, serialised, so the response side runs too.
void write_response(const response& in, unsigned version, bool keep_alive) {
  response r = in;
  if (r.status < 100 || r.status > 999)
    r = text_response(500, "internal error");
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  res.set(bhttp::field::server, "callscribe");
  res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers)
    if (!name.empty() && !has_line_break(name) && !has_line_break(value))
      res.insert(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  std::ostringstream out;
  out << res;
}

// session::on_read after the parser is done: the request, routed.
response handle(const request& req) {
  static const std::vector<route> routes = app_routes();
  const route_match match = match_route(routes, req);
  if (!match.found)
    return match.refusal;
  const route* found = match.found;
  const std::string* sig = req.header("x-twilio-signature");
  const std::string signature = sig ? *sig : std::string{};
  for (const auto& tw : {signed_settings, unsigned_settings()}) {
    if (found->path == "/twilio/recording-status") {
      auto c = check_recording_callback(tw, req.target, req.body, signature);
      if ((c.status == 200) != c.callback.has_value())
        std::abort();
    } else if (found->path == "/twilio/call-status" || found->path == "/twilio/voice") {
      auto c = check_call_callback(tw, req.target, req.body, signature);
      if ((c.status == 200) != c.call.has_value())
        std::abort();
    } else if (found->path == "/api/recordings") {
      (void)check_twilio_post(tw, req.target, req.body, signature);
    }
  }
  if (found->path.rfind("/api/", 0) == 0 && !bearer_matches(req.header("authorization"), "fuzz-admin"))
    return text_response(401, "unauthorized");
  return text_response(200, "ok");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const server_options limits; // the server's defaults; serve.cpp keeps body_limit's
  net::io_context ioc;
  beast::test::stream client(ioc);
  client.append(beast::string_view(reinterpret_cast<const char*>(data), size));
  client.close_remote(); // reads past the input see the end of the stream
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.header_limit, UINT32_MAX)));
    beast::error_code ec;
    bhttp::read_header(client, buffer, parser, ec);
    if (!ec) {
      // The session answers "100 Continue" here and reads on.
      if (!parser.is_done() && beast::iequals(parser.get()[bhttp::field::expect], "100-continue"))
        write_response(text_response(100, ""), parser.get().version(), true);
      bhttp::read(client, buffer, parser, ec);
    }
    if (ec) {
      // session::on_read_error
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == bhttp::error::partial_message)
        return 0;
      if (ec == bhttp::error::body_limit)
        write_response(text_response(413, "request body over the limit"), 11, false);
      else if (ec == bhttp::error::header_limit)
        write_response(text_response(431, "request header fields over the limit"), 11, false);
      else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
        write_response(text_response(400, "bad request: " + ec.message()), 11, false);
      return 0;
    }

    const auto& in = parser.get();
    const unsigned version = in.version();
    const bool keep_alive = in.keep_alive();
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : in)
      headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    const request req = make_request(std::string(in.method_string()), std::string(in.target()),
                                     std::move(headers), std::move(parser.get().body()));

    const response r = handle(req);
    write_response(r, version, keep_alive);
    if (!keep_alive)
      return 0;
  }
}
