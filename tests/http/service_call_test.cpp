// The pieces shared by the calls to OpenAI-compatible services, as plain functions: no server.
#include "http/service_call.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace http = callscribe::http;

BOOST_AUTO_TEST_SUITE(service_call)

BOOST_AUTO_TEST_CASE(trimmed_drops_ascii_blanks_at_both_ends_only) {
  BOOST_TEST(http::trimmed(" \t\r\n\f\va b\v\f\n\r\t ") == "a b");
  BOOST_TEST(http::trimmed("   ") == "");
  BOOST_TEST(http::trimmed("") == "");
  BOOST_TEST(http::trimmed("\xC2\xA0x") == "\xC2\xA0x"); // a no-break space is not ASCII white space
}

BOOST_AUTO_TEST_CASE(ascii_lower_leaves_other_bytes_alone) {
  BOOST_TEST(http::ascii_lower("HTTPS Whisper-1") == "https whisper-1");
  BOOST_TEST(http::ascii_lower("שלום ÄB") == "שלום Äb");
}

BOOST_AUTO_TEST_CASE(utf8_prefix_ends_on_a_whole_character) {
  const std::string hebrew = "שלום"; // two bytes a letter
  BOOST_TEST(http::utf8_prefix(hebrew, 3) == "ש");
  BOOST_TEST(http::utf8_prefix(hebrew, 4) == "של");
  BOOST_TEST(http::utf8_prefix(hebrew, 100) == hebrew);
  BOOST_TEST(http::utf8_prefix(hebrew, 1) == "");
  BOOST_TEST(http::utf8_prefix("abc", 0) == "");
}

BOOST_AUTO_TEST_CASE(one_line_turns_control_characters_into_spaces) {
  BOOST_TEST(http::one_line("a\nb\r\tc\x7f"
                            "d") == "a b  c d");
  BOOST_TEST(http::one_line("שלום") == "שלום");
}

BOOST_AUTO_TEST_CASE(redacted_masks_every_occurrence) {
  BOOST_TEST(http::redacted("key sk-1 and sk-1 again", "sk-1") == "key *** and *** again");
  BOOST_TEST(http::redacted("sk-1sk-1", "sk-1") == "******");
  BOOST_TEST(http::redacted("no key here", "sk-1") == "no key here");
  BOOST_TEST(http::redacted("nothing to hide", "") == "nothing to hide");
}

// A secret that the mask itself contains: each replacement is stepped past, so these end.
BOOST_AUTO_TEST_CASE(redacted_ends_for_a_secret_inside_the_mask) {
  BOOST_TEST(http::redacted("a*b", "*") == "a***b");
  BOOST_TEST(http::redacted("**", "*") == "******");
  BOOST_TEST(http::redacted("x**y", "**") == "x***y");
  BOOST_TEST(http::redacted("***", "***") == "***");
}

BOOST_AUTO_TEST_CASE(service_error_message_reads_the_usual_shapes) {
  BOOST_TEST(http::service_error_message(R"({"error":{"message":"bad key","type":"auth"}})") == "bad key");
  BOOST_TEST(http::service_error_message(R"({"error":"model not found"})") == "model not found");
  BOOST_TEST(http::service_error_message(R"({"detail":"Not Found"})") == "Not Found");
  BOOST_TEST(http::service_error_message(R"({"message":"slow down"})") == "slow down");
  // An error without a usable message falls through to the other shapes.
  BOOST_TEST(http::service_error_message(R"({"error":{"code":5},"detail":"why"})") == "why");
  BOOST_TEST(http::service_error_message(R"({"error":{"message":""},"message":"why"})") == "why");
}

BOOST_AUTO_TEST_CASE(service_error_message_is_empty_when_there_is_none) {
  BOOST_TEST(http::service_error_message("") == "");
  BOOST_TEST(http::service_error_message("<html>Bad Gateway</html>") == "");
  BOOST_TEST(http::service_error_message(R"(["error"])") == "");
  BOOST_TEST(http::service_error_message(R"({"error":{"message":42}})") == "");
}

BOOST_AUTO_TEST_CASE(parse_http_url_takes_http_and_https_only) {
  http::init_curl();
  BOOST_TEST(static_cast<bool>(http::parse_http_url("https://api.openai.com/v1")));
  BOOST_TEST(static_cast<bool>(http::parse_http_url("HTTP://127.0.0.1:8000/v1/chat/completions")));
  BOOST_TEST(!http::parse_http_url(""));
  BOOST_TEST(!http::parse_http_url("ftp://example.com/file"));
  BOOST_TEST(!http::parse_http_url("file:///etc/passwd"));
  BOOST_TEST(!http::parse_http_url("http://"));
}

BOOST_AUTO_TEST_CASE(host_and_port_names_the_port_only_when_the_url_does) {
  http::init_curl();
  const auto with_port = http::parse_http_url("http://127.0.0.1:8000/v1/audio/transcriptions");
  BOOST_REQUIRE(with_port);
  BOOST_TEST(http::host_and_port(with_port.get()) == "127.0.0.1:8000");
  BOOST_TEST(http::url_component(with_port.get(), CURLUPART_PATH) == "/v1/audio/transcriptions");
  const auto without = http::parse_http_url("https://api.openai.com/v1");
  BOOST_REQUIRE(without);
  BOOST_TEST(http::host_and_port(without.get()) == "api.openai.com");
  BOOST_TEST(http::url_component(without.get(), CURLUPART_QUERY) == "");
}

BOOST_AUTO_TEST_SUITE_END()
