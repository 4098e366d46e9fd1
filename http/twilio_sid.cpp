// Twilio Sid syntax: a two-letter type prefix and 32 hex digits, 34 characters.
#include "http/twilio_sid.hpp"

namespace callscribe::http {

// Twilio issues Sids with lower-case hex only; upper-case digits are refused
// so that one Sid has one spelling (it is a primary key in our tables).
bool is_sid(std::string_view s, std::string_view prefix) {
  if (prefix.size() != 2 || s.size() != 34 || s.substr(0, 2) != prefix)
    return false;
  for (char c : s.substr(2)) {
    bool digit = c >= '0' && c <= '9';
    bool hex_letter = c >= 'a' && c <= 'f';
    if (!digit && !hex_letter)
      return false;
  }
  return true;
}

} // namespace callscribe::http
