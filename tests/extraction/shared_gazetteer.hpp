// One gazetteer with the project's place lists for every extraction test:
// loading and indexing the US list takes a while.
#pragma once

#include "extraction/gazetteer.hpp"

namespace callscribe::extraction::testing {

inline gazetteer& shared_gazetteer() {
  static gazetteer g(CALLSCRIBE_SOURCE_DIR "/config/places");
  return g;
}

} // namespace callscribe::extraction::testing
