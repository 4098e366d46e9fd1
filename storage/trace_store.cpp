// job_events: appending trace events and reading a job's or a call's trace.
#include "storage/trace_store.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

namespace callscribe::storage {

namespace {

void insert_event(soci::session& sql, const trace_event& e) {
  long long job_id = e.job_id, sent = e.sent_at_us, handled = e.handled_at_us, done = e.done_at_us;
  sql << "INSERT INTO job_events (job_id, actor, event, sent_at, handled_at, done_at, node, detail) "
         "VALUES (:job_id, :actor, :event, :sent_at, :handled_at, :done_at, :node, :detail)",
      soci::use(job_id), soci::use(e.actor), soci::use(e.event), soci::use(sent), soci::use(handled),
      soci::use(done), soci::use(e.node), soci::use(e.detail);
}

template <class Key>
std::vector<trace_event> select_events(soci::session& sql, const std::string& where, const Key& key) {
  std::vector<trace_event> out;
  trace_event e;
  long long job_id = 0, sent = 0, handled = 0, done = 0;
  // Insertion order is id order: the trace reads as it was written even when
  // clocks of several nodes disagree.
  soci::statement st =
      (sql.prepare << "SELECT e.job_id, e.actor, e.event, e.sent_at, e.handled_at, e.done_at, "
                      "e.node, e.detail FROM job_events e " +
                          where + " ORDER BY e.id",
       soci::use(key), soci::into(job_id), soci::into(e.actor), soci::into(e.event), soci::into(sent),
       soci::into(handled), soci::into(done), soci::into(e.node), soci::into(e.detail));
  st.execute(false);
  while (st.fetch()) {
    e.job_id = job_id;
    e.sent_at_us = sent;
    e.handled_at_us = handled;
    e.done_at_us = done;
    out.push_back(e);
  }
  return out;
}

} // namespace

trace_store::trace_store(database& db) : db_(db) {}

void trace_store::append(const trace_event& e) {
  guarded("writing trace event " + e.event + " of job " + std::to_string(e.job_id),
          [&] { insert_event(db_.session(), e); });
}

void trace_store::append(const std::vector<trace_event>& events) {
  if (events.empty())
    return;
  guarded("writing " + std::to_string(events.size()) + " trace events", [&] {
    write_transaction tx(db_);
    for (const auto& e : events)
      insert_event(db_.session(), e);
    tx.commit();
  });
}

std::vector<trace_event> trace_store::for_job(std::int64_t job_id) {
  return guarded("reading the trace of job " + std::to_string(job_id), [&] {
    long long id = job_id;
    return select_events(db_.session(), "WHERE e.job_id = :job_id", id);
  });
}

std::vector<trace_event> trace_store::for_call(const std::string& call_sid) {
  return guarded("reading the trace of call " + call_sid, [&] {
    return select_events(db_.session(),
                         "JOIN recording_jobs j ON j.id = e.job_id WHERE j.call_sid = :call_sid", call_sid);
  });
}

} // namespace callscribe::storage
