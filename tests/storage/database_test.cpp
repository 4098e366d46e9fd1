// Opening databases from db.url, the SQLite settings, and the migrations.
#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>

#include "storage/database.hpp"
#include "storage/reconcile_mark.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

using namespace callscribe::storage;
using callscribe::storage::test::on_postgresql;
using callscribe::storage::test::scratch_db;
using callscribe::storage::test::sqlite_only;

namespace {

std::string error_of(const std::string& url) {
  try {
    parse_db_url(url);
  } catch (const storage_error& e) {
    return e.what();
  }
  return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(sqlite_urls_become_a_db_connect_string) {
  auto t = parse_db_url("sqlite:data/callscribe.db");
  BOOST_TEST((t.kind == db_target::backend::sqlite));
  BOOST_TEST(t.sqlite_path == "data/callscribe.db");
  BOOST_TEST(t.connect_string == "db=data/callscribe.db timeout=5");

  auto spaced = parse_db_url("sqlite:/tmp/my data/x.db");
  BOOST_TEST(spaced.sqlite_path == "/tmp/my data/x.db");
  BOOST_TEST(spaced.connect_string == "db=\"/tmp/my data/x.db\" timeout=5");
}

BOOST_AUTO_TEST_CASE(postgresql_uris_are_passed_whole) {
  for (std::string url :
       {"postgresql://cs:secret@db.example:5432/callscribe", "postgres://localhost/callscribe"}) {
    auto t = parse_db_url(url);
    BOOST_TEST((t.kind == db_target::backend::postgresql));
    BOOST_TEST(t.connect_string == url);
  }
}

BOOST_AUTO_TEST_CASE(other_urls_are_refused_naming_the_accepted_forms) {
  for (std::string url : {"", "sqlite:", "mysql://root:hunter2@localhost/x", "data/callscribe.db",
                          "sqlite3:x.db", "sqlite:\"quoted\".db"}) {
    auto message = error_of(url);
    BOOST_TEST_CONTEXT(url) {
      BOOST_TEST(!message.empty());
      BOOST_TEST(message.find("hunter2") == std::string::npos);
    }
  }
  auto message = error_of("mysql://root:hunter2@localhost/x");
  BOOST_TEST(message.find("sqlite:PATH") != std::string::npos);
  BOOST_TEST(message.find("postgresql://") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(timestamps_are_iso8601_utc) {
  BOOST_TEST(iso8601_utc(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(iso8601_utc(1795551439'123456) == "2026-11-24T20:17:19Z");
  BOOST_TEST(now_us() > 1700000000'000000);
}

BOOST_AUTO_TEST_CASE(migrating_twice_is_idempotent) {
  scratch_db s;
  BOOST_TEST(s.db.schema_version() == latest_schema_version());
  BOOST_TEST(s.db.migrate() == latest_schema_version());
  auto other = s.another();
  BOOST_TEST(other.migrate() == latest_schema_version());
  int rows = 0;
  s.db.session() << "SELECT COUNT(*) FROM schema_migrations", soci::into(rows);
  BOOST_TEST(rows == latest_schema_version());
  BOOST_TEST(s.db.ping());
  BOOST_TEST(s.db.is_sqlite() == !on_postgresql());
}

BOOST_AUTO_TEST_CASE(a_database_newer_than_the_binary_is_refused_and_left_alone) {
  scratch_db s;
  const int known = s.db.schema_version();
  s.db.session() << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, 'later')",
      soci::use(known + 1);
  try {
    s.db.migrate();
    BOOST_FAIL("a newer database was migrated");
  } catch (const storage_error& e) {
    const std::string message = e.what();
    BOOST_TEST(message.find("newer than this callscribe knows") != std::string::npos, message);
    BOOST_TEST(message.find(std::to_string(known + 1)) != std::string::npos, message);
  }
  int rows = 0;
  s.db.session() << "SELECT COUNT(*) FROM schema_migrations", soci::into(rows);
  BOOST_TEST(rows == known + 1);
  BOOST_TEST(s.db.schema_version() == known + 1);
}

BOOST_AUTO_TEST_CASE(a_new_database_reports_version_zero_until_migrated) {
  scratch_db s;
  auto fresh_url = "sqlite:" + (s.dir / "fresh.db").string();
  auto fresh = database::open(fresh_url);
  BOOST_TEST(fresh.schema_version() == 0);
  BOOST_TEST(fresh.migrate() == latest_schema_version());
}

BOOST_AUTO_TEST_CASE(sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys, *sqlite_only()) {
  scratch_db s;
  std::string mode;
  int synchronous = 0, foreign_keys = 0, busy = 0;
  s.db.session() << "PRAGMA journal_mode", soci::into(mode);
  s.db.session() << "PRAGMA synchronous", soci::into(synchronous);
  s.db.session() << "PRAGMA foreign_keys", soci::into(foreign_keys);
  s.db.session() << "PRAGMA busy_timeout", soci::into(busy);
  BOOST_TEST(mode == "wal");
  BOOST_TEST(synchronous == 2); // FULL
  BOOST_TEST(foreign_keys == 1);
  BOOST_TEST(busy >= 5000);
  BOOST_TEST(std::filesystem::exists(s.dir / "sub" / "callscribe.db"));
}

BOOST_AUTO_TEST_CASE(an_unreachable_postgresql_fails_without_echoing_the_password) {
  try {
    database::open("postgresql://cs@127.0.0.1:1/callscribe?connect_timeout=2", "s3cr3t-pw");
    BOOST_FAIL("connected to port 1");
  } catch (const storage_error& e) {
    std::string message = e.what();
    BOOST_TEST(message.find("s3cr3t-pw") == std::string::npos);
    BOOST_TEST(message.find("PostgreSQL") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_reconciliation_mark_is_kept_per_account_and_survives_a_new_session) {
  scratch_db s;
  const std::string account = "AC0123456789abcdef0123456789abcdef";
  BOOST_TEST(!reconcile_mark(s.db, account));
  set_reconcile_mark(s.db, account, "2026-11-24");
  set_reconcile_mark(s.db, account, "2026-11-25");
  auto other = s.another();
  BOOST_TEST(reconcile_mark(other, account).value_or("") == "2026-11-25");
  BOOST_TEST(!reconcile_mark(other, "AC99999999999999999999999999999999"));
  BOOST_TEST(utc_day(1795551439'123456) == "2026-11-24");
}
