// The gazetteer and the words around a match: Hebrew prefix stacks and
// abbreviations, streets, negations and corrections, names that are also
// words, states, two channels, and a job's place among two.
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

const char* const he_locks =
    R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת"]},
        {"name": "החלפת צילינדר", "aliases": ["צילינדר", "להחליף צילינדר"]}])";
const char* const en_locks = R"([{"name": "Locksmith", "aliases": ["locksmith", "locked out"]},
                                 {"name": "Car Lockout", "aliases": ["car opened", "keys in the car"]}])";

struct example {
  const char* what;
  const char* transcript;
  bool hebrew;
  const char* service; // expected
  const char* city;    // expected
};

std::ostream& operator<<(std::ostream& os, const example& e) {
  return os << e.what;
}

const std::vector<example> examples{
    // Prefix stacks and name variants.
    {"ו+ב", "צריך מנעולן ובעפולה", true, "מנעולן", "עפולה"},
    {"מ on a two-word name", "אני מתל אביב וצריך מנעולן", true, "מנעולן", "תל אביב-יפו"},
    {"ש+ב", "מנעולן שבחיפה", true, "מנעולן", "חיפה"},
    {"four prefix letters", "וכשבבאר שבע אין מנעולן פנוי, אני פונה אליכם", true, "", "באר שבע"},
    {"the full CBS name with spaces", "מנעולן בתל אביב - יפו", true, "מנעולן", "תל אביב-יפו"},
    {"ת\"א", "מנעולן בת\"א", true, "מנעולן", "תל אביב-יפו"},
    {"ב\"ש with a prefix", "צריך מנעולן בב\"ש", true, "מנעולן", "באר שבע"},
    {"a cell is not Tel Aviv", "הטלפון בתא המטען", true, "", ""},
    {"קרית for קריית", "מנעולן בקרית שמונה", true, "מנעולן", "קריית שמונה"},
    // Streets.
    {"רחוב חיפה in Afula", "אני ברחוב חיפה 12 בעפולה, צריך מנעולן", true, "מנעולן", "עפולה"},
    {"a street alone is no city", "ברחוב ירושלים 5, צריך מנעולן", true, "מנעולן", ""},
    {"Denver Street in Boston", "I'm on Denver Street in Boston, locked out", false, "Locksmith",
     "Boston, MA"},
    {"Boston Ave alone", "my house is on Boston Ave, I'm locked out", false, "Locksmith", ""},
    // Negations and corrections.
    {"לא בחיפה, בעפולה", "לא בחיפה, בעפולה. צריך מנעולן", true, "מנעולן", "עפולה"},
    {"not Haifa — Afula", "a locksmith, not Haifa — Afula", false, "Locksmith", "Afula"},
    {"I said Dallas not Austin", "locksmith, I said Dallas not Austin", false, "Locksmith", "Dallas, TX"},
    {"sorry I mean", "locksmith in Phoenix, sorry I mean Tucson", false, "Locksmith", "Tucson, AZ"},
    {"only denied", "אני לא מחיפה", true, "", ""},
    {"a service denied", "I don't need a locksmith, I need my car opened", false, "Car Lockout", ""},
    {"לא צריך מנעולן", "לא צריך מנעולן, רק להחליף צילינדר", true, "החלפת צילינדר", ""},
    {"no as an answer is not a negation", "no, we're in Houston, I'm locked out", false, "Locksmith",
     "Houston, TX"},
    // Names that are also words.
    {"עומר the friend", "עומר אמר לי להתקשר אליכם, צריך מנעולן", true, "מנעולן", ""},
    {"עומר the town", "אני גר בעומר, צריך מנעולן", true, "מנעולן", "עומר"},
    {"orange the colour", "the orange door is locked, I'm locked out", false, "Locksmith", ""},
    {"Orange the city", "I live in Orange and I'm locked out", false, "Locksmith", "Orange, CA"},
    {"at home is not Home, MI", "I'm at home and locked out", false, "Locksmith", ""},
    // States.
    {"Springfield, Illinois", "locksmith in Springfield, Illinois", false, "Locksmith", "Springfield, IL"},
    {"Portland Oregon", "I'm locked out in portland oregon", false, "Locksmith", "Portland, OR"},
    {"Portland Maine", "locked out in Portland Maine", false, "Locksmith", "Portland, ME"},
    {"Kansas City Kansas", "locksmith in kansas city kansas", false, "Locksmith", "Kansas City, KS"},
    {"Seattle Washington is one place", "locksmith in Seattle Washington", false, "Locksmith", "Seattle, WA"},
    {"a small town with its state", "locked out in Moab Utah", false, "Locksmith", "Moab, UT"},
    {"no state: the most populous", "locksmith in Springfield", false, "Locksmith", "Springfield, MO"},
    // Two places.
    {"but the job is in", "I live in Newark but the job is at my mother's in Jersey City, she's locked out",
     false, "Locksmith", "Jersey City, NJ"},
    {"גר ב… אבל הדירה ב…", "אני גר בחיפה אבל הדירה בקריית אתא, צריך מנעולן", true, "מנעולן", "קריית אתא"},
    {"from … to", "driving from Dallas to Austin and I locked my keys in the car", false, "Car Lockout",
     "Austin, TX"},
};

} // namespace

BOOST_DATA_TEST_CASE(reads_the_words_around, bdata::make(examples), e) {
  auto c =
      e.hebrew ? parse_catalogue(he_locks, R"(["il"])", "he") : parse_catalogue(en_locks, R"(["us"])", "en");
  if (std::string(e.what).find("Haifa") != std::string::npos)
    c = parse_catalogue(en_locks, R"(["il"])", "en");
  auto r = shared_gazetteer().extract(c, e.transcript);
  BOOST_TEST_MESSAGE(e.what << ": " << evidence_json(r.evidence) << " (" << r.confidence << ")");
  BOOST_TEST(r.service == e.service);
  BOOST_TEST(r.city == e.city);
}

BOOST_AUTO_TEST_CASE(a_shared_name_without_a_state_is_less_sure) {
  auto c = parse_catalogue(en_locks, R"(["us"])", "en");
  auto plain = shared_gazetteer().extract(c, "locksmith in Springfield");
  auto with_state = shared_gazetteer().extract(c, "locksmith in Springfield, Missouri");
  BOOST_TEST(plain.city == with_state.city);
  BOOST_TEST(plain.confidence < with_state.confidence);
  BOOST_TEST_REQUIRE(plain.evidence.size() == 2u);
  BOOST_TEST(plain.evidence[1].note.find("places named Springfield") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_caller_beats_the_business) {
  auto c = parse_catalogue(he_locks, R"(["il"])", "he");
  auto r = shared_gazetteer().extract(c, two_channel_text("צריך מנעולן בעפולה", "יש לנו גם סניף בחיפה"));
  BOOST_TEST(r.city == "עפולה");
  BOOST_TEST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[1].channel == "caller");
  // The caller only agrees: the business's words are all there is, and count less.
  auto confirmed = shared_gazetteer().extract(c, two_channel_text("כן", "אז מנעולן בעפולה, נכון?"));
  BOOST_TEST(confirmed.city == "עפולה");
  BOOST_TEST(confirmed.service == "מנעולן");
  BOOST_TEST(confirmed.confidence < r.confidence);
  BOOST_TEST(confirmed.evidence[0].channel == "business");
}

BOOST_AUTO_TEST_CASE(romanisations_of_hebrew_names_meet) {
  auto c = parse_catalogue(en_locks, R"(["il"])", "en");
  for (const char* text :
       {"locksmith in Kiryat Shmona", "locksmith in qiryat shemona", "locksmith in Kiryat Shemona"})
    BOOST_TEST(shared_gazetteer().extract(c, text).city == "Qiryat Shemona", text);
  for (const char* text : {"locksmith in Beer Sheva", "locksmith in Be'er Sheva", "locksmith in beersheba"})
    BOOST_TEST(shared_gazetteer().extract(c, text).city == "Be'er Sheva", text);
  for (const char* text :
       {"locksmith in Tsfat", "locksmith in Safed", "locksmith in Zefat", "locksmith in tzfat"})
    BOOST_TEST(shared_gazetteer().extract(c, text).city == "Zefat", text);
  BOOST_TEST(shared_gazetteer().extract(c, "locksmith in Kfar Saba").city == "Kefar Sava");
  // A Hebrew business writes the Hebrew name whichever way the caller spelled it.
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  BOOST_TEST(shared_gazetteer().extract(he, "locksmith in Kiryat Shmona").city == "קריית שמונה");
  // Short English words are not keys of short names.
  BOOST_TEST(shared_gazetteer().extract(c, "the lady at the old lid").city == "");
}

BOOST_AUTO_TEST_CASE(words_that_are_also_town_names) {
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  auto& g = shared_gazetteer();
  BOOST_TEST(g.extract(he, "קדימה, תגיע כבר").city == "");
  BOOST_TEST(g.extract(he, "אני בשדרות רוטשילד בתל אביב").city == "תל אביב-יפו");
  BOOST_TEST(g.extract(he, "אני גר בשדרות וצריך מנעולן").city == "שדרות");
  BOOST_TEST(g.extract(he, "החלון נשבר").city == ""); // a window, not Holon
  BOOST_TEST(g.extract(he, "מנעולן בחולון").city == "חולון");
  BOOST_TEST(g.extract(he, "הגעתי לבניין ואין מפתח").city == "");
  auto en = parse_catalogue(en_locks, R"(["us"])", "en");
  BOOST_TEST(g.extract(en, "my name is Mike Davis and I drive a Lincoln").city == "");
  BOOST_TEST(g.extract(en, "I live in Davis and I'm locked out").city == "Davis, CA");
  BOOST_TEST(g.extract(en, "we had to turn back, work was closed").city == "");
}

BOOST_AUTO_TEST_CASE(where_the_caller_works_or_used_to_live_is_not_the_job) {
  auto en = parse_catalogue(en_locks, R"(["us"])", "en");
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  auto& g = shared_gazetteer();
  BOOST_TEST(g.extract(en, "locked out in tempe, sorry, scottsdale, tempe's where my office is").city ==
             "Scottsdale, AZ");
  BOOST_TEST(g.extract(en, "locked out in newark no sorry it's elizabeth new jersey newark is my old address")
                 .city == "Elizabeth, NJ");
  BOOST_TEST(g.extract(he, "אני עובד בהייטק ברעננה ואני גר בכפר יונה וצריך מנעולן").city == "כפר יונה");
  BOOST_TEST(g.extract(he, "ננעלתי בחוץ אני באשקלון לא סליחה אני באשדוד אשקלון זה ההורים").city == "אשדוד");
  // "no no" answers the business; "I said Lod" says it again.
  BOOST_TEST(g.extract(he, "ננעלתי בחוץ אני בלוד לא לא לוד אמרתי לוד לא רמלה").city == "לוד");
  BOOST_TEST(g.extract(en, "no no tucson, i said tucson not phoenix, i'm locked out").city == "Tucson, AZ");
}

BOOST_AUTO_TEST_CASE(speech_engine_spellings_of_hebrew_names) {
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  auto& g = shared_gazetteer();
  BOOST_TEST(g.extract(he, "הדלת נטרקה בכרמיעל").city == "כרמיאל");       // ע for א
  BOOST_TEST(g.extract(he, "צריך מנעולן בנטניה").city == "נתניה");        // ט for ת
  BOOST_TEST(g.extract(he, "צריך מנעולן באשכלון").city == "אשקלון");      // כ for ק
  BOOST_TEST(g.extract(he, "צריך מנעולן בתלאביב").city == "תל אביב-יפו"); // two words joined
  BOOST_TEST(g.extract(he, "צריך מנעולן לכרמי אל").city == "כרמיאל");     // one word split
  BOOST_TEST(g.extract(he, "צריך מנעולן לטבעון").city == "קריית טבעון");  // what people call it
  // Looser spellings of short names only where a place is asked for.
  BOOST_TEST(g.extract(he, "הרכב לא מניע בכלל").city == "");
  BOOST_TEST(g.extract(he, "נתקעתי באמצע הכביש").city == "");
  BOOST_TEST(g.extract(he, "אני אומר לך שננעלתי בחוץ").city == "");
}

BOOST_AUTO_TEST_CASE(services_said_loosely_or_not_asked_for) {
  auto en = parse_catalogue(en_locks, R"(["us"])", "en");
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  auto& g = shared_gazetteer();
  BOOST_TEST(g.extract(en, "my husband locked himself out of the house").service ==
             "Locksmith");                                                        // words apart
  BOOST_TEST(g.extract(en, "i need a car lock out").service == "Car Lockout");    // split word
  BOOST_TEST(g.extract(he, "הצילינדרים בדלת שבורים").service == "החלפת צילינדר"); // plural
  BOOST_TEST(g.extract(en, "are you hiring? i'm a locksmith myself").service == "");
  BOOST_TEST(g.extract(en, "is this the pizza place? no this is a locksmith, wrong number").service == "");
  BOOST_TEST(g.extract(he, "אני מחפש עבודה כשוליה של מנעולן").service == "");
  // About an old job, or none: cancelling, a refund, "do you sell".
  BOOST_TEST(g.extract(he, "שלום רציתי לבטל את התור של המנעולן מחר, הסתדרנו לבד").service == "");
  BOOST_TEST(g.extract(en, "hi, i need to cancel the locksmith appointment for tomorrow").service == "");
  BOOST_TEST(g.extract(en, "you charged me twice for the lockout, i want a refund").service == "");
  BOOST_TEST(g.extract(he, "אתם מוכרים צילינדרים? אני רוצה להחליף את הצילינדר לבד").service == "");
  // Cancelling something else is no such call.
  BOOST_TEST(g.extract(en, "i had to cancel my plans, i'm locked out of my house").service == "Locksmith");
  // Words with final letters (ים) are in normal form in the text: the cues must be too.
  BOOST_TEST(g.extract(he, "שלום, שלחתי לכם קורות חיים, אני מנעולן מוסמך").service == "");
  BOOST_TEST(g.extract(he, "ראיתי שאתם מחפשים מנעולנים, יש לי ניסיון").service == "");
  // The business reads back, the caller only agrees: the business's words count.
  auto agreed = g.extract(
      en, two_channel_text("yes sir", "so that's a car lockout at 45 pine street in worcester right"));
  BOOST_TEST(agreed.service == "Car Lockout");
  BOOST_TEST(agreed.city == "Worcester, MA");
}

BOOST_AUTO_TEST_CASE(context_stays_in_its_turn) {
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  // The caller's last word is no correction before the business's first:
  // `שלום` (a part of שגב-שלום) needs words of its own turn asking for a place.
  auto r = shared_gazetteer().extract(
      he, two_channel_text("כן בדיוק, הכתובת אני אשלח לך בטקסט sorry", "שלום, להחליף את הצילינדר בדלת?"));
  BOOST_TEST(r.city == "");
  BOOST_TEST(r.service == "החלפת צילינדר");
}

BOOST_AUTO_TEST_CASE(a_town_right_after_the_service) {
  auto he = parse_catalogue(he_locks, R"(["il"])", "he");
  auto& g = shared_gazetteer();
  // שדרות is also "boulevard": right after the service it is the town.
  BOOST_TEST(g.extract(he, "שלום, צריך מנעולן שדרות, ננעלתי בחוץ").city == "שדרות");
  // A small village named like a word is not: בניין is "building" (ניין).
  BOOST_TEST(g.extract(he, "אני צריך פריצת דלת בבניין").city == "");
}

BOOST_AUTO_TEST_CASE(a_state_said_once_settles_the_name) {
  auto en = parse_catalogue(en_locks, R"(["us"])", "en");
  auto& g = shared_gazetteer();
  // The first mention alone would be the most populous Kansas City (MO).
  auto r =
      g.extract(en, "locked out, i'm in kansas city near the legends. okay, kansas city kansas, a locksmith");
  BOOST_TEST(r.city == "Kansas City, KS");
  BOOST_TEST(r.evidence.back().note == "");
  // A name that is also a word still needs its own context.
  BOOST_TEST(g.extract(en, "no surprise i locked my keys in my car again, i'm in surprise arizona").city ==
             "Surprise, AZ");
}

BOOST_AUTO_TEST_CASE(review_findings) {
  auto en = parse_catalogue(en_locks, R"(["us"])", "en");
  auto& g = shared_gazetteer();
  // A misheard last word of a three-word name: not the shorter San Luis, AZ.
  BOOST_TEST(g.extract(en, "i live in san luis obisbo and i'm locked out").city == "San Luis Obispo, CA");
  // "looking for a locksmith" is no job search; "are you hiring" later is.
  BOOST_TEST(g.extract(en, "i'm looking for a locksmith, are you hiring?").service == "");
  BOOST_TEST(g.extract(en, "i'm looking for a locksmith, i'm locked out").service == "Locksmith");
  // "your locksmith" at the very end is the business's, not a request.
  BOOST_TEST(g.extract(en, "i want to complain about your locksmith").service == "");
  // A new line inside the business's text stays the business's.
  auto r = g.extract(en, "Caller: yes\nBusiness: so a locksmith\nin Boston, right?");
  BOOST_TEST(r.city == "Boston, MA");
  BOOST_TEST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[1].channel == "business");
}
