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
  // Time order, with the id to break ties: the tracer writes in batches,
  // and the lead writer's event commits with the lead, before the batch
  // holding the hops that led to it.
  soci::statement st =
      (sql.prepare << "SELECT e.job_id, e.actor, e.event, e.sent_at, e.handled_at, e.done_at, "
                      "e.node, e.detail FROM job_events e " +
                          where +
                          " ORDER BY e.job_id, CASE WHEN e.handled_at > 0 THEN e.handled_at "
                          "WHEN e.sent_at > 0 THEN e.sent_at ELSE e.done_at END, e.done_at, e.id",
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
  guarded("writing " + std::to_string(events.size()) + " trace events",
          [&] {
            write_transaction tx(db_);
            // One prepared statement for the batch: the tracer's writes are many.
            long long job_id = 0, sent = 0, handled = 0, done = 0;
            std::string actor, event, node, detail;
            soci::statement st =
                (db_.session().prepare
                     << "INSERT INTO job_events (job_id, actor, event, sent_at, handled_at, done_at, "
                        "node, detail) VALUES (:job_id, :actor, :event, :sent_at, :handled_at, "
                        ":done_at, :node, :detail)",
                 soci::use(job_id), soci::use(actor), soci::use(event), soci::use(sent), soci::use(handled),
                 soci::use(done), soci::use(node), soci::use(detail));
            for (const auto& e : events) {
              job_id = e.job_id;
              sent = e.sent_at_us;
              handled = e.handled_at_us;
              done = e.done_at_us;
              actor = e.actor;
              event = e.event;
              node = e.node;
              detail = e.detail;
              st.execute(true);
            }
            tx.commit();
          });
}

int trace_store::prune_finished_before(std::int64_t cutoff_us) {
  return guarded("pruning old trace events", [&] {
    std::string cutoff = iso8601_utc(cutoff_us);
    soci::statement st = (db_.session().prepare << "DELETE FROM job_events WHERE job_id IN (SELECT id FROM "
                                                   "recording_jobs WHERE state IN ('done', 'dead') AND "
                                                   "updated_at < :cutoff)",
                          soci::use(cutoff));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
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
