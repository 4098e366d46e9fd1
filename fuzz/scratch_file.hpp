// For the entry points that read a path (audio, config, businesses): each run
// writes its input to one file of this process, in $TMPDIR when set
// (scripts/fuzz.sh gives every target a scratch folder).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace callscribe::fuzz {

inline std::string write_scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    return std::string(t && *t ? t : "/tmp");
  }();
  std::string path = dir + "/callscribe-fuzz-" + std::to_string(getpid()) + "-" + name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort(); // the harness, not the code under test
  }
  return path;
}

} // namespace callscribe::fuzz
