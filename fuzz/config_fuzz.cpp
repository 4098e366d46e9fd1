// The config loader on any callscribe.ini: settings, or options_error with a
// one-line reason. Anything else escaping parse_invocation is a finding.
#include "config/options.hpp"
#include "fuzz/scratch_file.hpp"

#include <cstdint>
#include <map>
#include <string>

using namespace callscribe::config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = callscribe::fuzz::write_scratch_file("callscribe.ini", data, size);
  const char* argv[] = {"callscribe", "--config", path.c_str(), "serve"};
  try {
    (void)parse_invocation(4, argv, std::map<std::string, std::string>{});
  } catch (const options_error&) {
  }
  return 0;
}
