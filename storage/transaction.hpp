// For storage/ internals: the write transaction every multi-statement change
// runs in, and the wrapping of driver errors into storage_error.
#pragma once

#include "storage/database.hpp"

#include <exception>
#include <string>
#include <utility>

namespace callscribe::storage {

// Begins at construction, rolls back at destruction unless committed. On
// SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads and then
// writes can fail with SQLITE_BUSY at once when another connection committed
// in between (WAL cannot upgrade a stale snapshot), while taking the write
// lock up front just waits out the busy timeout.
class write_transaction {
public:
  explicit write_transaction(database& db);
  ~write_transaction();
  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;
  void commit();

private:
  database& db_;
  bool open_ = false;
};

// Runs `body`, turning any driver error into a storage_error that says what
// was being done. Query errors carry SQL and driver text, never credentials.
template <class F> auto guarded(const std::string& doing, F&& body) -> decltype(body()) {
  try {
    return std::forward<F>(body)();
  } catch (const storage_error&) {
    throw;
  } catch (const std::exception& e) {
    throw storage_error(doing + ": " + e.what());
  }
}

} // namespace callscribe::storage
