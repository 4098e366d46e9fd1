// Room for recordings in the data dir, against storage.min-free-megabytes:
// readiness reports it, and the downloader claims no new job without it (a
// download that cannot be stored would cost the job an attempt).
#pragma once

#include <cstdint>
#include <string>

namespace callscribe::storage {

struct free_space {
  bool enough = false;
  bool measured = false; // the dir could be asked
  std::uintmax_t available_bytes = 0;
  std::uintmax_t threshold_bytes = 0;
  std::string shortage; // for the operator, when not enough: the numbers and the option
};

// Creates `data_dir` when missing; a dir that cannot be read counts as no room.
free_space check_free_space(const std::string& data_dir, int min_free_megabytes);

} // namespace callscribe::storage
