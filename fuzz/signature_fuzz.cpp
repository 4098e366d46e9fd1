// X-Twilio-Signature on any token, URL and form. The input is four parts, one
// a line: auth token, URL, the signature sent, and the form body (the rest).
// The signature computed for a URL must validate against that same URL, with
// or without a port; one sent by the input is checked like the server does.
#include "http/twilio_form.hpp"
#include "http/twilio_signature.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace callscribe::http;

namespace {

std::string_view next_line(std::string_view& in) {
  const auto nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string token(next_line(in));
  const std::string url(next_line(in));
  const std::string sent(next_line(in));
  auto params = parse_form(in);
  if (!params)
    params = form{{std::string(in), std::string(in)}}; // the signature takes any bytes too

  const std::string sig = twilio_signature(token, url, *params);
  if (sig.size() != 28) { // base64 of a 20-byte SHA-1 HMAC
    std::fprintf(stderr, "signature of %zu characters: %s\n", sig.size(), sig.c_str());
    std::abort();
  }
  if (!twilio_signature_valid(token, url, *params, sig)) {
    std::fprintf(stderr, "the signature of the URL as given does not validate: %s\n", url.c_str());
    std::abort();
  }
  (void)twilio_signature_valid(token, url, *params, sent);
  return 0;
}
