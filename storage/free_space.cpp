#include "storage/free_space.hpp"

#include <filesystem>
#include <system_error>

namespace callscribe::storage {

free_space check_free_space(const std::string& data_dir, int min_free_megabytes) {
  free_space out;
  out.threshold_bytes =
      static_cast<std::uintmax_t>(min_free_megabytes < 0 ? 0 : min_free_megabytes) * 1024 * 1024;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  auto space = std::filesystem::space(data_dir, ec);
  if (ec) {
    out.shortage = "data dir " + data_dir + ": " + ec.message();
    return out;
  }
  out.measured = true;
  out.available_bytes = space.available;
  out.enough = space.available >= out.threshold_bytes;
  if (!out.enough)
    out.shortage = "data dir " + data_dir + " has " + std::to_string(space.available / (1024 * 1024)) +
                   " MiB free, under storage.min-free-megabytes (" + std::to_string(min_free_megabytes) + ")";
  return out;
}

} // namespace callscribe::storage
