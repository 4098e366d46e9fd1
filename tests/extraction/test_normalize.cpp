// Normalisation and word variants: final letters, niqqud, punctuation, Hebrew
// prefixes, spelling keys, edit distance.
#define BOOST_TEST_MODULE extraction
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "extraction/normalize.hpp"
#include "extraction/spelling.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace callscribe::extraction;

namespace {

struct form {
  std::string in, out;
};

std::ostream& operator<<(std::ostream& os, const form& f) {
  return os << '"' << f.in << "\" -> \"" << f.out << '"';
}

const std::vector<form> normal_forms{
    {"Tel Aviv", "tel aviv"},
    {"TEL-AVIV", "tel aviv"},
    {"Tel Aviv - Yafo", "tel aviv yafo"},
    {"תל אביב-יפו", "תל אביב יפו"},
    {"תל אביב־יפו", "תל אביב יפו"}, // maqaf
    {"עֲפוּלָה", "עפולה"},             // niqqud
    {"בְּרֵאשִׁ֖ית", "בראשית"},           // niqqud and a cantillation mark
    {"מנעולן", "מנעולנ"},           // final nun
    {"ץ ך ם ן ף", "צ כ מ נ פ"},     // every final letter
    {"כפר הרא\"ה", "כפר הראה"},     // gershayim as ASCII "
    {"צה״ל", "צהל"},                // gershayim as ״
    {"ג׳סר", "גסר"},                // geresh
    {"Be'er Sheva", "beer sheva"},
    {"Boston's", "boston"},
    {"O’Fallon", "ofallon"},
    {"Cañon City", "canon city"},
    {"ＮＥＷ ＹＯＲＫ", "new york"}, // full-width
    {"Stra\xC3\x9F"
     "e",
     "strasse"}, // case folding, not lower-casing
    {"I need a locksmith, in Boston!", "i need a locksmith in boston"},
    {"  \"quoted\"  ", "quoted"},
    {"\xE2\x80\x8F"
     "עפולה",
     "עפולה"}, // right-to-left mark
    {"", ""},
};

} // namespace

BOOST_DATA_TEST_CASE(normal_form, bdata::make(normal_forms), sample) {
  BOOST_TEST(normalize_text(sample.in) == sample.out);
}

BOOST_AUTO_TEST_CASE(tokens_remember_their_place_in_the_text) {
  std::string text = "אני בעפולה, \"Boston\".";
  auto tokens = tokenize(text);
  BOOST_REQUIRE_EQUAL(tokens.size(), 3u);
  BOOST_TEST(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin) == "בעפולה");
  BOOST_TEST(tokens[1].hebrew);
  BOOST_TEST(text.substr(tokens[2].begin, tokens[2].end - tokens[2].begin) == "Boston");
  BOOST_TEST(!tokens[2].hebrew);
}

BOOST_AUTO_TEST_CASE(gershayim_inside_a_hebrew_word_mark_an_abbreviation) {
  auto tokens = tokenize("בת\"א ובב\u05F4ש, \"עפולה\" and \"Boston\"");
  BOOST_REQUIRE_EQUAL(tokens.size(), 5u);
  BOOST_TEST(tokens[0].text == "בתא");
  BOOST_TEST(tokens[0].acronym);
  BOOST_TEST(tokens[1].acronym);
  BOOST_TEST(!tokens[2].acronym); // quoted, not abbreviated
  BOOST_TEST(!tokens[4].acronym);
}

BOOST_AUTO_TEST_CASE(romanisations_meet) {
  BOOST_TEST(romanization_key("kiryat") == romanization_key("qiryat"));
  BOOST_TEST(romanization_key("shmona") == romanization_key("shemona"));
  BOOST_TEST(romanization_key("tsfat") == romanization_key("zefat"));
  BOOST_TEST(romanization_key("tzfat") == romanization_key("zefat"));
  BOOST_TEST(romanization_key("kfar") == romanization_key("kefar"));
  BOOST_TEST(romanization_key("saba") == romanization_key("sava"));
  BOOST_TEST(romanization_key("ashkelon") == romanization_key("ashqelon"));
  BOOST_TEST(romanization_key("haifa") != romanization_key("hadera"));
  BOOST_TEST(romanization_key("עפולה") == "עפולה");
}

BOOST_AUTO_TEST_CASE(hebrew_prefixes_are_stripped_up_to_four_letters) {
  using v = std::vector<std::string>;
  BOOST_TEST(hebrew_prefix_splits(normalize_word("בעפולה")) == (v{"עפולה"}));
  BOOST_TEST(hebrew_prefix_splits(normalize_word("ולמנעולן")) == (v{"למנעולנ", "מנעולנ", "נעולנ"}));
  BOOST_TEST(hebrew_prefix_splits(normalize_word("שבחיפה")) == (v{"בחיפה", "חיפה"}));
  BOOST_TEST(hebrew_prefix_splits(normalize_word("וכשבבאר")) == (v{"כשבבאר", "שבבאר", "בבאר", "באר"}));
  // at least two letters stay
  BOOST_TEST(hebrew_prefix_splits(normalize_word("בים")) == (v{"ימ"}));
  BOOST_TEST(hebrew_prefix_splits("בי").empty());
  // a word starting with another letter has no prefix
  BOOST_TEST(hebrew_prefix_splits("עפולה").empty());
  BOOST_TEST(hebrew_prefix_splits("boston").empty());
}

BOOST_AUTO_TEST_CASE(full_and_defective_spelling_meet) {
  BOOST_TEST(spelling_key("קריית") == spelling_key("קרית"));
  BOOST_TEST(spelling_key("הרצלייה") == spelling_key("הרצליה"));
  BOOST_TEST(spelling_key("boston") == "boston");
  BOOST_TEST(is_defective_spelling_of("קרית", "קריית"));
  BOOST_TEST(is_defective_spelling_of("הרצליה", "הרצלייה"));
  BOOST_TEST(!is_defective_spelling_of("חדירה", "חדרה")); // a word of its own, not a spelling
  BOOST_TEST(is_defective_spelling_of("קרת", "קרית"));
}

BOOST_AUTO_TEST_CASE(english_inflections) {
  using v = std::vector<std::string>;
  BOOST_TEST(english_stems("locksmiths") == (v{"locksmith"}));
  auto b = english_stems("batteries");
  BOOST_TEST((std::find(b.begin(), b.end(), "battery") != b.end()));
  BOOST_TEST(english_stems("glass").empty());
  BOOST_TEST(english_stems("gas").empty());
  auto has = [](const std::vector<std::string>& forms, const char* w) {
    return std::find(forms.begin(), forms.end(), w) != forms.end();
  };
  BOOST_TEST(has(english_stems("rekeyed"), "rekey"));
  BOOST_TEST(has(english_stems("replaced"), "replace"));
  BOOST_TEST(has(english_stems("leaking"), "leak"));
  BOOST_TEST(has(english_stems("replacing"), "replace"));
  BOOST_TEST(has(english_stems("stopped"), "stop"));
  BOOST_TEST(english_stems("red").empty());
}

BOOST_AUTO_TEST_CASE(one_edit) {
  BOOST_TEST(within_one_edit("boston", "bostn"));
  BOOST_TEST(within_one_edit("boston", "bostom"));
  BOOST_TEST(within_one_edit("boston", "bsoton"));
  BOOST_TEST(within_one_edit("עפולה", "עפולא"));
  BOOST_TEST(!within_one_edit("boston", "bstn"));
  BOOST_TEST(!within_one_edit("boston", "austin"));
}
