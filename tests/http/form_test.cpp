// Form decoding and Sid syntax: tables of inputs and what they decode to.
#include "http/twilio_form.hpp"
#include "http/twilio_sid.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>

namespace bdata = boost::unit_test::data;
using callscribe::http::form;

namespace {

struct form_case {
  std::string body;
  form expected;
};

std::ostream& operator<<(std::ostream& os, const form_case& c) {
  return os << '"' << c.body << '"';
}

const form_case good_forms[] = {
    {"", {}},
    {"a=1", {{"a", "1"}}},
    {"a=1&b=2", {{"a", "1"}, {"b", "2"}}},
    {"a=hello+world", {{"a", "hello world"}}},
    {"From=%2B972501234567", {{"From", "+972501234567"}}},
    {"a=%41%42%43%4a%4A", {{"a", "ABCJJ"}}},
    {"pct=50%25&plus=%2B&amp=a%26b&eq=x%3Dy=z",
     {{"pct", "50%"}, {"plus", "+"}, {"amp", "a&b"}, {"eq", "x=y=z"}}},
    {"city=%D7%A2%D7%A4%D7%95%D7%9C%D7%94", {{"city", "עפולה"}}},
    {"raw=עפולה", {{"raw", "עפולה"}}}, // unescaped UTF-8 is still UTF-8
    {"k=%F0%9F%94%91", {{"k", "\xF0\x9F\x94\x91"}}},
    {"a=1&a=2&b=3&a=1", {{"a", "1"}, {"a", "2"}, {"b", "3"}, {"a", "1"}}},
    {"empty=&flag&x=", {{"empty", ""}, {"flag", ""}, {"x", ""}}},
    {"a=1&&b=2&", {{"a", "1"}, {"b", "2"}}},
    {"na+me=v", {{"na me", "v"}}},
    {"%3D=%26", {{"=", "&"}}},
};

struct bad_case {
  std::string body;
  std::string error;
};

std::ostream& operator<<(std::ostream& os, const bad_case& c) {
  return os << '"' << c.body << '"';
}

const bad_case bad_forms[] = {
    {"a=%", "bad percent-escape in form body"},   {"a=%4", "bad percent-escape in form body"},
    {"a=%zz", "bad percent-escape in form body"}, {"a=100%", "bad percent-escape in form body"},
    {"%g1=x", "bad percent-escape in form body"}, {"a=%FF", "form body is not UTF-8"},
    {"a=%C0%AF", "form body is not UTF-8"},       // overlong '/'
    {"a=%ED%A0%80", "form body is not UTF-8"},    // a surrogate
    {"a=%D7", "form body is not UTF-8"},          // truncated sequence
    {"a=%F4%90%80%80", "form body is not UTF-8"}, // above U+10FFFF
    {"%FE=1", "form body is not UTF-8"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(form_decoding)

BOOST_DATA_TEST_CASE(decodes, bdata::make(good_forms), c) {
  std::string error;
  auto f = callscribe::http::parse_form(c.body, &error);
  BOOST_TEST_REQUIRE(f.has_value(), error);
  BOOST_TEST_REQUIRE(f->size() == c.expected.size());
  for (std::size_t i = 0; i < f->size(); ++i) {
    BOOST_TEST((*f)[i].first == c.expected[i].first);
    BOOST_TEST((*f)[i].second == c.expected[i].second);
  }
}

BOOST_DATA_TEST_CASE(refuses, bdata::make(bad_forms), c) {
  std::string error;
  auto f = callscribe::http::parse_form(c.body, &error);
  BOOST_TEST(!f.has_value());
  BOOST_TEST(error == c.error);
}

BOOST_AUTO_TEST_CASE(form_value_is_the_first) {
  auto f = callscribe::http::parse_form("a=1&b=2&a=3");
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST(*callscribe::http::form_value(*f, "a") == "1");
  BOOST_TEST(*callscribe::http::form_value(*f, "b") == "2");
  BOOST_TEST(callscribe::http::form_value(*f, "A") == nullptr);
}

BOOST_AUTO_TEST_CASE(url_decode_component_without_plus) {
  bool ok = false;
  BOOST_TEST(callscribe::http::url_decode_component("a+b%20c", false, &ok) == "a+b c");
  BOOST_TEST(ok);
  callscribe::http::url_decode_component("%2", false, &ok);
  BOOST_TEST(!ok);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

struct sid_case {
  std::string sid;
  std::string prefix;
  bool valid;
};

std::ostream& operator<<(std::ostream& os, const sid_case& c) {
  return os << c.prefix << ' ' << c.sid;
}

const sid_case sids[] = {
    {"CA0123456789abcdef0123456789abcdef", "CA", true},
    {"RE0123456789abcdef0123456789abcdef", "RE", true},
    {"AC0123456789abcdef0123456789abcdef", "AC", true},
    {"RE0123456789abcdef0123456789abcdef", "CA", false}, // another kind of Sid
    {"CA0123456789ABCDEF0123456789ABCDEF", "CA", false}, // Twilio's hex is lower case
    {"ca0123456789abcdef0123456789abcdef", "CA", false},
    {"CA0123456789abcdef0123456789abcde", "CA", false},   // 31 digits
    {"CA0123456789abcdef0123456789abcdef0", "CA", false}, // 33 digits
    {"CA0123456789abcdef0123456789abcdeg", "CA", false},
    {"CA1234567890ABCDE", "CA", false},
    {"CA../../../../../../../../etc/passw", "CA", false},
    {"", "CA", false},
};

} // namespace

BOOST_DATA_TEST_CASE(sid_syntax, bdata::make(sids), c) {
  BOOST_TEST(callscribe::http::is_sid(c.sid, c.prefix) == c.valid);
}

BOOST_AUTO_TEST_CASE(sid_shortcuts) {
  BOOST_TEST(callscribe::http::is_call_sid("CA0123456789abcdef0123456789abcdef"));
  BOOST_TEST(callscribe::http::is_recording_sid("RE0123456789abcdef0123456789abcdef"));
  BOOST_TEST(callscribe::http::is_account_sid("AC0123456789abcdef0123456789abcdef"));
  BOOST_TEST(!callscribe::http::is_account_sid("CA0123456789abcdef0123456789abcdef"));
}

BOOST_AUTO_TEST_CASE(an_encoded_form_parses_back_to_itself) {
  const callscribe::http::form f{
      {"From", "+972 50-123"}, {"Body", "מנעולן & key=1%"}, {"Empty", ""}, {"a~b.c_d", "x/y?z"}};
  const auto body = callscribe::http::encode_form(f);
  BOOST_TEST(body.find(' ') == std::string::npos);
  BOOST_TEST(body.find("%2B972%2050-123") != std::string::npos, body);
  auto back = callscribe::http::parse_form(body);
  BOOST_REQUIRE(back);
  BOOST_TEST((*back == f));
}
