// Checks of Twilio's webhook posts, from form syntax and signature to the
// fields of a recording-status callback; every refusal is one line.
#include "http/twilio_callback.hpp"

#include "http/fetch.hpp"
#include "http/twilio_sid.hpp"
#include "http/twilio_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace callscribe::http {

namespace {

// A present but empty field is treated as absent: Twilio sends some fields
// empty (RecordingDuration on a failed recording, for one).
const std::string* nonempty(const form& f, const std::string& name) {
  const std::string* v = form_value(f, name);
  return v && !v->empty() ? v : nullptr;
}

// Decimal integer, optional leading '-', no spaces; Twilio has sent -1 for
// a duration it does not know.
bool parse_int(const std::string& s, int& out) {
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() > 10)
    return false;
  for (std::size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9')
      return false;
  errno = 0;
  long v = std::strtol(s.c_str(), nullptr, 10);
  if (errno != 0 || v > std::numeric_limits<int>::max() || v < std::numeric_limits<int>::min())
    return false;
  out = static_cast<int>(v);
  return true;
}

bool is_http_url(const std::string& url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

std::string without_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

} // namespace

form_check check_twilio_post(const twilio_settings& s, const std::string& target, const std::string& body,
                             const std::string& signature) {
  form_check out;
  std::string error;
  auto fields = parse_form(body, &error);
  if (!fields) {
    out.status = 400;
    out.reason = error;
    return out;
  }
  if (s.validate_signature) {
    // An empty key is a key anyone can sign with.
    if (s.auth_token.empty()) {
      out.status = 403;
      out.reason = "no Twilio auth token is configured (TWILIO_AUTH_TOKEN)";
      return out;
    }
    if (signature.empty()) {
      out.status = 403;
      out.reason = "missing X-Twilio-Signature";
      return out;
    }
    // Twilio signs the URL it called: the public URL configured on the
    // number plus the request target exactly as it arrived.
    std::string url = without_trailing_slash(s.public_url) + target;
    if (!twilio_signature_valid(s.auth_token, url, *fields, signature)) {
      out.status = 403;
      out.reason = "invalid X-Twilio-Signature";
      return out;
    }
  }
  const std::string* account = form_value(*fields, "AccountSid");
  if (!account || s.account_sid.empty() || *account != s.account_sid) {
    out.status = 403;
    out.reason = "AccountSid does not match";
    return out;
  }
  out.fields = std::move(*fields);
  return out;
}

callback_check check_recording_callback(const twilio_settings& s, const std::string& target,
                                        const std::string& body, const std::string& signature) {
  callback_check out;
  form_check post = check_twilio_post(s, target, body, signature);
  auto refuse = [&out](int status, std::string reason) {
    out.status = status;
    out.reason = std::move(reason);
    return out;
  };
  if (post.status != 200)
    return refuse(post.status, post.reason);
  const form& f = post.fields;

  recording_callback cb;
  cb.account_sid = *form_value(f, "AccountSid");
  for (const char* name : {"CallSid", "RecordingSid"})
    if (!nonempty(f, name))
      return refuse(400, std::string("missing ") + name);
  cb.call_sid = *nonempty(f, "CallSid");
  cb.recording_sid = *nonempty(f, "RecordingSid");
  if (const std::string* url = nonempty(f, "RecordingUrl"))
    cb.recording_url = *url;
  if (const std::string* status = nonempty(f, "RecordingStatus"))
    cb.recording_status = *status;
  else if (!cb.recording_url.empty())
    cb.recording_status = "completed"; // a <Record action> post carries no RecordingStatus
  else
    return refuse(400, "missing RecordingStatus");
  if (cb.recording_status == "completed" && cb.recording_url.empty())
    return refuse(400, "missing RecordingUrl");

  if (auto problem = recording_problem(s, cb.call_sid, cb.recording_sid, cb.recording_url); !problem.empty())
    return refuse(400, problem);

  if (const std::string* d = nonempty(f, "RecordingDuration")) {
    if (!parse_int(*d, cb.duration_seconds))
      return refuse(400, "RecordingDuration is not an integer");
    if (cb.duration_seconds < 0)
      cb.duration_seconds = 0;
  }
  if (const std::string* c = nonempty(f, "RecordingChannels")) {
    if (!parse_int(*c, cb.channels) || (cb.channels != 1 && cb.channels != 2))
      return refuse(400, "RecordingChannels must be 1 or 2");
  }
  // From/To are only on <Record action> posts; kept as text (a number, or
  // client:/sip: addresses), already checked to be UTF-8 by parse_form.
  if (const std::string* from = form_value(f, "From"))
    cb.from = *from;
  if (const std::string* to = form_value(f, "To"))
    cb.to = *to;
  out.callback = std::move(cb);
  return out;
}

std::string recording_problem(const twilio_settings& s, const std::string& call_sid,
                              const std::string& recording_sid, const std::string& recording_url) {
  if (!is_call_sid(call_sid))
    return "CallSid is not a Twilio Call Sid (CA + 32 hex)";
  if (!is_recording_sid(recording_sid))
    return "RecordingSid is not a Twilio Recording Sid (RE + 32 hex)";
  if (!recording_url.empty() && (!is_http_url(recording_url) || !same_origin(recording_url, s.api_base)))
    return "RecordingUrl is not on " + without_trailing_slash(s.api_base);
  return {};
}

bool bearer_matches(const std::string* authorization, const std::string& token) {
  if (!authorization || token.empty())
    return false;
  // Digests of both, compared in full: neither the length nor the first
  // differing byte shows in the time taken.
  auto digest = [](const std::string& s) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
    return d;
  };
  const auto given = digest(*authorization), wanted = digest("Bearer " + token);
  return CRYPTO_memcmp(given.data(), wanted.data(), given.size()) == 0;
}

call_check check_call_callback(const twilio_settings& s, const std::string& target, const std::string& body,
                               const std::string& signature) {
  call_check out;
  form_check post = check_twilio_post(s, target, body, signature);
  if (post.status != 200) {
    out.status = post.status;
    out.reason = post.reason;
    return out;
  }
  const form& f = post.fields;
  const std::string* call_sid = nonempty(f, "CallSid");
  if (!call_sid || !is_call_sid(*call_sid)) {
    out.status = 400;
    out.reason = call_sid ? "CallSid is not a Twilio Call Sid (CA + 32 hex)" : "missing CallSid";
    return out;
  }
  call_callback c;
  c.call_sid = *call_sid;
  auto copy = [&f](const char* name, std::string& into) {
    if (const std::string* v = form_value(f, name))
      into = *v;
  };
  copy("From", c.from);
  copy("To", c.to);
  copy("Direction", c.direction);
  copy("CallStatus", c.call_status);
  out.call = std::move(c);
  return out;
}

} // namespace callscribe::http
