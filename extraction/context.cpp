// Cue words, in normal form (lower case, Hebrew final letters regular: `צריכ`
// would be written `צריך` here and folded by normalize_word; the lists are
// folded once on first use).
#include "extraction/context.hpp"

#include "extraction/flat_set.hpp"

#include <algorithm>
#include <initializer_list>

namespace callscribe::extraction {
namespace {

using word_set = flat_word_set;

word_set folded(std::initializer_list<const char*> words) {
  word_set out;
  for (const char* w : words)
    out.insert(normalize_word(w));
  return out;
}

bool in(const word_set& s, std::string_view w) {
  return s.contains(w);
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A word and the word with Hebrew prefix letters taken off (`ברחוב` is
// `רחוב`), hashed once: hebrew_prefix_splits without its vector or strings,
// since this is asked of every word around every match, often of several
// sets. A Hebrew letter is two bytes, D7 90..D7 AA.
class word_endings {
public:
  explicit word_endings(const token& t) : text_(t.text) {
    // The rules of hebrew_prefix_splits: up to four prefix letters, ו only
    // first, ה only last, at least two letters left.
    if (t.hebrew)
      for (std::size_t k = 1; k <= 4 && 2 * k + 4 <= text_.size(); ++k) {
        const auto lead = static_cast<unsigned char>(text_[2 * (k - 1)]);
        const auto letter = static_cast<unsigned char>(text_[2 * (k - 1) + 1]);
        constexpr unsigned char vav = 0x95, he = 0x94; // ו ה
        const bool is_prefix = lead == 0xD7 && (letter == vav || letter == he || letter == 0x91 /* ב */ ||
                                                letter == 0x9B /* כ */ || letter == 0x9C /* ל */ ||
                                                letter == 0x9E /* מ */ || letter == 0xA9 /* ש */);
        if (!is_prefix || (k > 1 && letter == vav))
          break;
        count_ = k + 1;
        if (letter == he)
          break;
      }
    // Every ending's hash comes out of one pass from the end.
    std::uint64_t h = flat_word_set::suffix_hash_start;
    for (std::size_t i = text_.size(); i-- > 0;) {
      h = flat_word_set::suffix_hash_step(h, static_cast<unsigned char>(text_[i]));
      if (i % 2 == 0 && i / 2 < count_)
        hash_[i / 2] = h;
    }
  }

  bool in(const word_set& s) const {
    for (std::size_t k = 0; k < count_; ++k)
      if (s.contains(text_.substr(2 * k), hash_[k]))
        return true;
    return false;
  }

private:
  std::string_view text_;
  std::uint64_t hash_[5] = {}; // [0] the word, [k] after k prefix letters
  std::size_t count_ = 1;      // the word and its endings after prefix letters
};

bool in_with_prefixes(const word_set& s, const token& t) {
  return word_endings(t).in(s);
}

const word_set& negators() {
  static const word_set s =
      folded({"not",     "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "aint",  "never", "without",
              "neither", "nor",  "לא",     "אין",   "בלי",  "ללא",   "אינני", "איננו", "אינה",  "אינו"});
  return s;
}

// Words that may stand between a negation and what it denies.
const word_set& negation_gap() {
  // Prepositions, articles and the verbs of needing and looking: "not in
  // Haifa", "לא צריך מנעולן", "don't need a locksmith". Not other verbs or
  // pronouns, which start what the negation does not reach: "המזגן לא עובד
  // אני ביבנה" says the AC is not working, not that the caller is not in
  // Yavne.
  static const word_set s =
      folded({"a", "an", "the", "in", "at", "from", "for", "to", "need", "needs", "want", "looking",
              "calling", "any", "really", "just", "it", "its", "is", "my", "our", "located", "be", "do",
              "does", "actually", "even", "near", "about", "anything", "צריך", "צריכה", "צריכים", "מחפש",
              "מחפשת", "רוצה", "זה", "ב", "מ", "של", "את", "פה", "באמת", "בכלל", "ממש", "צורך", "עם", "מדובר",
              // dwelling: "אני לא גר בחיפה", "I don't live in Boston"
              "גר", "גרה", "גרים", "נמצא", "נמצאת", "live", "lives", "living"});
  return s;
}

const word_set& hebrew_street_words() {
  static const word_set s =
      folded({"רחוב", "רח", "שדרות", "שדרת", "שד", "דרך", "סמטת", "סמטה", "כיכר", "שכונת"});
  return s;
}

const word_set& english_street_words() {
  static const word_set s = folded({"street", "st",    "avenue", "ave",     "road",    "rd",   "boulevard",
                                    "blvd",   "drive", "lane",   "ln",      "highway", "hwy",  "parkway",
                                    "pkwy",   "court", "ct",     "terrace", "circle",  "pike", "turnpike"});
  return s;
}

// "… in X": the words before "in"/"at" that make it a place.
const word_set& english_in_leads() {
  // "… in X": the words before "in"/"at" that make it a place, with streets: "18 river road in Lowell".
  static const word_set s =
      folded({"live",   "lives",  "living", "lived",  "located", "based",    "im",        "am",
              "were",   "are",    "is",     "its",    "here",    "out",      "over",      "down",
              "up",     "stuck",  "house",  "home",   "job",     "property", "apartment", "business",
              "office", "store",  "shop",   "work",   "works",   "working",  "stay",      "staying",
              "be",     "street", "st",     "avenue", "ave",     "road",     "rd",        "boulevard",
              "blvd",   "drive",  "lane",   "way",    "highway", "parkway",  "court",     "place"});
  return s;
}

const word_set& english_place_leads() {
  static const word_set s = folded({"from", "near", "outside", "downtown", "city", "town"});
  return s;
}

const word_set& hebrew_place_leads() {
  static const word_set s = folded(
      {"גר",    "גרה",   "גרים",  "גרות",  "נמצא",   "נמצאת",  "נמצאים", "נמצאות", "אני",   "אנחנו", "יושב",
       "יושבת", "עובד",  "עובדת", "תקוע",  "תקועה",  "הבית",   "הדירה",  "באתי",   "מגיע",  "מגיעה", "נוסע",
       "נוסעת", "מושב",  "קיבוץ", "יישוב", "ישוב",   "היישוב", "העיר",   "עיר",    "גרנו",  "גרתי",  "הכתובת",
       "אזור",  "באזור", "ליד",   "נתקע",  "נתקעתי", "נתקעה",  "עצר",    "עצרתי",  "עצרנו", "חוף"});
  return s;
}

// Place leads that need no locative prefix on the name: "ליד יבנה".
const word_set& hebrew_bare_place_leads() {
  static const word_set s =
      folded({"ליד", "יישוב", "ישוב", "העיר", "עיר", "אזור", "חוף", "מושב", "קיבוץ", "מושבה"});
  return s;
}

const word_set& correction_cues() {
  static const word_set s =
      folded({"mean", "meant", "sorry", "actually", "correction", "rather", "instead", "wait", "oops", "said",
              "בעצם", "סליחה", "התכוונתי", "כלומר", "טעיתי", "אלא", "סורי", "רגע", "אמרתי"});
  return s;
}

const word_set& contrast_cues() {
  static const word_set s = folded({"but", "however", "although", "though", "אבל", "אך", "אולם"});
  return s;
}

const word_set& job_cues() {
  static const word_set s =
      folded({"job",  "house",  "apartment", "property", "office", "store",  "shop",  "building",
              "car",  "truck",  "locked",    "address",  "unit",   "site",   "condo", "garage",
              "need", "needed", "needs",     "tenant",   "rental", "place",  "home",  "הדירה",
              "דירה", "הבית",   "בית",       "העבודה",   "המשרד",  "משרד",   "העסק",  "החנות",
              "חנות", "הרכב",   "האוטו",     "רכב",      "ננעלתי", "ננעל",   "ננעלה", "הכתובת",
              "צריך", "צריכה",  "צריכים",    "הנכס",     "המחסן",  "הבניין", "בניין", "המקום"});
  return s;
}

// What a business says about where it works, not where the job is: "we
// also cover Tempe", "יש לנו סניף בחולון".
// Words for a kind of settlement: the name after them is where the caller
// lives ("במושב גילת", "kibbutz Ma'abarot").
const word_set& near_words() {
  static const word_set s = folded({"near", "by", "outside", "ליד", "סמוך", "באזור"});
  return s;
}

const word_set& settlement_words() {
  static const word_set s = folded({"מושב", "קיבוץ", "יישוב", "ישוב", "המושב", "הקיבוץ", "היישוב", "מושבה",
                                    "המושבה", "kibbutz", "moshav"});
  return s;
}

const word_set& coverage_cues() {
  static const word_set s =
      folded({"cover",  "covers", "serve",       "serves", "service", "branch", "branches",
              "team",   "teams",  "technicians", "crew",   "סניף",    "סניפים", "מכסים",
              "משרתים", "מוקד",   "מוקדים",      "לנו",    "עובדים",  "טכנאים", "צוות"});
  return s;
}

const word_set& workplace_cues() {
  static const word_set s = folded({"work", "works", "working", "עובד", "עובדת"});
  return s;
}

const word_set& workplace_after_cues() {
  static const word_set s = folded({"work", "office", "old", "previous", "former", "העבודה", "המשרד", "עובד",
                                    "עובדת", "ההורים", "הקודמת", "הישנה"});
  return s;
}

// Where a caller is stuck: these mark the job's place from further back.
const word_set& stuck_cues() {
  static const word_set s = folded({"stuck",  "stopped", "broke", "broken", "stranded", "נתקע",    "נתקעתי",
                                    "נתקעה",  "נתקענו",  "תקוע",  "תקועה",  "התקלקל",   "התקלקלה", "התחמם",
                                    "התחממה", "עצר",     "עצרתי", "עצרנו",  "עצרה",     "שבק"});
  return s;
}

const word_set& origin_cues() {
  static const word_set s =
      folded({"from",     "originally", "born",    "grew",  "used",    "moved",  "left",  "vacation",
              "visiting", "trip",       "driving", "drove", "heading", "headed", "flew",  "flying",
              "מקור",     "במקור",      "נולדתי",  "גדלתי", "עברתי",   "עזבתי",  "גרתי",  "פעם",
              "חופשה",    "בחופשה",     "טיול",    "בטיול", "מבקר",    "מבקרת",  "נסעתי", "נסענו",
              "נוסע",     "נוסעת",      "טסתי",    "ירדנו", "עלינו"});
  return s;
}

// A clause break (, . ; : ! ? — or a new line) between tokens a and b, a < b.
bool clause_break_between(std::string_view text, const std::vector<token>& t, std::size_t a, std::size_t b) {
  for (auto i = a; i < b; ++i) {
    auto from = t[i].end, to = t[i + 1].begin;
    if (to <= from || to > text.size())
      continue;
    auto gap = text.substr(from, to - from);
    if (gap.find_first_of(",.;:!?\n") != std::string_view::npos ||
        gap.find("\u2014") != std::string_view::npos || gap.find("\u2013") != std::string_view::npos ||
        gap.find(" - ") != std::string_view::npos)
      return true;
  }
  return false;
}

bool is_number(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// How many words before `first` are on its line, up to `most`: the words a
// context may look back at (those of an earlier line are another turn's).
std::size_t same_line_before(const std::vector<token>& t, std::size_t first, std::size_t most) {
  std::size_t n = 0;
  while (n < most && n < first && t[first - n - 1].line == t[first].line)
    ++n;
  return n;
}

bool after_correction(const std::vector<token>& t, const match_span& m) {
  // Not as the first word: "no surprise, I locked my keys…" corrects nothing.
  const auto reach = same_line_before(t, m.first, 4);
  for (std::size_t back = 1; back <= reach && back < m.first; ++back)
    if (t[m.first - back].text == "no" || in(correction_cues(), t[m.first - back].text))
      return true;
  return false;
}

bool after_settlement_word(const std::vector<token>& t, const match_span& m) {
  return same_line_before(t, m.first, 1) == 1 && (m.prefix.empty() || m.prefix == "ה") &&
         in_with_prefixes(settlement_words(), t[m.first - 1]);
}

} // namespace

bool is_filler(const std::string& word) {
  static const word_set s =
      folded({"a",     "an",    "the", "my",  "your", "our",  "his",  "her", "their", "its", "this", "that",
              "these", "those", "of",  "is",  "are",  "was",  "were", "um",  "uh",    "er",  "erm",  "את",
              "של",    "זה",    "לי",  "לנו", "שלי",  "שלנו", "אה",   "אמ",  "כאילו", "ממש"});
  return in(s, word);
}

bool names_a_person(const std::vector<token>& t, const match_span& m) {
  auto back = [&](std::size_t n) -> const std::string& {
    static const std::string none;
    return m.first >= n ? t[m.first - n].text : none;
  };
  if (back(1) == "is" && (back(2) == "name" || back(2) == "this"))
    return true;
  static const word_set before_names =
      folded({"named",    "called",  "mr",   "mrs",      "ms",     "dr",       "son",
              "daughter", "husband", "wife", "roommate", "friend", "neighbor", "neighbour",
              "brother",  "sister",  "mom",  "dad",      "boss",   "uncle",    "aunt"});
  if (in(before_names, back(1)))
    return true;
  static const word_set hebrew = folded({"שמי", "מדבר", "מדברת", "קוראים", "השם", "הבן", "הבת", "בעלי",
                                         "אשתי", "החבר", "החברה", "השכן", "השכנה", "אחי", "אחותי", "הבוס"});
  if (t[m.first].hebrew && m.prefix.empty() && in(hebrew, back(1)))
    return true;
  if (back(1) == "לי" && back(2) == "קוראים")
    return true;
  return false;
}

bool describes_speaker(const std::vector<token>& t, const match_span& m) {
  auto back = [&](std::size_t n) -> const std::string& {
    static const std::string none;
    return m.first >= n ? t[m.first - n].text : none;
  };
  // "I'm a locksmith myself", "no, this is a locksmith"
  if ((back(1) == "a" || back(1) == "an") &&
      (back(2) == "im" || back(2) == "am" || (back(2) == "is" && back(3) == "this")))
    return true;
  // "you're locksmiths", "אתם מנעולנים": the business described to itself
  if (back(1) == "אתם" || back(1) == "youre" || (back(1) == "are" && back(2) == "you") ||
      (back(1) == "is" && back(2) == "this") || back(1) == "זה")
    return true;
  // "הגרר שלכם גרר לי", "your plumber was here": theirs, already come
  if ((m.last < t.size() && t[m.last].text == "שלכם") || back(1) == "your")
    return true;
  // "אני עובד כמנעולן", "כנהג גרר", "כשוליה של מנעולן": `כ` is "as"
  if (t[m.first].hebrew && ends_with(m.prefix, "כ"))
    return true;
  static const word_set roles = folded({"נהג", "שוליה", "טכנאי", "עובד", "מתקין"});
  for (std::size_t n : {1u, 2u}) {
    const auto& w = back(n);
    if (w.size() > 2 && w.compare(0, 2, "כ") == 0 && in(roles, w.substr(2)) && (n == 1 || back(1) == "של"))
      return true;
  }
  return false;
}

bool seeks_work(const std::vector<token>& t) {
  static const word_set hiring =
      folded({"hiring", "resume", "position", "apply", "מעסיקים", "גיוס", "מגייסים"});
  // Those, and the first words of the phrases below: one lookup a word rules
  // out nearly every word of the call.
  static const word_set cues = folded({"hiring", "resume", "position", "apply", "מעסיקים", "גיוס", "מגייסים",
                                       "מחפש", "מחפשת", "קורות", "מחפשים", "job", "looking"});
  // Tokens are in normal form (final letters regular): so are these.
  static const std::string work = normalize_word("עבודה"), life = normalize_word("חיים"),
                           looking_m = normalize_word("מחפש"), looking_f = normalize_word("מחפשת"),
                           looking_pl = normalize_word("מחפשים"), cv = normalize_word("קורות");
  static const word_set staff = folded({"עובדים", "מנעולנים", "טכנאים"});
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto& w = t[i].text;
    if (!in(cues, w))
      continue;
    if (in(hiring, w))
      return true;
    // Views, not copies.
    const std::string_view next = i + 1 < t.size() ? std::string_view(t[i + 1].text) : std::string_view();
    const std::string_view after = i + 2 < t.size() ? std::string_view(t[i + 2].text) : std::string_view();
    if ((w == looking_m || w == looking_f) && next == work)
      return true;
    if (w == cv && next == life)
      return true;
    if ((w == looking_pl && in(staff, next)) || (w == "job" && next == "you" && after == "posted"))
      return true;
    if (w == "looking" && next == "for" &&
        (after == "work" || after == "job" || (after == "a" && i + 3 < t.size() && t[i + 3].text == "job")))
      return true;
  }
  return false;
}

bool about_no_new_job(const std::vector<token>& t) {
  // Words that mean it alone. (Not a receipt, an invoice, a warranty or
  // insurance: callers with a job ask about those too.)
  static const word_set alone = folded({"refund", "זיכוי", "תביעה", "תביעת"});
  // Cancelling, with what is cancelled within three words: "לבטל את התור",
  // "cancel the appointment" (not "I had to cancel my plans").
  static const word_set cancel = folded({"לבטל", "מבטל", "מבטלת", "cancel", "cancelling", "canceling"});
  static const word_set booking = folded(
      {"התור", "תור", "ההזמנה", "הזמנה", "הביקור", "הקריאה", "appointment", "order", "booking", "visit"});
  // "טעות במספר", "wrong number"; "אתם מוכרים", "do you sell"
  static const std::string mistake = normalize_word("טעות"), by_number = normalize_word("במספר"),
                           you = normalize_word("אתם"), sell = normalize_word("מוכרים");
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto& w = t[i].text;
    if (in(alone, w))
      return true;
    if (in(cancel, w))
      for (std::size_t k = i + 1; k < t.size() && k <= i + 3; ++k)
        if (in(booking, t[k].text))
          return true;
    const std::string_view next = i + 1 < t.size() ? std::string_view(t[i + 1].text) : std::string_view();
    if ((w == mistake && next == by_number) || (w == "wrong" && next == "number") ||
        (w == you && next == sell) || (w == "you" && next == "sell"))
      return true;
  }
  return false;
}

bool taken_back(const std::vector<token>& t, const match_span& m) {
  // "בנתניה רגע לא סליחה", "in tempe sorry no": a correction right after
  // the name takes it back.
  bool correction = false, no = false;
  for (std::size_t ahead = 0; ahead < 4 && m.last + ahead < t.size(); ++ahead) {
    const auto& w = t[m.last + ahead].text;
    correction = correction || (in(correction_cues(), w) && w != "said" && w != "אמרתי");
    no = no || w == "no" || w == "לא";
  }
  return correction && no;
}

bool said_to_be_elsewhere(std::string_view text, const std::vector<token>& t, const match_span& m) {
  // "Tempe's where my office is", "Mesa is my work", "newark is my old
  // address", "רחובות זה העבודה שלי", "אשקלון זה ההורים": right after the
  // name, in its clause.
  for (std::size_t ahead = 0; ahead < 4 && m.last + ahead < t.size(); ++ahead) {
    if (clause_break_between(text, t, m.last - 1, m.last + ahead))
      return false;
    const auto& w = t[m.last + ahead].text;
    if (ahead == 0 && w != "is" && w != "where" && w != "זה" && w != "זו")
      return false;
    if (in(workplace_after_cues(), w))
      return true;
  }
  return false;
}

bool may_precede_place(const token& t) {
  static const word_set english = folded({"in", "at", "from", "near", "to"});
  return in(english, t.text) || in_with_prefixes(hebrew_place_leads(), t) ||
         in(hebrew_bare_place_leads(), t.text);
}

bool is_negated(std::string_view text, const std::vector<token>& t, const match_span& m) {
  // Up to four words back, staying in the clause and crossing only small
  // words: "not in Haifa", "לא צריך מנעולן", "we don't need a locksmith".
  for (std::size_t back = 1; back <= 4 && back <= m.first; ++back) {
    auto i = m.first - back;
    if (clause_break_between(text, t, i, m.first))
      return false;
    if (in(negators(), t[i].text))
      // "לא לא, לוד", "no no, Tucson": answering the business, not denying.
      return !(i > 0 && t[i - 1].text == t[i].text);
    // "no" answers a question as often as it denies; only right before a
    // place ("no, Haifa" has a comma), or as "no need for".
    if (t[i].text == "no" && ((back == 1 && !m.service) || (i + 1 < t.size() && t[i + 1].text == "need")))
      return !(i > 0 && t[i - 1].text == "no");
    if (!in(negation_gap(), t[i].text))
      return false;
  }
  return false;
}

bool is_street_name(std::string_view text, const std::vector<token>& t, const match_span& m) {
  // An address: "טבריה 7" (the number after), "2810 east washington" (before).
  // Israeli addresses put the number after the street, US ones before.
  if ((m.last < t.size() && is_number(t[m.last].text) &&
       !clause_break_between(text, t, m.last - 1, m.last)) ||
      (!t[m.first].hebrew && m.first > 0 && is_number(t[m.first - 1].text) &&
       !clause_break_between(text, t, m.first - 1, m.first)))
    return true;
  if (m.first > 0 && t[m.first - 1].hebrew && in_with_prefixes(hebrew_street_words(), t[m.first - 1]))
    return true;
  // A place named like a street word (Sderot, `שדרות`; the village `רחוב`)
  // followed by a name is the street: `בשדרות רוטשילד`.
  if (m.last - m.first == 1 && t[m.first].hebrew && m.last < t.size() && t[m.last].hebrew &&
      !clause_break_between(text, t, m.first, m.last)) {
    auto name = t[m.first].text.substr(m.prefix.size());
    static const word_set not_a_name =
        folded({"יש", "כבר", "עכשיו", "היום", "מחר", "דחוף", "תודה", "בבקשה", "אבל"});
    const auto& next = t[m.last].text;
    bool conjunction = next.compare(0, 2, "ו") == 0;
    if (in(hebrew_street_words(), name) && !conjunction && !in(negation_gap(), next) && !in(not_a_name, next))
      return true;
  }
  // `ברחוב` as the match's own prefix cannot happen (a prefix is letters),
  // but an English street word after the name can.
  if (m.last < t.size() && !t[m.last].hebrew && in(english_street_words(), t[m.last].text))
    return true;
  return false;
}

bool has_place_context(const std::vector<token>& t, const match_span& m, bool after_job_words) {
  const auto reach = same_line_before(t, m.first, 4);
  if (reach == 0)
    return false;
  const auto& prev = t[m.first - 1];
  // "במושב נהלל", "kibbutz Yagur"; "we're in mesa, no, chandler", "לא
  // בחיפה, בשדרות": a correction after another place.
  if (after_settlement_word(t, m) || after_correction(t, m))
    return true;
  // "בחוף של מכמורת"
  if (t[m.first].hebrew && m.prefix.empty() && prev.text == "של" && reach >= 2 &&
      in_with_prefixes(hebrew_bare_place_leads(), t[m.first - 2]))
    return true;
  if (t[m.first].hebrew) {
    // "גר בעומר", "נמצאת במושב שחר", "אני מעומר": a locative or "from"
    // prefix after a word that places someone.
    bool locative = ends_with(m.prefix, "ב") || ends_with(m.prefix, "מ");
    if (in_with_prefixes(hebrew_place_leads(), prev) && locative)
      return true;
    // "הדירה של סבתא שלי בנשר": in the place of the job named just before.
    for (std::size_t back = 1; after_job_words && ends_with(m.prefix, "ב") && back <= reach; ++back)
      if (in_with_prefixes(job_cues(), t[m.first - back]))
        return true;
    return m.prefix.empty() && in_with_prefixes(hebrew_bare_place_leads(), prev);
  }
  if (in(english_place_leads(), prev.text) && prev.text != "city" && prev.text != "town")
    return true;
  if ((prev.text == "of") && reach >= 2 && (t[m.first - 2].text == "city" || t[m.first - 2].text == "town"))
    return true;
  if ((prev.text == "in" || prev.text == "at") && reach >= 2 && in(english_in_leads(), t[m.first - 2].text))
    return true;
  return false;
}

bool has_weak_place_context(const std::vector<token>& t, const match_span& m) {
  if (has_place_context(t, m, true))
    return true;
  if (t[m.first].hebrew)
    return ends_with(m.prefix, "ב") || ends_with(m.prefix, "מ");
  if (same_line_before(t, m.first, 1) == 0)
    return false;
  const auto& prev = t[m.first - 1];
  return prev.text == "in" || prev.text == "at";
}

int job_salience(const std::vector<token>& t, const match_span& m, std::size_t since) {
  int score = 0;
  bool correction = false, contrast = false, job = false, coverage = false;
  for (std::size_t back = 1, reach = same_line_before(t, m.first, 8); back <= reach; ++back) {
    const auto& w = t[m.first - back];
    // A correction names the place right after it, not one further on.
    if (back <= 6 && m.first - back >= since && in(correction_cues(), w.text))
      correction = true;
    if (m.first - back >= since && in(contrast_cues(), w.text))
      contrast = true;
    const word_endings endings(w); // asked of three sets
    if ((back <= 4 && endings.in(job_cues())) || (back <= 6 && endings.in(stuck_cues())))
      job = true;
    // "we service the whole valley: Phoenix, Mesa, Tempe"
    if (endings.in(coverage_cues()))
      coverage = true;
  }
  score += correction ? 2 : 0;
  score += contrast && since > 0 ? 1 : 0;
  score += job ? 1 : 0;
  score += after_settlement_word(t, m) ? 1 : 0;
  // "מושב גילת ליד אופקים", "scottsdale near old town": the place after
  // "near", right after another one, is a landmark for it.
  if (m.first > 0 && since > 0 && m.first - 1 >= since && in_with_prefixes(near_words(), t[m.first - 1])) {
    static const word_set kind_of_place = folded({"זה", "מושב", "קיבוץ", "יישוב", "ישוב", "its", "a", "small",
                                                  "town", "which", "is", "just", "right"});
    bool landmark = true;
    for (auto i = since; i + 1 < m.first; ++i)
      landmark = landmark && in(kind_of_place, t[i].text);
    if (landmark && m.first - 1 - since <= 3)
      score -= 2;
  }
  // "our phoenix team is busy"
  if (m.first > 0 && (t[m.first - 1].text == "our") && m.last < t.size() &&
      in(coverage_cues(), t[m.last].text))
    score -= 1;
  const token* prev = m.first > 0 ? &t[m.first - 1] : nullptr;
  bool origin = (prev && in_with_prefixes(origin_cues(), *prev)) ||
                (m.first >= 2 && in_with_prefixes(origin_cues(), t[m.first - 2])) ||
                (t[m.first].hebrew && ends_with(m.prefix, "מ"));
  score -= origin ? 1 : 0;
  score -= coverage ? 1 : 0;
  // "I work in Irving", "אני עובד באשדוד"; and after the name: "Tempe's where
  // my office is", "Mesa is my work", "רחובות זה העבודה שלי".
  bool workplace =
      (prev && in(workplace_cues(), prev->text)) ||
      (m.first >= 2 && in(workplace_cues(), t[m.first - 2].text) &&
       (prev->text == "in" || prev->text == "at" || (t[m.first].hebrew && ends_with(m.prefix, "ב"))));
  score -= workplace ? 2 : 0;
  return score;
}

} // namespace callscribe::extraction
