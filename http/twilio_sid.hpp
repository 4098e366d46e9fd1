// Twilio identifiers: a two-letter prefix and 32 lower-case hex digits.
#pragma once

#include <string_view>

namespace callscribe::http {

bool is_sid(std::string_view s, std::string_view prefix); // prefix "CA", "RE", "AC"
inline bool is_call_sid(std::string_view s) {
  return is_sid(s, "CA");
}
inline bool is_recording_sid(std::string_view s) {
  return is_sid(s, "RE");
}
inline bool is_account_sid(std::string_view s) {
  return is_sid(s, "AC");
}

} // namespace callscribe::http
