// X-Twilio-Signature against vectors made by twilio-node itself
// (data/make_signature_vectors.js) and Twilio's documented example.
#include "http/twilio_form.hpp"
#include "http/twilio_signature.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using callscribe::http::form;
using callscribe::http::parse_form;
using callscribe::http::twilio_signature;
using callscribe::http::twilio_signature_valid;

BOOST_AUTO_TEST_SUITE(signature)

BOOST_AUTO_TEST_CASE(twilio_documented_example) {
  const form params = {{"CallSid", "CA1234567890ABCDE"},
                       {"Caller", "+12349013030"},
                       {"Digits", "1234"},
                       {"From", "+12349013030"},
                       {"To", "+18005551212"}};
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  BOOST_TEST(twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  BOOST_TEST(twilio_signature_valid("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  BOOST_TEST(twilio_signature_valid("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", params,
                                    "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  BOOST_TEST(!twilio_signature_valid("12346", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
  BOOST_TEST(!twilio_signature_valid("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));
  BOOST_TEST(!twilio_signature_valid("12345", url, params, ""));
}

BOOST_AUTO_TEST_CASE(parameter_order_does_not_matter) {
  const form a = {{"b", "2"}, {"a", "1"}, {"a", "0"}};
  const form b = {{"a", "0"}, {"a", "1"}, {"b", "2"}};
  BOOST_TEST(twilio_signature("t", "https://x/", a) == twilio_signature("t", "https://x/", b));
  // Name then value, concatenated: "a0a1b2" is not "a1b2".
  const form c = {{"a", "1"}, {"b", "2"}};
  BOOST_TEST(twilio_signature("t", "https://x/", a) != twilio_signature("t", "https://x/", c));
}

BOOST_AUTO_TEST_CASE(vectors_from_twilio_node) {
  std::ifstream in(CALLSCRIBE_SOURCE_DIR "/tests/http/data/signature_vectors.json");
  BOOST_TEST_REQUIRE(in.good());
  auto doc = nlohmann::json::parse(in);
  const auto& vectors = doc.at("vectors");
  BOOST_TEST_REQUIRE(vectors.size() >= 10u);
  int checks = 0;
  for (const auto& v : vectors) {
    BOOST_TEST_CONTEXT("vector " << v.at("name").get<std::string>()) {
      std::string error;
      auto params = parse_form(v.at("body").get<std::string>(), &error);
      BOOST_TEST_REQUIRE(params.has_value(), error);
      const auto token = v.at("auth_token").get<std::string>();
      BOOST_TEST(twilio_signature(token, v.at("url").get<std::string>(), *params) ==
                 v.at("signature").get<std::string>());
      for (const auto& check : v.at("validate")) {
        BOOST_TEST_CONTEXT("seen as " << check.at("url").get<std::string>() << " with signature '"
                                      << check.at("signature").get<std::string>() << "'") {
          BOOST_TEST(twilio_signature_valid(token, check.at("url").get<std::string>(), *params,
                                            check.at("signature").get<std::string>()) ==
                     check.at("valid").get<bool>());
          ++checks;
        }
      }
    }
  }
  BOOST_TEST(checks >= 50);
}

BOOST_AUTO_TEST_SUITE_END()
