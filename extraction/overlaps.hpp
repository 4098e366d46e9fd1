// Matches over token ranges that must not share a token.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
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

// The same, with the matches in any order and `best_first` their indexes
// from the best: nothing is copied, the kept matches are moved out of `all`.
template <class Match>
std::vector<Match> without_overlaps(std::vector<Match> all, const std::vector<std::uint32_t>& best_first,
                                    std::size_t tokens) {
  std::vector<bool> taken(tokens, false);
  std::vector<std::uint32_t> kept;
  for (auto i : best_first) {
    const auto& m = all[i];
    if (std::any_of(taken.begin() + m.first, taken.begin() + m.last, [](bool b) { return b; }))
      continue;
    std::fill(taken.begin() + m.first, taken.begin() + m.last, true);
    kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end(),
            [&](std::uint32_t a, std::uint32_t b) { return all[a].first < all[b].first; });
  std::vector<Match> out;
  out.reserve(kept.size());
  for (auto i : kept)
    out.push_back(std::move(all[i]));
  return out;
}

} // namespace callscribe::extraction
