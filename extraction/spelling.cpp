// Word variants for matching; works on UTF-8 code points without ICU since
// the input is already normalised.
#include "extraction/spelling.hpp"

#include <unicode/utf8.h>

#include <algorithm>
#include <vector>

namespace callscribe::extraction {
namespace {

// Into `out`, replacing what it held: a caller that keeps the buffer
// allocates nothing for the short words it is asked about.
void decode_into(std::string_view s, std::u32string& out) {
  out.clear();
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto len = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    out.push_back(static_cast<char32_t>(c < 0 ? 0xFFFD : c));
  }
}

std::u32string to_code_points(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  decode_into(s, out);
  return out;
}

// Byte offsets of each code point's start, plus the end.
std::vector<std::size_t> boundaries(std::string_view s) {
  std::vector<std::size_t> b;
  b.reserve(s.size() + 1);
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
      b.push_back(i);
  b.push_back(s.size());
  return b;
}

constexpr char32_t vav = U'\u05D5';
constexpr char32_t yod = U'\u05D9';

// Letters that sound alike in today's Hebrew, which speech engines and
// callers write for one another: ע for א (כרמיעל), ט for ת, ק for כ.
char32_t sound(char32_t c) {
  switch (c) {
  case U'\u05E2':     // ע
    return U'\u05D0'; // א
  case U'\u05D8':     // ט
    return U'\u05EA'; // ת
  case U'\u05E7':     // ק
    return U'\u05DB'; // כ
  default:
    return c;
  }
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_hebrew_letter(char32_t c) {
  return c >= 0x05D0 && c <= 0x05EA;
}

bool is_prefix_letter(char32_t c) {
  return c == U'\u05D5' || c == U'\u05D4' || c == U'\u05D1' || c == U'\u05DB' || c == U'\u05DC' ||
         c == U'\u05DE' || c == U'\u05E9';
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool is_ascii_lower(std::string_view s) {
  for (char c : s)
    if (c < 'a' || c > 'z')
      return false;
  return true;
}

} // namespace

std::size_t letter_count(std::string_view word) {
  std::size_t n = 0;
  for (unsigned char c : word)
    n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

// Plain Hebrew letters only (two bytes each, 0xD7 0x90–0xAA), whose code
// points are read without decoding: U+05D0 + (second byte - 0x90).
bool is_plain_hebrew(std::string_view word) {
  if (word.empty() || word.size() % 2 != 0)
    return false;
  for (std::size_t i = 0; i < word.size(); i += 2)
    if (static_cast<unsigned char>(word[i]) != 0xD7 || static_cast<unsigned char>(word[i + 1]) < 0x90 ||
        static_cast<unsigned char>(word[i + 1]) > 0xAA)
      return false;
  return true;
}

// The code point of letter `k` of a plain Hebrew word.
char32_t plain_letter(std::string_view word, std::size_t k) {
  return 0x05D0 + (static_cast<unsigned char>(word[2 * k + 1]) - 0x90);
}

} // namespace

std::vector<std::string> hebrew_prefix_splits(std::string_view word) {
  std::vector<std::string> out;
  if (is_plain_hebrew(word)) { // the common case, without code point vectors
    const std::size_t letters = word.size() / 2;
    for (std::size_t k = 1; k <= 4 && k + 2 <= letters; ++k) {
      const char32_t c = plain_letter(word, k - 1);
      if (!is_prefix_letter(c) || (k > 1 && c == vav))
        break;
      out.emplace_back(word.substr(2 * k));
      if (c == U'\u05D4')
        break;
    }
    return out;
  }
  auto b = boundaries(word);
  auto letters = b.size() - 1;
  auto cps = to_code_points(word);
  for (std::size_t k = 1; k <= 4 && k + 2 <= letters; ++k) {
    if (!is_prefix_letter(cps[k - 1]))
      break;
    // `ו` (and) only comes first and `ה` (the) only last: `מוצפת` is
    // "flooded", not `מו` + צפת.
    if (k > 1 && cps[k - 1] == vav)
      break;
    out.emplace_back(word.substr(b[k]));
    if (cps[k - 1] == U'\u05D4')
      break;
  }
  return out;
}

// A word's last ה and א sound alike too (`סבה` for `סבא`).
void fold_last(std::u32string& cps) {
  if (cps.size() > 1 && cps.back() == U'\u05D4')
    cps.back() = U'\u05D0';
}

// Plain Hebrew letters are two bytes, 0xD7 0x90–0xAA: the common case
// needs no code points. Returns false (and leaves `out` alone) otherwise.
bool hebrew_key_fast(std::string_view word, std::string& out) {
  if (word.size() < 2 || word.size() % 2 != 0)
    return false;
  for (std::size_t i = 0; i < word.size(); i += 2)
    if (static_cast<unsigned char>(word[i]) != 0xD7 || static_cast<unsigned char>(word[i + 1]) < 0x90 ||
        static_cast<unsigned char>(word[i + 1]) > 0xAA)
      return false;
  auto sound_byte = [](unsigned char b) -> unsigned char {
    switch (b) {
    case 0xA2:     // ע
      return 0x90; // א
    case 0x98:     // ט
      return 0xAA; // ת
    case 0xA7:     // ק
      return 0x9B; // כ
    default:
      return b;
    }
  };
  out.clear();
  out.reserve(word.size());
  const std::size_t letters = word.size() / 2;
  for (std::size_t k = 0; k < letters; ++k) {
    auto b = static_cast<unsigned char>(word[2 * k + 1]);
    if (k > 0 && (b == 0x95 || b == 0x99)) // ו, י after the first letter
      continue;
    if (k + 1 == letters && k > 0 && b == 0x94) // a last ה sounds like א
      b = 0x90;
    out.push_back(static_cast<char>(0xD7));
    out.push_back(static_cast<char>(sound_byte(b)));
  }
  return true;
}

std::string spelling_key(std::string_view word) {
  // Only a word starting with a Hebrew letter (U+05D0..U+05EA: D7 90..D7 AA)
  // has a key of its own; every other word is its own key.
  if (word.size() < 2 || static_cast<unsigned char>(word[0]) != 0xD7)
    return std::string(word);
  if (std::string fast; hebrew_key_fast(word, fast))
    return fast;
  auto cps = to_code_points(word);
  if (cps.empty() || !is_hebrew_letter(cps[0]))
    return std::string(word);
  fold_last(cps);
  std::string out;
  append_utf8(out, sound(cps[0]));
  for (std::size_t i = 1; i < cps.size(); ++i)
    if (cps[i] != vav && cps[i] != yod)
      append_utf8(out, sound(cps[i]));
  return out;
}

std::string romanization_key(std::string_view word) {
  for (unsigned char c : word)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return std::string(word);
  std::string folded;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    char next = i + 1 < word.size() ? word[i + 1] : '\0';
    if ((c == 't' && (next == 'z' || next == 's')) || (c == 'p' && next == 'h') ||
        (c == 'k' && next == 'h') || (c == 'c' && (next == 'h' || next == 'k'))) {
      folded.push_back(c == 't' ? 'z' : c == 'p' ? 'f' : c == 'c' && next == 'k' ? 'k' : 'h');
      ++i;
      continue;
    }
    folded.push_back(c == 'q' ? 'k' : c == 'w' ? 'v' : c == 'b' ? 'v' : c == 'c' ? 'k' : c);
  }
  auto vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  std::string out;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    char c = folded[i];
    if (i > 0 && vowel(c))
      continue;
    if (i == 0 && vowel(c))
      c = 'a'; // Ashqelon and Ashkelon, Ein and En
    if (!out.empty() && out.back() == c)
      continue;
    out.push_back(c);
  }
  return out;
}

bool is_defective_spelling_of(std::string_view written, std::string_view name, bool sounds) {
  // Asked for every name a search meets in another spelling: the thread's
  // buffers, not new strings each time.
  thread_local std::u32string w, n;
  decode_into(written, w);
  decode_into(name, n);
  // With `sounds`, letters that sound alike are one letter.
  auto same = [&](char32_t a, char32_t b) { return sounds ? sound(a) == sound(b) : a == b; };
  if (w.empty() || n.empty() || !same(w[0], n[0]))
    return false;
  if (sounds && is_hebrew_letter(w[0])) {
    fold_last(w);
    fold_last(n);
  }
  std::size_t i = 1, j = 1;
  while (i < w.size() && j < n.size()) {
    if (same(w[i], n[j])) {
      ++i;
      ++j;
    } else if (n[j] == vav || n[j] == yod) {
      ++j;
    } else {
      return false;
    }
  }
  if (i < w.size())
    return false;
  for (; j < n.size(); ++j)
    if (n[j] != vav && n[j] != yod)
      return false;
  return true;
}

std::vector<std::string> english_stems(std::string_view w) {
  std::vector<std::string> out;
  if (w.size() < 4 || !is_ascii_lower(w))
    return out;
  if (ends_with(w, "ies"))
    out.push_back(std::string(w.substr(0, w.size() - 3)) + "y");
  if (ends_with(w, "es"))
    out.emplace_back(w.substr(0, w.size() - 2));
  if (ends_with(w, "s") && !ends_with(w, "ss"))
    out.emplace_back(w.substr(0, w.size() - 1));
  // -ed and -ing: `rekeyed` → `rekey`, `replaced` → `replace`, `leaking` →
  // `leak`, `replacing` → `replace`, `stopped` → `stop`.
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (!ends_with(w, suffix) || w.size() < suffix.size() + 3)
      continue;
    auto base = w.substr(0, w.size() - suffix.size());
    out.emplace_back(base);
    out.push_back(std::string(base) + "e");
    if (base.size() >= 3 && base[base.size() - 1] == base[base.size() - 2])
      out.emplace_back(base.substr(0, base.size() - 1));
  }
  return out;
}

std::vector<std::string> hebrew_stems(std::string_view word) {
  std::vector<std::string> out;
  if (is_plain_hebrew(word)) { // as below, without code point vectors
    const std::size_t letters = word.size() / 2;
    if (letters < 4)
      return out;
    const char32_t last = plain_letter(word, letters - 1), before = plain_letter(word, letters - 2);
    if ((before == U'\u05D9' && last == U'\u05DE') || (before == U'\u05D5' && last == U'\u05EA')) {
      if (letters - 2 >= 3)
        out.emplace_back(word.substr(0, 2 * (letters - 2)));
    } else if (last == U'\u05D4' || last == U'\u05EA' || last == U'\u05D9') {
      out.emplace_back(word.substr(0, 2 * (letters - 1)));
    }
    return out;
  }
  auto cps = to_code_points(word);
  if (cps.size() < 4 || !is_hebrew_letter(cps[0]))
    return out;
  auto b = boundaries(word);
  auto keep = [&](std::size_t letters) { out.emplace_back(word.substr(0, b[letters])); };
  const char32_t last = cps.back(), before = cps[cps.size() - 2];
  // Normal forms have no final letters: `ים` is י + מ.
  if ((before == U'\u05D9' && last == U'\u05DE') || (before == U'\u05D5' && last == U'\u05EA')) {
    if (cps.size() - 2 >= 3)
      keep(cps.size() - 2);
  } else if (last == U'\u05D4' || last == U'\u05EA' || last == U'\u05D9') { // ה ת י
    keep(cps.size() - 1);
  }
  return out;
}

std::vector<std::string> one_letter_deletions(std::string_view word) {
  auto b = boundaries(word);
  std::vector<std::string> out;
  out.reserve(b.size() - 1);
  for (std::size_t i = 0; i + 1 < b.size(); ++i) {
    std::string s(word.substr(0, b[i]));
    s.append(word.substr(b[i + 1]));
    out.push_back(std::move(s));
  }
  return out;
}

bool same_sound(std::string_view a_utf8, std::string_view b_utf8) {
  thread_local std::u32string a, b; // as in is_defective_spelling_of
  decode_into(a_utf8, a);
  decode_into(b_utf8, b);
  if (a.size() != b.size() || a.empty() || !is_hebrew_letter(a[0]))
    return false;
  fold_last(a);
  fold_last(b);
  for (std::size_t i = 0; i < a.size(); ++i)
    if (sound(a[i]) != sound(b[i]))
      return false;
  return true;
}

bool within_edits(std::string_view a_utf8, std::string_view b_utf8, std::size_t max) {
  auto a = to_code_points(a_utf8);
  auto b = to_code_points(b_utf8);
  std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > max)
    return false;
  // Optimal string alignment, three rows.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > max)
      return false;
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m] <= max;
}

bool within_one_edit(std::string_view a_utf8, std::string_view b_utf8) {
  auto a = to_code_points(a_utf8);
  auto b = to_code_points(b_utf8);
  if (a.size() > b.size())
    std::swap(a, b);
  if (b.size() - a.size() > 1)
    return false;
  std::size_t i = 0;
  while (i < a.size() && a[i] == b[i])
    ++i;
  if (i == a.size())
    return true; // equal, or b has one letter more at the end
  if (a.size() == b.size()) {
    if (a.compare(i + 1, std::u32string::npos, b, i + 1, std::u32string::npos) == 0)
      return true; // one substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.compare(i + 2, std::u32string::npos, b, i + 2, std::u32string::npos) == 0; // a swap
  }
  return a.compare(i, std::u32string::npos, b, i + 1, std::u32string::npos) == 0; // one insertion
}

} // namespace callscribe::extraction
