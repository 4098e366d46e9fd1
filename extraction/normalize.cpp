// Text normalisation with ICU; plain ASCII and plain Hebrew words take a fast
// path because they are nearly all of what a transcript holds.
#include "extraction/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace callscribe::extraction {
namespace {

// Characters that join a word rather than split it: `Be'er`, `O'Fallon`,
// `חמ"ד`, `ג׳סר`. Removing them (not turning them into spaces) keeps an
// acronym or a romanised name one word, in the lists and the transcript alike.
bool is_joiner(UChar32 c) {
  switch (c) {
  case 0x0022: // "
  case 0x0027: // '
  case 0x0060: // `
  case 0x00B4: // acute accent
  case 0x02BC: // modifier letter apostrophe
  case 0x2018: // left single quotation mark
  case 0x2019: // right single quotation mark (typographic apostrophe)
  case 0x05F3: // Hebrew geresh
  case 0x05F4: // Hebrew gershayim
    return true;
  default:
    return false;
  }
}

bool is_mark(UChar32 c) {
  auto t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

// Format characters (RLM, LRM, ZWJ ...) are invisible: drop them without
// splitting, since RTL text often carries them in the middle of a word.
bool is_ignorable(UChar32 c) {
  if (c < 0x80 || (c >= 0x05D0 && c <= 0x05EA))
    return false; // the common case, without a table lookup in ICU
  return u_charType(c) == U_FORMAT_CHAR;
}

bool is_word_char(UChar32 c) {
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (c >= 0x05D0 && c <= 0x05EA)
    return true; // Hebrew letters
  return u_isalnum(c) || is_mark(c);
}

// ך ם ן ף ץ are the same letters as כ מ נ פ צ; speech engines do not always
// put them at the end of a word (and a prefix-stripped or split word moves the
// end), so matching sees only the regular forms.
UChar32 regular_form(UChar32 c) {
  switch (c) {
  case 0x05DA:
    return 0x05DB;
  case 0x05DD:
    return 0x05DE;
  case 0x05DF:
    return 0x05E0;
  case 0x05E3:
    return 0x05E4;
  case 0x05E5:
    return 0x05E6;
  default:
    return c;
  }
}

bool is_plain_hebrew_letter(UChar32 c) {
  return c >= 0x05D0 && c <= 0x05EA;
}

void append_utf8(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, U8_MAX_LENGTH, c, error);
  if (!error)
    out.append(buf, static_cast<std::size_t>(n));
}

// "Boston's" is about Boston: drop a Latin possessive before normalising.
std::string_view without_possessive(std::string_view w) {
  auto n = w.size();
  if (n >= 4 && (w[n - 1] == 's' || w[n - 1] == 'S')) {
    if (w[n - 2] == '\'')
      return w.substr(0, n - 2);
    if (n >= 6 && w.substr(n - 4, 3) == "\xE2\x80\x99") // ’
      return w.substr(0, n - 4);
  }
  return w;
}

struct normalizers {
  const icu::Normalizer2* nfkc;
  const icu::Normalizer2* nfd;
  const icu::Normalizer2* nfc;
};

const normalizers& icu_normalizers() {
  // ICU's instances are immutable singletons, safe to share between threads.
  static const normalizers n = [] {
    UErrorCode st = U_ZERO_ERROR;
    normalizers r{icu::Normalizer2::getNFKCInstance(st), icu::Normalizer2::getNFDInstance(st),
                  icu::Normalizer2::getNFCInstance(st)};
    if (U_FAILURE(st))
      throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(st));
    return r;
  }();
  return n;
}

std::string normalize_with_icu(std::string_view w) {
  const auto& n = icu_normalizers();
  icu::UnicodeString in;
  auto src = icu::UnicodeString::fromUTF8(icu::StringPiece(w.data(), static_cast<int32_t>(w.size())));
  for (int32_t i = 0; i < src.length();) {
    UChar32 c = src.char32At(i);
    i += U16_LENGTH(c);
    if (!is_joiner(c) && !is_ignorable(c))
      in.append(c);
  }
  UErrorCode st = U_ZERO_ERROR;
  // NFKC first so compatibility forms (presentation forms, full-width Latin,
  // ligatures) become ordinary letters; then fold case; then decompose so
  // every mark, Hebrew or Latin, stands alone and can be dropped.
  auto s = n.nfkc->normalize(in, st);
  s.foldCase();
  s = n.nfd->normalize(s, st);
  icu::UnicodeString bare;
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (is_mark(c) || is_ignorable(c) || is_joiner(c))
      continue;
    bare.append(is_word_char(c) ? regular_form(c) : UChar32{' '});
  }
  bare = n.nfc->normalize(bare, st);
  if (U_FAILURE(st))
    return {};
  std::string out;
  bare.toUTF8String(out);
  return out;
}

} // namespace

std::string normalize_word(std::string_view word) {
  std::string out;
  normalize_word_into(word, out);
  return out;
}

void normalize_word_into(std::string_view word, std::string& out) {
  out.clear();
  word = without_possessive(word);
  bool ascii = true;
  for (unsigned char ch : word)
    ascii = ascii && ch < 0x80;
  if (ascii) {
    out.reserve(word.size());
    for (char ch : word) {
      if (ch == '\'' || ch == '"' || ch == '`')
        continue;
      bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
      out.push_back(!alnum ? ' ' : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch);
    }
    return;
  }
  // Plain Hebrew letters (no niqqud, no presentation forms) need only the
  // final-letter mapping and the gershayim removed. First byte by byte, for
  // letters and ASCII quotes alone (U+05D0..U+05EA are D7 90..D7 AA), since
  // that is nearly every Hebrew word of a transcript.
  out.reserve(word.size());
  bool plain = true;
  for (std::size_t i = 0; plain && i < word.size(); ++i) {
    auto c = static_cast<unsigned char>(word[i]);
    if (c == '\'' || c == '"' || c == '`')
      continue;
    auto next = i + 1 < word.size() ? static_cast<unsigned char>(word[i + 1]) : 0;
    if (c != 0xD7 || next < 0x90 || next > 0xAA) {
      plain = false;
      break;
    }
    // ך ם ן ף ץ → כ מ נ פ צ: each final letter is one before its regular form.
    bool final_letter = next == 0x9A || next == 0x9D || next == 0x9F || next == 0xA3 || next == 0xA5;
    out.push_back(static_cast<char>(c));
    out.push_back(static_cast<char>(final_letter ? next + 1 : next));
    ++i;
  }
  if (plain)
    return;
  out.clear();
  const auto* p = reinterpret_cast<const uint8_t*>(word.data());
  auto len = static_cast<int32_t>(word.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (is_joiner(c))
      continue;
    if (!is_plain_hebrew_letter(c)) {
      out = normalize_with_icu(word);
      return;
    }
    append_utf8(out, regular_form(c));
  }
}

namespace {

// `"`, gershayim (U+05F4) or a typographic double quote (U+201C, U+201D),
// in one pass over the bytes.
bool has_quote_mark(std::string_view w) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto c = static_cast<unsigned char>(w[i]);
    if (c == '"')
      return true;
    if (c == 0xD7 && i + 1 < w.size() && static_cast<unsigned char>(w[i + 1]) == 0xB4)
      return true;
    if (c == 0xE2 && i + 2 < w.size() && static_cast<unsigned char>(w[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(w[i + 2]) == 0x9C || static_cast<unsigned char>(w[i + 2]) == 0x9D))
      return true;
  }
  return false;
}

} // namespace

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> tokens;
  tokens.reserve(text.size() / 6 + 1); // about a word per six bytes, in either language
  tokenize_into(text, 0, tokens);
  return tokens;
}

void tokenize_into(std::string_view text, std::size_t offset, std::vector<token>& tokens) {
  if (text.size() > static_cast<std::size_t>(INT32_MAX))
    text = text.substr(0, INT32_MAX);
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  auto len = static_cast<int32_t>(text.size());
  // Tokens are built where they are kept, each word normalised into its
  // token's own string: for short words a string move is a copy, and
  // tokenising was a fifth of an extraction.
  auto describe = [&](token& t, int32_t begin, int32_t end, bool quoted) {
    t.begin = offset + static_cast<std::size_t>(begin);
    t.end = offset + static_cast<std::size_t>(end);
    UChar32 first;
    int32_t k = 0;
    U8_NEXT(reinterpret_cast<const uint8_t*>(t.text.data()), k, static_cast<int32_t>(t.text.size()), first);
    t.hebrew = first >= 0x0590 && first <= 0x05FF;
    t.acronym = t.hebrew && quoted;
  };
  auto emit = [&](int32_t begin, int32_t end) {
    auto original = text.substr(begin, end - begin);
    // Gershayim (or a quote typed for it) inside a Hebrew word marks an
    // abbreviation; the normal form drops it, so say so here.
    const bool quoted = has_quote_mark(original);
    auto& t = tokens.emplace_back();
    normalize_word_into(original, t.text);
    if (std::find(t.text.begin(), t.text.end(), ' ') == t.text.end()) { // nearly always
      if (t.text.empty())
        tokens.pop_back();
      else
        describe(t, begin, end, quoted);
      return;
    }
    // A compatibility character can decompose into several words.
    const std::string norm = std::move(t.text);
    tokens.pop_back();
    for (std::size_t pos = 0; pos < norm.size();) {
      auto space = std::min(norm.find(' ', pos), norm.size());
      if (space > pos) {
        auto& part = tokens.emplace_back();
        part.text = norm.substr(pos, space - pos);
        describe(part, begin, end, quoted);
      }
      pos = space + 1;
    }
  };
  int32_t start = -1, last_end = -1; // current word: [start, last_end) of word characters
  for (int32_t i = 0; i < len;) {
    int32_t at = i;
    bool letter, word;
    // ASCII and plain Hebrew letters (D7 90..D7 AA) without decoding: nearly
    // every byte of a transcript.
    if (p[i] < 0x80) {
      const auto b = p[i++];
      letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
      word = letter || b == '"' || b == '\'' || b == '`';
    } else if (p[i] == 0xD7 && i + 1 < len && p[i + 1] >= 0x90 && p[i + 1] <= 0xAA) {
      i += 2;
      letter = word = true;
    } else {
      UChar32 c;
      U8_NEXT(p, i, len, c);
      letter = c >= 0 && is_word_char(c);
      word = c >= 0 && (letter || is_joiner(c) || is_ignorable(c));
    }
    if (word) {
      // Quotes around a word are not part of it; inside it they are.
      if (start < 0 && letter)
        start = at;
      if (letter)
        last_end = i;
    } else if (start >= 0) {
      if (last_end > start)
        emit(start, last_end);
      start = last_end = -1;
    }
  }
  if (start >= 0 && last_end > start)
    emit(start, last_end);
}

std::string normalize_text(std::string_view text) {
  std::string out;
  for (const auto& t : tokenize(text)) {
    if (!out.empty())
      out.push_back(' ');
    out += t.text;
  }
  return out;
}

} // namespace callscribe::extraction
