// TwiML answers to a voice webhook: dial the business and record the call,
// or say a polite no. Every value is escaped; the output is one XML document.
#pragma once

#include <string>
#include <string_view>

namespace callscribe::http {

// `s` with & < > " ' as XML entities, for text and attribute values alike.
std::string xml_escape(std::string_view s);

// Dials `forward_to` and records both sides from answer on two channels;
// Twilio posts the finished recording to `recording_callback_url`.
std::string dial_and_record(const std::string& forward_to, const std::string& recording_callback_url);

// A business without a number to forward to: the caller leaves a message,
// posted to `recording_callback_url` like a dialled call's recording.
std::string record_message(const std::string& greeting, const std::string& recording_callback_url);

// Says `message` and hangs up: for a number no business owns.
std::string say_and_hang_up(const std::string& message);

} // namespace callscribe::http
