// X-Twilio-Signature, computed and checked as Twilio's helper libraries do.
#pragma once

#include "http/twilio_form.hpp"

#include <string>

namespace callscribe::http {

// base64(HMAC-SHA1(auth_token, url + every param sorted by name then value,
// name followed by value)).
std::string twilio_signature(const std::string& auth_token, const std::string& url, const form& params);

// Constant-time compare against the signature of `url` as given, and of
// `url` with its default port added (or removed).
bool twilio_signature_valid(const std::string& auth_token, const std::string& url, const form& params,
                            const std::string& signature);

} // namespace callscribe::http
