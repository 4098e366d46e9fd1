// A Twilio recording-status callback, checked from signature to fields.
#pragma once

#include "http/twilio_form.hpp"

#include <optional>
#include <string>

namespace callscribe::http {

struct twilio_settings {
  std::string account_sid;
  std::string auth_token;
  std::string public_url; // what Twilio signs: public_url + path + query
  std::string api_base;   // recording URLs must be on this origin
  bool validate_signature = true;
};

struct recording_callback {
  std::string account_sid;
  std::string call_sid;
  std::string recording_sid;
  std::string recording_url;
  std::string recording_status; // completed, in-progress, absent, failed
  int duration_seconds = 0;
  int channels = 1;
  std::string from; // only on <Record action> posts
  std::string to;
};

struct callback_check {
  int status = 200;   // 200, or 400 / 403 with `reason`
  std::string reason; // one line
  std::optional<recording_callback> callback;
};

// `target` is the request's path and query; `signature` the header (empty
// when missing). Checks, in order: form syntax, signature (403), AccountSid
// (403), required fields and Sid formats (400), RecordingUrl on api_base's
// origin (400), numbers.
callback_check check_recording_callback(const twilio_settings& s, const std::string& target,
                                        const std::string& body, const std::string& signature);

// A voice webhook or a call-status callback: the call and how it stands.
struct call_callback {
  std::string call_sid;
  std::string from; // as Twilio gives them: a number, client:…, sip:…, or anonymous
  std::string to;
  std::string direction;   // inbound, outbound-dial, outbound-api…
  std::string call_status; // ringing, in-progress, completed, busy, no-answer, failed, canceled
};

struct call_check {
  int status = 200;
  std::string reason;
  std::optional<call_callback> call;
};

// The same checks as check_recording_callback, then a Call Sid (400 when
// missing or not CA + 32 hex).
call_check check_call_callback(const twilio_settings& s, const std::string& target, const std::string& body,
                               const std::string& signature);

// What is wrong with a recording to enqueue, as a one-line reason (empty:
// nothing): Sids in Twilio's formats, a RecordingUrl on api_base's origin.
// The recording-status callback and the admin API's POST /api/recordings
// check the same.
std::string recording_problem(const twilio_settings& s, const std::string& call_sid,
                              const std::string& recording_sid, const std::string& recording_url);

// Whether `authorization` (the header, or null) is "Bearer <token>", in time
// that does not depend on where they differ. An empty token matches nothing.
bool bearer_matches(const std::string* authorization, const std::string& token);

// Checks the signature and AccountSid of any Twilio post; on success returns
// the decoded form. The same 400/403 rules as above.
struct form_check {
  int status = 200;
  std::string reason;
  form fields;
};
form_check check_twilio_post(const twilio_settings& s, const std::string& target, const std::string& body,
                             const std::string& signature);

} // namespace callscribe::http
