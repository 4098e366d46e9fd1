// Single-word place names that are also everyday words or first names, so a
// name standing alone in a transcript is more likely the word than the place.
#pragma once

#include <string_view>

namespace callscribe::extraction {

// `word` in normal form (normalize_word). Multi-word names are never in here:
// `Orange` alone is a colour, `Orange Park` is a place.
bool is_everyday_word(std::string_view word);

} // namespace callscribe::extraction
