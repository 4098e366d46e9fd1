#include "fault/fault_point.hpp"

#ifdef CALLSCRIBE_FAULTS
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace callscribe {

void fault_point(const char* name) {
  // Read once: which point, and at which hit.
  static const auto wanted = [] {
    std::string spec = std::getenv("CALLSCRIBE_FAULT") ? std::getenv("CALLSCRIBE_FAULT") : "";
    int nth = 1;
    if (auto colon = spec.find(':'); colon != std::string::npos) {
      nth = std::max(1, std::atoi(spec.c_str() + colon + 1));
      spec.resize(colon);
    }
    return std::make_pair(spec, nth);
  }();
  static std::atomic<int> hits{0};
  if (wanted.first.empty() || wanted.first != name)
    return;
  if (++hits == wanted.second)
    ::kill(::getpid(), SIGKILL);
}

} // namespace callscribe
#endif
