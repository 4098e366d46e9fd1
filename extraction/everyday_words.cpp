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
constexpr std::array words{// English words (US cities)
                           "apex"sv, "auburn"sv, "bend"sv, "brick"sv, "clay"sv, "concord"sv, "corona"sv,
                           "fishers"sv, "flint"sv, "grapevine"sv, "highland"sv, "homestead"sv,
                           "independence"sv, "mission"sv, "mobile"sv, "normal"sv, "orange"sv, "paramount"sv,
                           "plantation"sv, "reading"sv, "revere"sv, "riverside"sv, "sandy"sv, "shoreline"sv,
                           "sparks"sv, "sunrise"sv, "surprise"sv, "temple"sv, "union"sv, "upland"sv,
                           "vista"sv, "woodland"sv,
                           // first names (US cities)
                           "allen"sv, "bryan"sv, "chandler"sv, "gary"sv, "kent"sv, "lynn"sv, "rogers"sv,
                           "taylor"sv, "troy"sv, "tyler"sv, "victoria"sv, "warren"sv,
                           // Israeli localities, CBS romanisation
                           "ariel"sv, "azor"sv, "efrat"sv, "elad"sv, "metar"sv, "nesher"sv, "omer"sv,
                           "segev"sv, "shelomi"sv, "tire"sv, "zemer"sv,
                           // Israeli localities, Hebrew: area, singer, string, eagle, castle,
                           // degrees; and first names
                           "אזור"sv, "זמר"sv, "מיתר"sv, "נשר"sv, "טירה"sv, "מעלות"sv, "עומר"sv, "שלומי"sv,
                           "אלעד"sv, "אריאל"sv, "אפרת"sv, "שגב"sv};

} // namespace

bool is_everyday_word(std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

} // namespace callscribe::extraction
