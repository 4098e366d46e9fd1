// The database behind callscribe: opens a SOCI session from our db.url and
// applies the numbered migrations. SOCI stays inside storage/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeindex>

namespace soci {
class session;
}

namespace callscribe::storage {

// Any failure to open, migrate or query, with a message an operator can act on.
struct storage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What db.url names: `sqlite:PATH` or a whole `postgresql://…` URI.
struct db_target {
  enum class backend { sqlite, postgresql };
  backend kind;
  std::string connect_string; // what SOCI's backend gets: "db=PATH …" or the URI
  std::string sqlite_path;    // for sqlite only
};

// Throws storage_error naming the accepted forms when the URL is neither.
db_target parse_db_url(const std::string& url);

// Microseconds since the Unix epoch, wall clock: every time column we own.
std::int64_t now_us();

// `us` as ISO-8601 UTC to the second ("2026-11-24T20:17:19Z"): the
// created_at/updated_at columns.
std::string iso8601_utc(std::int64_t us);
// The inverse, for the same form; nullopt for anything else.
std::optional<std::int64_t> parse_iso8601_utc(const std::string& text);

// The schema version this binary's migrations end at.
int latest_schema_version();

// Bytes SQLite holds in this whole process: above all the page cache of
// each open connection (up to 2 MiB each by default), which fills as the
// database grows. 0 when no SQLite database was opened.
std::int64_t sqlite_memory_bytes();

class database {
public:
  // Opens (and for SQLite creates, with its parent folder) the database.
  // SQLite gets WAL mode, foreign keys and a busy timeout, so the several
  // sessions of one process can share the file. `password` fills in a
  // PostgreSQL password when the URI has none.
  static database open(const std::string& url, const std::string& password = {});

  database(database&&) noexcept;
  database& operator=(database&&) noexcept;
  ~database();

  // Applies every numbered migration not applied yet, in order, each in its
  // own transaction; returns the schema version afterwards. Throws
  // storage_error, changing nothing, when the database is newer than the
  // migrations this binary knows.
  int migrate();
  int schema_version();
  bool ping();
  bool is_sqlite() const;

  // For storage/ internals only.
  soci::session& session();

  // For storage/prepared.hpp only: the statements prepared on this
  // connection, one per query type, closed before the connection.
  struct prepared_entry {
    virtual ~prepared_entry() = default;
  };
  prepared_entry* find_prepared(std::type_index query);
  prepared_entry& keep_prepared(std::type_index query, std::unique_ptr<prepared_entry> entry);
  void forget_prepared(std::type_index query);

private:
  database();
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace callscribe::storage
