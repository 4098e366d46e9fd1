// Matches over token ranges that must not share a token.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace callscribe::extraction {

// Of `best_first` (any type with `first`/`last` token bounds, the better
// earlier), each one that takes no token a better one took, in text order.
template <class Match>
std::vector<Match> without_overlaps(const std::vector<Match>& best_first, std::size_t tokens) {
  std::vector<bool> taken(tokens, false);
  std::vector<Match> kept;
  for (const auto& m : best_first) {
    if (std::any_of(taken.begin() + m.first, taken.begin() + m.last, [](bool b) { return b; }))
      continue;
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    kept.push_back(m);
  }
  std::sort(kept.begin(), kept.end(), [](const Match& a, const Match& b) { return a.first < b.first; });
  return kept;
}

} // namespace callscribe::extraction
