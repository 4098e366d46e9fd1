// Statements prepared once per connection (storage/prepared.hpp): the same
// answers as a fresh statement, no snapshot or statement left open between
// runs, a failed statement prepared again, and a second row refused.
#include <boost/test/unit_test.hpp>

#include "storage/job_store.hpp"
#include "storage/prepared.hpp"
#include "storage/transaction.hpp"
#include "tests/storage/sample_jobs.hpp"
#include "tests/storage/scratch_db.hpp"

#include <soci/soci.h>

#include <string>

using namespace callscribe::storage;
using callscribe::storage::test::job_for;
using callscribe::storage::test::scratch_db;

namespace {

// A query of the test's own, on a table of its own.
struct note_by_key {
  std::string key;
  std::string text;
  static const char* sql() { return "SELECT text FROM prepared_notes WHERE note_key = :key"; }
  void bind(soci::statement& st) {
    st.exchange(soci::into(text));
    st.exchange(soci::use(key));
  }
};

struct notes_from {
  std::string key;
  std::string text;
  static const char* sql() { return "SELECT text FROM prepared_notes WHERE note_key >= :key"; }
  void bind(soci::statement& st) {
    st.exchange(soci::into(text));
    st.exchange(soci::use(key));
  }
};

void make_notes(database& db) {
  db.session() << "CREATE TABLE prepared_notes (note_key TEXT PRIMARY KEY, text TEXT NOT NULL)";
  db.session() << "INSERT INTO prepared_notes (note_key, text) VALUES ('a', 'first'), ('b', 'second')";
}

std::string note(database& db, const std::string& key) {
  prepared<note_by_key> q(db);
  q->key = key;
  return q.run() ? q->text : "<none>";
}

} // namespace

BOOST_AUTO_TEST_CASE(a_prepared_query_answers_each_run_with_its_own_parameters) {
  scratch_db s;
  make_notes(s.db);
  BOOST_TEST(note(s.db, "a") == "first");
  BOOST_TEST(note(s.db, "b") == "second");
  BOOST_TEST(note(s.db, "c") == "<none>");
  BOOST_TEST(note(s.db, "a") == "first");
}

BOOST_AUTO_TEST_CASE(a_prepared_select_leaves_no_snapshot_open_between_runs) {
  // Were the SELECT left on its row, SQLite's WAL would keep this
  // connection reading the old snapshot, and a write transaction on it
  // would fail with SQLITE_BUSY_SNAPSHOT.
  scratch_db s;
  make_notes(s.db);
  BOOST_TEST(note(s.db, "a") == "first");
  auto other = s.another();
  other.session() << "UPDATE prepared_notes SET text = 'changed' WHERE note_key = 'a'";
  BOOST_TEST(note(s.db, "a") == "changed");
  write_transaction tx(s.db);
  s.db.session() << "INSERT INTO prepared_notes (note_key, text) VALUES ('c', 'third')";
  BOOST_TEST(note(s.db, "c") == "third");
  tx.commit();
}

BOOST_AUTO_TEST_CASE(a_transaction_commits_after_a_prepared_insert_returning_its_id) {
  scratch_db s;
  job_store jobs(s.db);
  {
    write_transaction tx(s.db);
    BOOST_TEST(jobs.insert(job_for(1)).created);
    BOOST_TEST(!jobs.insert(job_for(1)).created);
    BOOST_TEST(jobs.insert(job_for(2)).created);
    tx.commit();
  }
  auto other = s.another();
  BOOST_TEST(job_store(other).find_by_recording_sid(job_for(2).recording_sid).has_value());
}

BOOST_AUTO_TEST_CASE(a_failed_prepared_query_is_prepared_again_at_its_next_use) {
  scratch_db s;
  make_notes(s.db);
  BOOST_TEST(note(s.db, "a") == "first");
  s.db.session() << "DROP TABLE prepared_notes";
  BOOST_CHECK_THROW(note(s.db, "a"), std::exception);
  make_notes(s.db);
  BOOST_TEST(note(s.db, "b") == "second");
}

BOOST_AUTO_TEST_CASE(a_prepared_query_that_gives_two_rows_is_an_error) {
  scratch_db s;
  make_notes(s.db);
  prepared<notes_from> q(s.db);
  q->key = "a";
  BOOST_CHECK_THROW(q.run(), storage_error);
  prepared<notes_from> again(s.db);
  again->key = "b";
  BOOST_TEST(again.run());
  BOOST_TEST(again->text == "second");
}

BOOST_AUTO_TEST_CASE(a_prepared_query_failing_inside_a_transaction_leaves_the_connection_usable) {
  // On PostgreSQL the failure aborts the transaction: whatever the dropped
  // statement does as it goes must neither throw out of a destructor nor
  // leave the connection unusable once the transaction has rolled back.
  scratch_db s;
  make_notes(s.db);
  BOOST_TEST(note(s.db, "a") == "first");
  {
    write_transaction tx(s.db);
    s.db.session() << "DROP TABLE prepared_notes";
    BOOST_CHECK_THROW(note(s.db, "a"), std::exception);
  }
  BOOST_TEST(note(s.db, "a") == "first");
}

BOOST_AUTO_TEST_CASE(a_lost_postgresql_connection_drops_its_prepared_statements_cleanly,
                     *callscribe::storage::test::postgresql_only()) {
  // Closing a named PostgreSQL statement sends DEALLOCATE: on a connection
  // the server has ended, that must fail quietly, both when a failed run
  // drops its statement and when the database closes with others kept.
  scratch_db s;
  make_notes(s.db);
  {
    auto db = s.another();
    BOOST_TEST(note(db, "a") == "first");
    BOOST_TEST(!job_store(db).find_by_recording_sid("RE-none").has_value());
    int pid = 0;
    db.session() << "SELECT pg_backend_pid()", soci::into(pid);
    s.db.session() << "SELECT pg_terminate_backend(" + std::to_string(pid) + ")";
    BOOST_CHECK_THROW(note(db, "a"), std::exception);
  }
  BOOST_TEST(note(s.db, "b") == "second");
}
