// Decoding of application/x-www-form-urlencoded bodies, as Twilio posts them.
#include "http/twilio_form.hpp"

#include <cctype>

#include <cstdint>

namespace callscribe::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF, so every value we store and sign is text Twilio could have sent.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size())
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

} // namespace

std::string url_decode_component(std::string_view s, bool plus_is_space, bool* ok) {
  std::string out;
  out.reserve(s.size());
  bool good = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        good = false;
        out += c; // keep going so the caller still gets something printable
        continue;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  if (ok)
    *ok = good;
  return out;
}

std::optional<form> parse_form(std::string_view body, std::string* error) {
  form out;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos)
      end = body.size();
    std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty())
      continue; // "a=1&&b=2" and a trailing '&' are harmless
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    bool name_ok = false, value_ok = false;
    std::string name = url_decode_component(raw_name, true, &name_ok);
    std::string value = url_decode_component(raw_value, true, &value_ok);
    if (!name_ok || !value_ok) {
      if (error)
        *error = "bad percent-escape in form body";
      return std::nullopt;
    }
    if (!valid_utf8(name) || !valid_utf8(value)) {
      if (error)
        *error = "form body is not UTF-8";
      return std::nullopt;
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

const std::string* form_value(const form& f, const std::string& name) {
  for (const auto& [k, v] : f)
    if (k == name)
      return &v;
  return nullptr;
}

std::string encode_form(const form& f) {
  static const char hex[] = "0123456789ABCDEF";
  auto encode = [](std::string& out, const std::string& s) {
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
    }
  };
  std::string out;
  for (const auto& [k, v] : f) {
    if (!out.empty())
      out += '&';
    encode(out, k);
    out += '=';
    encode(out, v);
  }
  return out;
}

} // namespace callscribe::http
