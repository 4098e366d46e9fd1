// The gazetteer on whole transcripts: Hebrew and English, prefixes, spelling
// variants, aliases, lists, confidence. Speed: bench/bench_extract.cpp.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "extraction/gazetteer.hpp"
#include "tests/extraction/shared_gazetteer.hpp"

#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace callscribe::extraction;
using callscribe::extraction::testing::shared_gazetteer;

namespace {

const char* const afula_locks =
    R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת", "locksmith"]}])";
const char* const afula_locks_no_door = R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "locksmith"]}])";
const char* const locksmith = R"([{"name": "locksmith"}])";
const char* const plumber = R"([{"name": "plumber", "aliases": ["leak", "leaking", "sink"]}])";
const char* const two_trades = R"([{"name": "locksmith"}, {"name": "plumber", "aliases": ["plumbing"]}])";

struct example {
  const char* what;
  const char* transcript;
  const char* services;
  const char* places;
  const char* language;
  const char* service; // expected
  const char* city;    // expected
  double confidence;   // expected, to two decimals
};

std::ostream& operator<<(std::ostream& os, const example& e) {
  return os << e.what;
}

const std::vector<example> examples{
    {"prefix ב on a city", "מנעולן בעפולה", afula_locks, R"(["il"])", "he", "מנעולן", "עפולה", 0.95},
    {"alias and a two-word city", "אני צריך פורץ מנעולים בקריית שמונה", afula_locks, R"(["il"])", "he",
     "מנעולן", "קריית שמונה", 0.95},
    {"defective spelling", "צריך מנעולן בקרית שמונה", afula_locks, R"(["il"])", "he", "מנעולן", "קריית שמונה",
     0.86},
    {"niqqud", "צָרִיךְ מַנְעוּלָן בַּעֲפוּלָה", afula_locks, R"(["il"])", "he", "מנעולן", "עפולה", 0.95},
    {"city only when no alias matches", "ננעלתי מחוץ לבית בתל אביב", afula_locks_no_door, R"(["il"])", "he",
     "", "תל אביב-יפו", 0.8},
    {"the alias that was missing", "ננעלתי מחוץ לבית בתל אביב, צריך פריצת דלת", afula_locks, R"(["il"])",
     "he", "מנעולן", "תל אביב-יפו", 0.95},
    {"two prefixes on a service", "אני מחפש ולמנעולן שבחיפה", afula_locks, R"(["il"])", "he", "מנעולן",
     "חיפה", 0.95},
    {"a name that starts with a prefix letter", "מנעולן במגדל העמק", afula_locks, R"(["il"])", "he", "מנעולן",
     "מגדל העמק", 0.95},
    {"another one", "אני גר בבית שאן", afula_locks, R"(["il"])", "he", "", "בית שאן", 0.8},
    {"full spelling in the transcript, full in the list", "מנעולן בהרצלייה", afula_locks, R"(["il"])", "he",
     "מנעולן", "הרצלייה", 0.95},
    {"defective הרצליה", "מנעולן בהרצליה", afula_locks, R"(["il"])", "he", "מנעולן", "הרצלייה", 0.86},
    {"a break-in is not Hadera", "הייתה חדירה לבית", afula_locks, R"(["il"])", "he", "", "", 0},
    {"an everyday word is not a town", "אני באזור המרכז", afula_locks, R"(["il"])", "he", "", "", 0},
    {"English locksmith in Boston", "I need a locksmith in Boston", locksmith, R"(["us"])", "en", "locksmith",
     "Boston, MA", 0.95},
    {"aliases and a lower-case two-word city", "my sink is leaking, I'm in san antonio", plumber, R"(["us"])",
     "en", "plumber", "San Antonio, TX", 0.95},
    {"English name of an Israeli town", "locksmith in Afula", locksmith, R"(["il"])", "en", "locksmith",
     "Afula", 0.95},
    {"Hebrew transcript, English business", "מנעולן בעפולה", afula_locks, R"(["il"])", "en", "מנעולן",
     "Afula", 0.95},
    {"CBS English with a hyphen", "a locksmith in tel aviv please", locksmith, R"(["il"])", "en", "locksmith",
     "Tel Aviv - Yafo", 0.95},
    {"plural of a service", "do you have locksmiths in new york", locksmith, R"(["us"])", "en", "locksmith",
     "New York, NY", 0.95},
    {"longest name wins", "I live in New York City near York street", locksmith, R"(["us"])", "en", "",
     "New York, NY", 0.8},
    {"a one-letter error in a longer name", "locksmith in san antonia", locksmith, R"(["us"])", "en",
     "locksmith", "San Antonio, TX", 0.71},
    {"a sound-alike ending in Hebrew (א for ה)", "מנעולן בקריית שמונא", afula_locks, R"(["il"])", "he",
     "מנעולן", "קריית שמונה", 0.86},
    {"a one-letter error in Hebrew", "מנעולן בקריית שמוגה", afula_locks, R"(["il"])", "he", "מנעולן",
     "קריית שמונה", 0.71},
    {"no error on a one-word place out of the blue", "bostn locksmith", locksmith, R"(["us"])", "en",
     "locksmith", "", 0.8},
    {"one right after a word asking for a place", "locksmith in bostn", locksmith, R"(["us"])", "en",
     "locksmith", "Boston, MA", 0.64},
    {"not for a small town", "locksmith in sheboygn", locksmith, R"(["us"])", "en", "locksmith", "", 0.8},
    {"an error in a service word", "need a lockmsith", locksmith, R"(["us"])", "en", "locksmith", "", 0.6},
    {"no error allowed on a short word", "locksmith in lodi or lod", locksmith, R"(["il"])", "en",
     "locksmith", "Lod", 0.95},
    {"saint for St.", "need a plumber in saint louis", two_trades, R"(["us"])", "en", "plumber",
     "St. Louis, MO", 0.95},
    {"two services named", "a locksmith or maybe plumbing in Denver", two_trades, R"(["us"])", "en",
     "locksmith", "Denver, CO", 0.71},
    {"two cities named: the larger", "locksmith in Boston or Chicago", locksmith, R"(["us"])", "en",
     "locksmith", "Chicago, IL", 0.71},
    {"the city said twice wins", "Chicago, well, Boston, I'm in Boston", locksmith, R"(["us"])", "en", "",
     "Boston, MA", 0.6},
    {"nothing", "hello, how are you", locksmith, R"(["us"])", "en", "", "", 0},
    {"no city in an ordinary sentence", "I am at home and the door is locked, can you come today", locksmith,
     R"(["us"])", "en", "", "", 0},
    {"no city in everyday words", "my mobile number, I was reading it, the orange temple in union", locksmith,
     R"(["us"])", "en", "", "", 0},
    {"empty transcript", "", locksmith, R"(["us"])", "en", "", "", 0},
    {"both lists", "locksmith in Haifa", locksmith, R"(["il", "us"])", "en", "locksmith", "Haifa", 0.95},
};

} // namespace

BOOST_DATA_TEST_CASE(extracts, bdata::make(examples), e) {
  auto c = parse_catalogue(e.services, e.places, e.language);
  auto r = shared_gazetteer().extract(c, e.transcript);
  BOOST_TEST(r.service == e.service);
  BOOST_TEST(r.city == e.city);
  BOOST_TEST(r.confidence == e.confidence, boost::test_tools::tolerance(0.001));
  BOOST_TEST_MESSAGE(e.what << ": " << evidence_json(r.evidence) << " (" << r.confidence << ")");
  if (r.confidence == 0)
    BOOST_TEST(r.evidence.empty());
}

BOOST_AUTO_TEST_CASE(evidence_names_the_words_said) {
  auto c = parse_catalogue(locksmith, R"(["us"])", "en");
  std::string text = "I need a locksmith in Boston";
  auto r = shared_gazetteer().extract(c, text);
  BOOST_TEST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[0].field == "service");
  BOOST_TEST(r.evidence[0].text == "locksmith");
  BOOST_TEST(text.substr(r.evidence[0].begin, r.evidence[0].end - r.evidence[0].begin) == "locksmith");
  BOOST_TEST(r.evidence[0].match == "exact");
  BOOST_TEST(r.evidence[0].channel == "");
  BOOST_TEST(r.evidence[1].field == "city");
  BOOST_TEST(r.evidence[1].text == "Boston");
  c = parse_catalogue(afula_locks, R"(["il"])", "he");
  r = shared_gazetteer().extract(c, two_channel_text("צריך מנעולן בקרית שמונה", "בסדר"));
  BOOST_TEST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[1].text == "בקרית שמונה");
  BOOST_TEST(r.evidence[1].match == "spelling");
  BOOST_TEST(r.evidence[1].channel == "caller");
  BOOST_TEST(evidence_json(r.evidence).find(R"("text":"בקרית שמונה")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_place_file_of_the_us_layout) {
  std::string path = CALLSCRIBE_SOURCE_DIR "/config/places/us_cities.tsv";
  auto c = parse_catalogue(locksmith, "[\"" + path + "\"]", "en");
  auto r = shared_gazetteer().extract(c, "locksmith in Chicago");
  BOOST_TEST(r.city == "Chicago, IL");
}

BOOST_AUTO_TEST_CASE(a_missing_list_is_a_catalogue_error) {
  catalogue c;
  c.places = {"/no/such/list.tsv"};
  gazetteer g(CALLSCRIBE_SOURCE_DIR "/config/places");
  BOOST_CHECK_THROW(g.preload(c), catalogue_error);
  BOOST_CHECK_THROW(g.extract(c, "Boston"), catalogue_error);
}

BOOST_AUTO_TEST_CASE(vocabulary_lists_services_then_the_largest_places_in_the_business_language) {
  auto he = shared_gazetteer().vocabulary(parse_catalogue(afula_locks, R"(["il"])", "he"), 3);
  BOOST_REQUIRE(he.size() >= 4u);
  BOOST_TEST(he[0] == "מנעולן");
  // Jerusalem is Israel's most populous locality; the names are Hebrew.
  BOOST_TEST((std::find(he.begin(), he.end(), "ירושלים") != he.end()));
  auto en = shared_gazetteer().vocabulary(parse_catalogue(locksmith, R"(["us"])", "en"), 2);
  BOOST_TEST(en.back() == "Los Angeles");
  BOOST_TEST((std::find(en.begin(), en.end(), "New York") != en.end()));
}
