// The words around a match that change what it means: "not Haifa", "Denver
// Street", "I live in Orange", "but the job is in Afula". Everything here
// reads normal-form tokens (normalize.hpp) and the original text only for
// punctuation, which speech engines may or may not write.
#pragma once

#include "extraction/normalize.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::extraction {

// A match's place in the text: tokens [first, last) and the Hebrew prefix
// letters on its first word (`וב` for `ובעפולה`).
struct match_span {
  std::size_t first = 0, last = 0;
  std::string prefix;
  bool service = false; // a service's name, not a place's
};

// Said only to be denied: "not Haifa", "לא בחיפה", "I don't need a
// locksmith", "אין צורך במנעולן". The negation must come right before, in the
// same clause, with only small words between.
bool is_negated(std::string_view text, const std::vector<token>& t, const match_span& m);

// A street or road named after a place: "רחוב חיפה", "בשדרות ירושלים",
// "Denver Street", "Boston Ave".
bool is_street_name(std::string_view text, const std::vector<token>& t, const match_span& m);

// Words that say a place is meant, for names that are also everyday words:
// "I live in Orange", "we're located in Mobile", "from Reading", "אני גר
// בעומר", "נמצאת במושב שחר".
// `after_job_words`: also "הדירה של סבתא שלי בנשר" (in, after a word for
// the job's place); for towns, not for villages whose names are also
// possessives (`בעלי`, my husband's).
bool has_place_context(const std::vector<token>& t, const match_span& m, bool after_job_words = true);

// Less: right after "in"/"at", or a Hebrew locative prefix (`בעומר`). For
// names that are words but also big cities (Eugene, Lincoln).
bool has_weak_place_context(const std::vector<token>& t, const match_span& m);

// How strongly the words around a place mark it as where the job is, for
// choosing between two places: a correction ("I mean Tucson", "בעצם
// בעפולה") counts 2; a contrast after another place ("…but the job is in"),
// a job word near it ("the apartment is in", "stuck", "הדירה ב", "נתקע"), a
// settlement word before it ("במושב") 1 each; an origin or a trip ("from",
// `מ`, "driving", "on vacation") and a business's coverage ("we also cover",
// "our phoenix team") −1; a landmark named right after another place
// ("מושב גילת ליד אופקים") and a workplace ("I work in", "אני עובד ב") −2.
// A destination ("driving to") counts nothing: the job is where the caller
// is, which is often neither end of a trip.
// `since` is where the previous other place ended (0 if none), so that a
// contrast counts only between the two.
int job_salience(const std::vector<token>& t, const match_span& m, std::size_t since);

// Small words a caller may put into a service's name without changing it
// ("locked my keys in the car" for "locked the keys in the car", "להחליף את
// הצילינדר" for "להחליף צילינדר"), and fillers (um, אה, כאילו).
bool is_filler(const std::string& word);

// A name said as a person's: "my name is Austin", "this is Tyler", "מדברת
// מיכל", "שמי עומר".
bool names_a_person(const std::vector<token>& t, const match_span& m);

// A place the caller says is not the job's right after naming it: "Tempe's
// where my office is", "newark is my old address", "אשקלון זה ההורים".
bool said_to_be_elsewhere(std::string_view text, const std::vector<token>& t, const match_span& m);

// A place taken back right after it was said: "in tempe sorry no", "בנתניה
// רגע לא סליחה". (Not for services: the correction after one is mostly
// about the place said next, "צריך מנעולן לחיפה, אה לא סליחה".)
bool taken_back(const std::vector<token>& t, const match_span& m);

// A service named as what someone is, not what they need: "I'm a
// locksmith myself", "this is a locksmith", "עבודה כנהג גרר".
bool describes_speaker(const std::vector<token>& t, const match_span& m);

// A caller looking for work, not for a service: "are you hiring", "מחפש
// עבודה", "קורות חיים".
bool seeks_work(const std::vector<token>& t);

// A call about something other than a new job: cancelling one, a refund, an
// insurance claim, "do you sell…", a wrong number. Its service words are
// about an old job or none.
bool about_no_new_job(const std::vector<token>& t);

// Whether a word may stand right before a place name ("in", "from", "גר",
// "ליד"), for looking up misheard one-word names only where a place is
// likely.
bool may_precede_place(const token& t);

} // namespace callscribe::extraction
