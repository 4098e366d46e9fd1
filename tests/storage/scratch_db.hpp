// A fresh, migrated database per test: an SQLite file in its own temporary
// folder, or, with CALLSCRIBE_TEST_BACKEND=postgresql, a schema of its own in
// the PostgreSQL server that CALLSCRIBE_TEST_PG_URL (or the file named by
// CALLSCRIBE_TEST_PG_URL_FILE, which tests/pg/pg_server.sh writes) names.
// The same tests thus run on both backends (CTest: test_storage and
// test_storage_postgresql).
#pragma once

#include "storage/database.hpp"

#include <boost/test/unit_test.hpp>
#include <soci/soci.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace callscribe::storage::test {

inline std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

inline bool on_postgresql() {
  return env_or_empty("CALLSCRIBE_TEST_BACKEND") == "postgresql";
}

// The test server's URL; empty when none is named.
inline std::string test_pg_url() {
  auto url = env_or_empty("CALLSCRIBE_TEST_PG_URL");
  if (!url.empty())
    return url;
  auto file = env_or_empty("CALLSCRIBE_TEST_PG_URL_FILE");
  if (file.empty())
    return {};
  std::ifstream in(file);
  std::getline(in, url);
  return url;
}

// `base` narrowed to one schema (libpq's options parameter).
inline std::string in_schema(const std::string& base, const std::string& schema) {
  return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

// Decorators: a test of SQLite itself is skipped on the PostgreSQL run, and
// the other way round. (Plain functions: boost::function holding an empty
// functor trips GCC's -Wuninitialized.)
inline boost::test_tools::assertion_result backend_is_sqlite(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(!on_postgresql());
  r.message() << "tests SQLite itself";
  return r;
}

inline boost::test_tools::assertion_result backend_is_postgresql(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(on_postgresql());
  r.message() << "runs in test_storage_postgresql";
  return r;
}

inline boost::unit_test::decorator::precondition sqlite_only() {
  return boost::unit_test::precondition(&backend_is_sqlite);
}

inline boost::unit_test::decorator::precondition postgresql_only() {
  return boost::unit_test::precondition(&backend_is_postgresql);
}

struct scratch_db {
  std::filesystem::path dir;
  std::string schema; // PostgreSQL only
  std::string url;
  database db;

  scratch_db() : dir(make_dir()), schema(make_schema()), url(make_url(dir, schema)), db(open_migrated(url)) {}
  ~scratch_db() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (!schema.empty()) {
      try {
        database::open(test_pg_url()).session() << "DROP SCHEMA IF EXISTS " + schema + " CASCADE";
      } catch (const std::exception&) {
      }
    }
  }

  // Another connection to the same database, as another actor would hold.
  database another() { return database::open(url); }

private:
  static int next() {
    static std::atomic<int> counter{0};
    return counter++;
  }
  static std::filesystem::path make_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("callscribe-storage-" + std::to_string(::getpid()) + "-" + std::to_string(next()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
  }
  static std::string make_schema() {
    if (!on_postgresql())
      return {};
    if (test_pg_url().empty())
      throw std::runtime_error(
          "CALLSCRIBE_TEST_BACKEND=postgresql, but neither CALLSCRIBE_TEST_PG_URL nor "
          "CALLSCRIBE_TEST_PG_URL_FILE names a server (tests/pg/pg_server.sh starts one)");
    auto name = "scratch_" + std::to_string(::getpid()) + "_" + std::to_string(next());
    database::open(test_pg_url()).session() << "CREATE SCHEMA " + name;
    return name;
  }
  static std::string make_url(const std::filesystem::path& dir, const std::string& schema) {
    if (!schema.empty())
      return in_schema(test_pg_url(), schema);
    return "sqlite:" + (dir / "sub" / "callscribe.db").string();
  }
  static database open_migrated(const std::string& url) {
    auto db = database::open(url);
    db.migrate();
    return db;
  }
};

} // namespace callscribe::storage::test
