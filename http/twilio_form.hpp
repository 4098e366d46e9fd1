// application/x-www-form-urlencoded bodies as Twilio posts them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::http {

// In the order posted; repeated names are kept.
using form = std::vector<std::pair<std::string, std::string>>;

// Decodes `+` and %XX; nullopt with a one-line reason in `error` for a bad
// escape or a value that is not UTF-8.
std::optional<form> parse_form(std::string_view body, std::string* error = nullptr);

// The first value of `name`, or nullptr.
const std::string* form_value(const form& f, const std::string& name);

std::string url_decode_component(std::string_view s, bool plus_is_space, bool* ok);

// The inverse of parse_form: every byte but A-Z a-z 0-9 - _ . ~ as %XX, the
// way Twilio and curl send a form.
std::string encode_form(const form& f);

} // namespace callscribe::http
