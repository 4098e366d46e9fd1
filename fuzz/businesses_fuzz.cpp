// The businesses loader on any businesses.json, into an in-memory SQLite
// database: a count, or businesses_error naming the file and the entry.
#include "app/businesses.hpp"
#include "fuzz/scratch_file.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <memory>
#include <string>

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One database for the whole run: opening and migrating one per input
  // would be most of the time. Upserts by phone number keep it small.
  static auto db = [] {
    auto d = std::make_unique<storage::database>(storage::database::open("sqlite::memory:"));
    d->migrate();
    return d;
  }();
  const std::string path = fuzz::write_scratch_file("businesses.json", data, size);
  try {
    (void)app::load_businesses(*db, path);
  } catch (const app::businesses_error&) {
  }
  return 0;
}
