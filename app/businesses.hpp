// businesses.json → the businesses table, checked before anything starts.
#pragma once

#include "storage/database.hpp"

#include <stdexcept>
#include <string>

namespace callscribe::app {

struct businesses_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Upserts every business of the file by phone number; returns how many.
// Throws businesses_error naming the file, the entry and what is wrong.
int load_businesses(storage::database& db, const std::string& path);

} // namespace callscribe::app
