// parse_catalogue: the businesses.json shapes it accepts and the one-line
// reasons it gives for the ones it does not.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "extraction/gazetteer.hpp"

#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace callscribe::extraction;

BOOST_AUTO_TEST_CASE(parses_the_design_example) {
  auto c = parse_catalogue(R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת", "locksmith"]},
                               {"name": "plumber"}])",
                           R"(["il", "us"])", "he");
  BOOST_REQUIRE_EQUAL(c.services.size(), 2u);
  BOOST_TEST(c.services[0].name == "מנעולן");
  BOOST_TEST(c.services[0].aliases.size() == 3u);
  BOOST_TEST(c.services[1].aliases.empty());
  BOOST_TEST(c.places == (std::vector<std::string>{"il", "us"}));
  BOOST_TEST(c.language == "he");
}

BOOST_AUTO_TEST_CASE(accepts_an_existing_place_file) {
  std::string path = CALLSCRIBE_SOURCE_DIR "/config/places/us_cities.tsv";
  auto c = parse_catalogue("[]", "[\"" + path + "\"]", "en");
  BOOST_TEST(c.places.at(0) == path);
}

namespace {

struct bad_input {
  const char* services;
  const char* places;
  const char* reason; // part of the message
};

std::ostream& operator<<(std::ostream& os, const bad_input& b) {
  return os << b.services << " / " << b.places;
}

const std::vector<bad_input> bad_inputs{
    {"{\"name\": \"x\"}", "[]", "services must be a JSON array"},
    {"[{\"name\": \"x\"", "[]", "not valid JSON"},
    {"[{\"aliases\": [\"y\"]}]", "[]", "services[0] has no \"name\""},
    {"[{\"name\": \"\"}]", "[]", "services[0].name is empty"},
    {"[{\"name\": 3}]", "[]", "services[0].name must be a string"},
    {"[\"locksmith\"]", "[]", "services[0] must be an object"},
    {"[{\"name\": \"x\", \"aliases\": \"y\"}]", "[]", "aliases must be an array"},
    {"[{\"name\": \"x\", \"aliases\": [\"y\", 1]}]", "[]", "services[0].aliases[1] must be a string"},
    {"[]", "\"il\"", "places must be a JSON array"},
    {"[]", "[\"il\", 7]", "places[1] must be a string"},
    {"[]", "[\"fr\"]", "'fr' is neither"},
    {"[]", "[\"/no/such/places.tsv\"]", "is neither"},
};

} // namespace

BOOST_DATA_TEST_CASE(rejects_malformed_input, bdata::make(bad_inputs), bad) {
  try {
    parse_catalogue(bad.services, bad.places, "en");
    BOOST_FAIL("no catalogue_error");
  } catch (const catalogue_error& e) {
    std::string what = e.what();
    BOOST_TEST(what.find(bad.reason) != std::string::npos, "message: " << what);
    BOOST_TEST(what.find('\n') == std::string::npos);
  }
}
