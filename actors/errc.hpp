// callscribe's one error enum for CAF errors, rendered as "callscribe:<name>".
#pragma once

#include <caf/atom.hpp>
#include <caf/error.hpp>

#include <cstdint>
#include <string>

namespace callscribe {

enum class errc : std::uint8_t {
  storage_failed = 1,
  engine_failed, // the engine failed on a job and was made again
  engine_lost,   // it could not be made again: the transcriber ends
  download_failed,
  bad_audio,
  unknown_business,
  shutting_down,
};

const char* to_string(errc x);

inline caf::error make_error(errc x) {
  return caf::error(static_cast<std::uint8_t>(x), caf::atom("callscribe"));
}

inline caf::error make_error(errc x, std::string context) {
  return caf::error(static_cast<std::uint8_t>(x), caf::atom("callscribe"),
                    caf::make_message(std::move(context)));
}

} // namespace callscribe
