// For storage/ internals: statements prepared once per connection and run
// many times. SQLite spends most of a small statement's time compiling it:
// under a burst of callbacks, compiling the intake's five statements anew
// for every callback was 38 % of the server's CPU (README, "The webhook under load").
#pragma once

#include "storage/database.hpp"

#include <soci/soci.h>

#include <typeindex>

namespace callscribe::storage {

// A Query is a struct holding its parameters and its row as members, with
//   static const char* sql();           (or std::string)
//   void bind(soci::statement& st);     exchanging into()/use() on members
// It must give at most one row (a unique key, or RETURNING of one row).
//
//   prepared<find_job_by_sid> q(db);
//   q->recording_sid = sid;
//   if (q.run()) return q->row.record();
template <class Query> class prepared {
public:
  explicit prepared(database& db) : db_(db) {
    auto* found = db.find_prepared(typeid(Query));
    entry_ =
        found ? static_cast<entry*>(found)
              : &static_cast<entry&>(db.keep_prepared(typeid(Query), std::make_unique<entry>(db.session())));
  }

  Query* operator->() { return &entry_->query; }
  Query& operator*() { return entry_->query; }

  // Runs the statement with the parameters now in the query; true when it
  // gave a row (now in the query's row members). The statement is run to
  // its end: a SELECT left on its row would keep SQLite's read snapshot
  // open, a RETURNING write its statement. A failed run drops the
  // statement (a lost PostgreSQL connection takes its prepared statements
  // with it), so the next use prepares it again.
  bool run() {
    try {
      bool got = entry_->st.execute(true);
      if (got && entry_->st.fetch())
        throw storage_error(std::string("a query meant to give one row gave more: ") + Query::sql());
      return got;
    } catch (...) {
      db_.forget_prepared(typeid(Query));
      entry_ = nullptr;
      throw;
    }
  }

  long long affected_rows() { return entry_->st.get_affected_rows(); }

private:
  struct entry final : database::prepared_entry {
    Query query; // bound by address: an entry never moves
    soci::statement st;
    explicit entry(soci::session& sql) : st(sql) {
      query.bind(st);
      st.alloc();
      st.prepare(Query::sql());
      st.define_and_bind();
    }
  };

  database& db_;
  entry* entry_ = nullptr;
};

} // namespace callscribe::storage
