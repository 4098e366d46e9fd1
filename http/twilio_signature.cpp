// X-Twilio-Signature: computed and checked exactly as twilio-node's
// webhooks.js (getExpectedTwilioSignature, validateRequest) does.
#include "http/twilio_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <vector>

namespace callscribe::http {

namespace {

// twilio-node sorts names and values with JavaScript's default sort, which
// compares UTF-16 code units; that differs from byte order only when a
// character above U+FFFF meets one in U+E000..U+FFFF, but we match it anyway.
std::u16string to_utf16(const std::string& s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t len = b < 0x80             ? 1
                      : (b & 0xE0) == 0xC0 ? 2
                      : (b & 0xF0) == 0xE0 ? 3
                      : (b & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (len == 0 || i + len > s.size()) {
      out += u'\uFFFD'; // parse_form only passes UTF-8; this is for other callers
      ++i;
      continue;
    }
    std::uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<std::uint8_t>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
    i += len;
  }
  return out;
}

bool ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

struct js_string_less {
  bool operator()(const std::string& a, const std::string& b) const {
    // ASCII (every callback Twilio sends, in practice) orders the same as
    // UTF-16 code units; converting both sides on every comparison was a
    // third of the check's time.
    if (ascii(a) && ascii(b))
      return a < b;
    return to_utf16(a) < to_utf16(b);
  }
};

// The parts of twilio-node's splitUrl(): scheme with "://", user info with
// '@', host, port with ':', and the rest. Done by hand rather than with
// curl_url because the URL must keep the exact characters Twilio signed.
struct url_parts {
  std::string scheme, user_info, host, port, rest;
};

bool split_url(const std::string& url, url_parts& p) {
  // ^([a-z][a-z0-9+.-]*://)([^/?#]*)
  std::size_t i = 0;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (url.empty() || !alpha(url[0]))
    return false;
  while (i < url.size() && (alpha(url[i]) || (url[i] >= '0' && url[i] <= '9') || url[i] == '+' ||
                            url[i] == '.' || url[i] == '-'))
    ++i;
  if (url.compare(i, 3, "://") != 0)
    return false;
  std::size_t authority_start = i + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string::npos)
    authority_end = url.size();
  std::string authority = url.substr(authority_start, authority_end - authority_start);
  std::size_t at = authority.rfind('@');
  std::size_t host_start = at == std::string::npos ? 0 : at + 1;
  std::string host_and_port = authority.substr(host_start);
  // A colon only starts the port after the closing bracket of an IPv6 literal.
  std::size_t bracket = host_and_port.rfind(']');
  std::size_t colon = host_and_port.find(':', bracket == std::string::npos ? 0 : bracket + 1);
  p.scheme = url.substr(0, authority_start);
  p.user_info = authority.substr(0, host_start);
  p.host = host_and_port.substr(0, colon);
  p.port = colon == std::string::npos ? "" : host_and_port.substr(colon);
  p.rest = url.substr(authority_end);
  return true;
}

std::string add_port(const std::string& url) {
  url_parts p;
  if (!split_url(url, p) || !p.port.empty())
    return url;
  std::string scheme = p.scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return p.scheme + p.user_info + p.host + (scheme == "https://" ? ":443" : ":80") + p.rest;
}

// Like twilio-node, removes any port, not only the default one.
std::string remove_port(const std::string& url) {
  url_parts p;
  if (!split_url(url, p))
    return url;
  return p.scheme + p.user_info + p.host + p.rest;
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  // The length of a signature is fixed by the algorithm, not secret.
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// What follows the URL in the signed text: every name with each of its
// distinct values, sorted. Repeated names carry their distinct values in
// sorted order: twilio-node does Array.from(new Set(values)).sort(), so a
// repeated identical pair is signed once.
std::string signed_params(const form& params) {
  std::map<std::string, std::vector<std::string>, js_string_less> by_name;
  for (const auto& [name, value] : params)
    by_name[name].push_back(value);
  std::string data;
  for (auto& [name, values] : by_name) {
    std::sort(values.begin(), values.end(), js_string_less{});
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const auto& v : values)
      data.append(name).append(v);
  }
  return data;
}

// HMAC-SHA1 keyed with the auth token, made once per thread and copied for
// each message: OpenSSL 3's one-shot HMAC() looks up the algorithm and
// hashes the key again on every call.
class keyed_hmac {
public:
  ~keyed_hmac() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  // A context ready for the message, keyed with `key`; the caller frees it.
  EVP_MAC_CTX* start(const std::string& key) {
    if (!ctx_ || key != key_) {
      if (!mac_)
        mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      EVP_MAC_CTX_free(ctx_);
      ctx_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
      char digest[] = "SHA1";
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                             OSSL_PARAM_construct_end()};
      if (ctx_ &&
          EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
        EVP_MAC_CTX_free(ctx_);
        ctx_ = nullptr;
      }
      key_ = key;
    }
    return ctx_ ? EVP_MAC_CTX_dup(ctx_) : nullptr;
  }

private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  std::string key_;
};

std::string signature_of(const std::string& auth_token, const std::string& url, const std::string& params) {
  thread_local keyed_hmac keyed;
  EVP_MAC_CTX* ctx = keyed.start(auth_token);
  unsigned char mac[EVP_MAX_MD_SIZE];
  std::size_t mac_len = 0;
  bool ok = ctx && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(url.data()), url.size()) == 1 &&
            EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(params.data()), params.size()) == 1 &&
            EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok)
    return {}; // never equal to a signature Twilio sent
  std::string b64(4 * ((mac_len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(mac_len));
  b64.resize(static_cast<std::size_t>(n));
  return b64;
}

} // namespace

std::string twilio_signature(const std::string& auth_token, const std::string& url, const form& params) {
  return signature_of(auth_token, url, signed_params(params));
}

bool twilio_signature_valid(const std::string& auth_token, const std::string& url, const form& params,
                            const std::string& signature) {
  // validateRequest tries removePort(url) and addPort(url): between them
  // they always include the URL as received. Its further fallback to the
  // WHATWG-normalised URL is for servers that rewrote the URL they saw;
  // ours is public_url + the raw request target, which is what Twilio signed.
  const std::string sorted = signed_params(params);
  bool valid = false;
  for (const auto& candidate : {remove_port(url), add_port(url)})
    valid = equal_constant_time(signature, signature_of(auth_token, candidate, sorted)) || valid;
  return valid;
}

} // namespace callscribe::http
