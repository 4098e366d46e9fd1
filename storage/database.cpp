// Opening the database named by db.url: the SOCI backend, its connect string,
// and the SQLite settings that let several sessions of one process share a file.
#include "storage/database.hpp"
#include "storage/transaction.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <unordered_map>

namespace callscribe::storage {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

const char* const accepted_forms = "db.url must be `sqlite:PATH` (e.g. sqlite:data/callscribe.db) or a "
                                   "`postgresql://user@host:port/dbname` URI (`postgres://` also accepted)";

// The password part of a URI's `user:password@`, if any.
std::string uri_password(const std::string& uri) {
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos)
    return {};
  auto authority_begin = scheme_end + 3;
  auto authority_end = uri.find_first_of("/?", authority_begin);
  auto authority =
      uri.substr(authority_begin,
                 authority_end == std::string::npos ? std::string::npos : authority_end - authority_begin);
  auto at = authority.rfind('@');
  if (at == std::string::npos)
    return {};
  auto colon = authority.find(':');
  if (colon == std::string::npos || colon > at)
    return {};
  return authority.substr(colon + 1, at - colon - 1);
}

bool uri_has_password_parameter(const std::string& uri) {
  auto query = uri.find('?');
  return query != std::string::npos && (uri.find("?password=", query) != std::string::npos ||
                                        uri.find("&password=", query) != std::string::npos);
}

// libpq takes a URI or key=value pairs, never both, so a separate password
// goes in as a query parameter, percent-encoded so no character of it can
// end the value early.
std::string with_password(const std::string& uri, const std::string& password) {
  static const char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : password) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 0xF];
    }
  }
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "password=" + encoded;
}

// SOCI 4.0 garbles a URI whose authority holds `user:password@` (the
// database name comes out as `callscribe=`), so the password moves to a
// `password=` query parameter, which libpq reads the same. It stays
// percent-encoded as it was: both places decode it alike.
std::string password_as_parameter(const std::string& uri) {
  auto authority_begin = uri.find("://") + 3;
  auto at = uri.find('@', authority_begin);
  auto colon = uri.find(':', authority_begin);
  auto password = uri.substr(colon + 1, at - colon - 1);
  auto without = uri.substr(0, colon) + uri.substr(at);
  return without + (without.find('?') == std::string::npos ? "?" : "&") + "password=" + password;
}

std::string scrubbed(std::string message, const std::string& secret) {
  if (secret.empty())
    return message;
  for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at))
    message.replace(at, secret.size(), "***");
  return message;
}

} // namespace

db_target parse_db_url(const std::string& url) {
  db_target t;
  if (starts_with(url, "sqlite:")) {
    t.kind = db_target::backend::sqlite;
    t.sqlite_path = url.substr(7);
    if (t.sqlite_path.empty())
      throw storage_error("db.url `sqlite:` names no file; " + std::string(accepted_forms));
    // SOCI's connect-string parser splits on spaces and understands double
    // quotes only around a value, so these paths cannot be passed through.
    if (t.sqlite_path.find('"') != std::string::npos ||
        std::isspace(static_cast<unsigned char>(t.sqlite_path[0])))
      throw storage_error("db.url: an SQLite path may not contain '\"' or start with a space: " +
                          t.sqlite_path);
    bool has_space = t.sqlite_path.find(' ') != std::string::npos;
    t.connect_string = "db=" + (has_space ? "\"" + t.sqlite_path + "\"" : t.sqlite_path) + " timeout=5";
    return t;
  }
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    t.kind = db_target::backend::postgresql;
    t.connect_string = url;
    return t;
  }
  // Never echo a URL we do not understand: it may hold a password.
  auto scheme = url.substr(0, std::min(url.find(':'), std::size_t{16}));
  throw storage_error("unsupported db.url (scheme `" + scheme + "`); " + accepted_forms);
}

std::int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string iso8601_utc(std::int64_t us) {
  std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<std::int64_t> parse_iso8601_utc(const std::string& text) {
  std::tm utc{};
  char zone = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &utc.tm_year, &utc.tm_mon, &utc.tm_mday,
                  &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &zone) != 7 ||
      zone != 'Z')
    return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&utc)) * 1000000;
}

std::int64_t sqlite_memory_bytes() {
  // SOCI's header declares SQLite's API inside namespace sqlite_api.
  return static_cast<std::int64_t>(sqlite_api::sqlite3_memory_used());
}

struct database::impl {
  std::unique_ptr<soci::session> sql;
  bool sqlite = true;
  // Declared after `sql`, so destroyed (finalized) before it.
  std::unordered_map<std::type_index, std::unique_ptr<prepared_entry>> prepared;
};

database::database() : impl_(std::make_unique<impl>()) {}
database::database(database&&) noexcept = default;
database& database::operator=(database&&) noexcept = default;
database::~database() = default;

database database::open(const std::string& url, const std::string& password) {
  db_target target = parse_db_url(url);
  database db;
  db.impl_->sqlite = target.kind == db_target::backend::sqlite;
  if (db.impl_->sqlite) {
    std::string doing = "opening the SQLite database " + target.sqlite_path;
    try {
      std::filesystem::path parent = std::filesystem::path(target.sqlite_path).parent_path();
      if (!parent.empty() && target.sqlite_path != ":memory:")
        std::filesystem::create_directories(parent);
      db.impl_->sql = std::make_unique<soci::session>(soci::sqlite3, target.connect_string);
      auto& sql = *db.impl_->sql;
      std::string mode;
      sql << "PRAGMA journal_mode=WAL", soci::into(mode);
      // WAL with synchronous=NORMAL can lose the last commits on power loss;
      // an acknowledged job must survive that, so every commit is synced.
      sql << "PRAGMA synchronous=FULL";
      sql << "PRAGMA foreign_keys=ON";
      sql << "PRAGMA busy_timeout=5000";
    } catch (const std::exception& e) {
      throw storage_error(doing + ": " + e.what());
    }
    return db;
  }

  std::string embedded = uri_password(target.connect_string);
  std::string connect = target.connect_string;
  if (!embedded.empty())
    connect = password_as_parameter(connect);
  else if (!password.empty() && !uri_has_password_parameter(connect))
    connect = with_password(connect, password);
  try {
    db.impl_->sql = std::make_unique<soci::session>(soci::postgresql, connect);
    // libpq prints NOTICEs straight to stderr, past our log format.
    *db.impl_->sql << "SET client_min_messages TO WARNING";
  } catch (const std::exception& e) {
    // libpq does not echo passwords, but a message is cheap to scrub.
    std::string message = scrubbed(scrubbed(e.what(), password), embedded);
    throw storage_error("connecting to PostgreSQL (db.url): " + message);
  }
  return db;
}

bool database::ping() {
  try {
    int one = 0;
    session() << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (const std::exception&) {
    return false;
  }
}

bool database::is_sqlite() const {
  return impl_->sqlite;
}

soci::session& database::session() {
  return *impl_->sql;
}

database::prepared_entry* database::find_prepared(std::type_index query) {
  auto it = impl_->prepared.find(query);
  return it == impl_->prepared.end() ? nullptr : it->second.get();
}

database::prepared_entry& database::keep_prepared(std::type_index query,
                                                  std::unique_ptr<prepared_entry> entry) {
  auto& slot = impl_->prepared[query];
  slot = std::move(entry);
  return *slot;
}

void database::forget_prepared(std::type_index query) {
  impl_->prepared.erase(query);
}

write_transaction::write_transaction(database& db) : db_(db) {
  guarded("beginning a transaction",
          [&] { db_.session() << (db_.is_sqlite() ? "BEGIN IMMEDIATE" : "BEGIN"); });
  open_ = true;
}

write_transaction::~write_transaction() {
  if (!open_)
    return;
  try {
    db_.session() << "ROLLBACK";
  } catch (const std::exception&) {
    // The connection is gone or the transaction already ended: nothing to undo.
  }
}

void write_transaction::commit() {
  guarded("committing a transaction", [&] { db_.session() << "COMMIT"; });
  open_ = false;
}

} // namespace callscribe::storage
