#include "http/twiml.hpp"

namespace callscribe::http {
namespace {

const char* const declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

} // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      // Control characters other than tab and new lines are not allowed in
      // XML 1.0 at all: drop them rather than answer a document Twilio rejects.
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
        break;
      out += c;
    }
  }
  return out;
}

std::string dial_and_record(const std::string& forward_to, const std::string& recording_callback_url) {
  return std::string(declaration) +
         "<Response><Dial record=\"record-from-answer-dual\" recordingStatusCallback=\"" +
         xml_escape(recording_callback_url) +
         "\" recordingStatusCallbackEvent=\"completed\" recordingStatusCallbackMethod=\"POST\"><Number>" +
         xml_escape(forward_to) + "</Number></Dial></Response>";
}

std::string record_message(const std::string& greeting, const std::string& recording_callback_url) {
  return std::string(declaration) + "<Response><Say>" + xml_escape(greeting) +
         "</Say><Record recordingStatusCallback=\"" + xml_escape(recording_callback_url) +
         "\" recordingStatusCallbackEvent=\"completed\" recordingStatusCallbackMethod=\"POST\" "
         "maxLength=\"300\" playBeep=\"true\"/><Hangup/></Response>";
}

std::string say_and_hang_up(const std::string& message) {
  return std::string(declaration) + "<Response><Say>" + xml_escape(message) + "</Say><Hangup/></Response>";
}

} // namespace callscribe::http
