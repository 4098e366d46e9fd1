// US state names as callers say them after a city ("Springfield, Illinois",
// "Portland Oregon", "Austin TX"), for telling apart cities of one name.
#pragma once

#include "extraction/normalize.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::extraction {

struct state_mention {
  std::string code;      // two letters, upper case, as in us_cities.tsv: "IL"
  std::size_t words = 0; // tokens the state took
};

// The state named by the tokens starting at `pos`: a full name (`illinois`,
// `new york`, `district of columbia`) or a two-letter code that is not also an
// everyday English word (`tx`, `nj`; not `in`, `or`, `me`, `oh`).
std::optional<state_mention> state_at(const std::vector<token>& tokens, std::size_t pos);

} // namespace callscribe::extraction
