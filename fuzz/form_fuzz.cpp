// parse_form on any body: a form or a reason, never a crash; a form it accepts
// comes back unchanged through encode_form and parse_form again.
#include "http/twilio_form.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace callscribe::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto f = parse_form(body, &error);
  if (!f) {
    if (error.empty()) {
      std::fprintf(stderr, "parse_form refused a body without a reason\n");
      std::abort();
    }
    return 0;
  }
  for (const auto& [name, value] : *f)
    if (form_value(*f, name) == nullptr)
      std::abort();
  const std::string encoded = encode_form(*f);
  auto again = parse_form(encoded, &error);
  if (!again || *again != *f) {
    std::fprintf(stderr, "encode_form/parse_form round trip changed the form: %s\n", encoded.c_str());
    std::abort();
  }
  // The query-string flavour, where '+' stays '+'.
  bool ok = false;
  (void)url_decode_component(body, false, &ok);
  return 0;
}
