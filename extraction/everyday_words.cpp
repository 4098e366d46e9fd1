// The list behind is_everyday_word. How it was made: the single-word US cities
// of 50,000 people or more (smaller ones never match alone, see place_index)
// whose lower-case name is in an English dictionary (Debian's wamerican),
// keeping those a caller could plausibly say as a word about a home, a job or
// a time of day (`mobile`, `reading`, `orange`, `temple`, `sunrise`), plus
// first names of such cities; then the single-word Israeli localities of 5,000
// people or more that are common Hebrew words or first names, in Hebrew and in
// their CBS romanisation. Famous cities that are also words (Phoenix, Buffalo,
// Providence) stay matchable: a caller saying them means the city.
#include "extraction/everyday_words.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace callscribe::extraction {
namespace {

using namespace std::string_view_literals;

// Normal forms: lower case, no apostrophes, Hebrew final letters regular.
constexpr std::array words{
    // English words (US cities)
    "apex"sv, "auburn"sv, "bend"sv, "brick"sv, "clay"sv, "concord"sv, "corona"sv, "fishers"sv, "flint"sv,
    "grapevine"sv, "highland"sv, "homestead"sv, "independence"sv, "mission"sv, "mobile"sv, "normal"sv,
    "orange"sv, "paramount"sv, "plantation"sv, "reading"sv, "revere"sv, "riverside"sv, "sandy"sv,
    "shoreline"sv, "sparks"sv, "sunrise"sv, "surprise"sv, "temple"sv, "union"sv, "upland"sv, "vista"sv,
    "woodland"sv, "meridian"sv, "greece"sv, "erie"sv, "hoover"sv, "plymouth"sv, "pontiac"sv, "jupiter"sv,
    // first names and surnames (US cities), and car makes that are both
    "allen"sv, "anderson"sv, "bartlett"sv, "bryan"sv, "carson"sv, "cary"sv, "chandler"sv, "clinton"sv,
    "davis"sv, "draper"sv, "elizabeth"sv, "enid"sv, "eugene"sv, "everett"sv, "franklin"sv, "frederick"sv,
    "gary"sv, "gilbert"sv, "hamilton"sv, "henderson"sv, "howell"sv, "jackson"sv, "kent"sv, "kyle"sv,
    "lacey"sv, "lawrence"sv, "lincoln"sv, "logan"sv, "lowell"sv, "lynn"sv, "madison"sv, "moore"sv, "norman"sv,
    "parker"sv, "quincy"sv, "richardson"sv, "rogers"sv, "shelby"sv, "taylor"sv, "tracy"sv, "troy"sv,
    "tyler"sv, "victoria"sv, "warren"sv, "wayne"sv, "weston"sv, "wylie"sv,
    // Israeli localities, CBS romanisation
    "ariel"sv, "azor"sv, "efrat"sv, "elad"sv, "metar"sv, "nesher"sv, "omer"sv, "segev"sv, "shelomi"sv,
    "tire"sv, "zemer"sv,
    // Israeli localities, Hebrew: area, singer, string, eagle, castle,
    // degrees; and first names
    "אזור"sv, "זמר"sv, "מיתר"sv, "נשר"sv, "טירה"sv, "מעלות"sv, "עומר"sv, "שלומי"sv, "אלעד"sv, "אריאל"sv,
    "אפרת"sv, "שגב"sv,
    // forward (and "come on"), boulevard, ploughing, ridges, blades,
    // "will build", onyx (and a name), and first names
    "קדימה"sv, "שדרות"sv, "חריש"sv, "רכסימ"sv, "להבימ"sv, "יבנה"sv, "שוהמ"sv, "אורנית"sv, "טלמונ"sv};

} // namespace

bool is_everyday_word(std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

} // namespace callscribe::extraction
