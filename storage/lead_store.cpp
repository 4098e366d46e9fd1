// leads: the lead writer's one transaction (lead fields, job done, trace
// event) and the never-overwrite rules for what a person typed.
#include "storage/lead_store.hpp"
#include "fault/fault_point.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

namespace callscribe::storage {

namespace {

const std::string lead_columns =
    "SELECT id, business_id, phone, call_sid, service_type, city, final_transcript, extracted_service, "
    "extracted_city, extraction_confidence, extraction_evidence, service_type_set_by, city_set_by, status, "
    "created_at, updated_at FROM leads ";

// `lead_columns` + `tail` (at most one row wanted), `params` bound in order.
template <class... Params>
std::optional<lead_record> select_lead(soci::session& sql, const std::string& tail, const Params&... params) {
  lead_record l;
  long long id = 0, business_id = 0;
  soci::statement st(sql);
  st.exchange(soci::into(id));
  st.exchange(soci::into(business_id));
  st.exchange(soci::into(l.phone));
  st.exchange(soci::into(l.call_sid));
  st.exchange(soci::into(l.service_type));
  st.exchange(soci::into(l.city));
  st.exchange(soci::into(l.final_transcript));
  st.exchange(soci::into(l.extracted_service));
  st.exchange(soci::into(l.extracted_city));
  st.exchange(soci::into(l.extraction_confidence));
  st.exchange(soci::into(l.extraction_evidence));
  st.exchange(soci::into(l.service_type_set_by));
  st.exchange(soci::into(l.city_set_by));
  st.exchange(soci::into(l.status));
  st.exchange(soci::into(l.created_at));
  st.exchange(soci::into(l.updated_at));
  (st.exchange(soci::use(params)), ...);
  st.alloc();
  st.prepare(lead_columns + tail);
  st.define_and_bind();
  if (!st.execute(true))
    return std::nullopt;
  l.id = id;
  l.business_id = business_id;
  return l;
}

// What to do with service_type or city given what extraction found now.
// A value we did not write ourselves (set_by empty) can only have come from
// a person or an older system, so it is treated as a person's.
field_outcome decide(const std::string& current, const std::string& set_by, const std::string& found,
                     double confidence, double stored_confidence) {
  if (found.empty())
    return field_outcome::nothing_found;
  if (current.empty())
    return field_outcome::written;
  if (current == found)
    return field_outcome::unchanged;
  if (set_by != "extraction")
    return field_outcome::kept_by_person;
  return confidence >= stored_confidence ? field_outcome::written : field_outcome::kept_stronger;
}

std::int64_t insert_lead(soci::session& sql, std::int64_t business_id, const std::string& phone,
                         const std::string& call_sid) {
  long long id = 0, business = business_id;
  std::string now = iso8601_utc(now_us());
  sql << "INSERT INTO leads (business_id, phone, call_sid, created_at, updated_at) "
         "VALUES (:business_id, :phone, :call_sid, :created_at, :updated_at) RETURNING id",
      soci::use(business), soci::use(phone), soci::use(call_sid), soci::use(now), soci::use(now),
      soci::into(id);
  return id;
}

std::string field_words(const char* field, field_outcome o, const std::string& value,
                        const std::string& kept) {
  switch (o) {
  case field_outcome::written:
    return std::string(field) + " written '" + value + "'";
  case field_outcome::unchanged:
    return std::string(field) + " unchanged '" + value + "'";
  case field_outcome::kept_by_person:
    return std::string(field) + " kept '" + kept + "' (set by a person)";
  case field_outcome::kept_stronger:
    return std::string(field) + " kept '" + kept + "' (an earlier, more confident extraction)";
  case field_outcome::nothing_found:
    break;
  }
  return std::string(field) + " nothing found";
}

// The lead_writer's trace detail: which lead, and what became of each field.
std::string describe(const lead_write_result& r, const lead_write& w) {
  return "lead " + std::to_string(r.lead_id) + (r.lead_created ? " (new)" : "") + ": " +
         field_words("service_type", r.service_type, w.service, r.kept_service_type) + "; " +
         field_words("city", r.city, w.city, r.kept_city);
}

} // namespace

lead_store::lead_store(database& db) : db_(db) {}

lead_write_result lead_store::write_and_finish(const lead_write& w) {
  return guarded("writing the lead of job " + std::to_string(w.job_id), [&] {
    lead_write_result result;
    auto& sql = db_.session();
    write_transaction tx(db_);
    // On PostgreSQL, lock the job and the lead rows so a concurrent claim of
    // the job or a second writer of the lead waits for this transaction.
    const std::string lock = db_.is_sqlite() ? "" : " FOR UPDATE";

    long long job_id = w.job_id;
    std::string lease_owner, state;
    sql << "SELECT lease_owner, state FROM recording_jobs WHERE id = :id" + lock, soci::use(job_id),
        soci::into(lease_owner), soci::into(state);
    if (!sql.got_data() || lease_owner != w.owner || state == "done" || state == "dead")
      return result; // not_owner; the transaction rolls back having changed nothing

    std::optional<lead_record> lead;
    if (!w.call_sid.empty())
      lead = select_lead(sql, "WHERE call_sid = :call_sid ORDER BY id DESC LIMIT 1" + lock, w.call_sid);
    // Without a caller number every unknown caller would share one lead.
    if (!lead && !w.caller_phone.empty()) {
      long long business_id = w.business_id;
      lead = select_lead(sql,
                         "WHERE business_id = :business_id AND phone = :phone AND status = 'open' "
                         "ORDER BY id DESC LIMIT 1" +
                             lock,
                         business_id, w.caller_phone);
    }
    if (!lead) {
      lead_record created;
      created.id = insert_lead(sql, w.business_id, w.caller_phone, w.call_sid);
      created.business_id = w.business_id;
      created.phone = w.caller_phone;
      created.call_sid = w.call_sid;
      lead = created;
      result.lead_created = true;
    }
    lead_record l = *lead;
    result.lead_id = l.id;

    // Every recording of a call adds its transcript, in job order.
    if (!w.transcript.empty())
      l.final_transcript =
          l.final_transcript.empty() ? w.transcript : l.final_transcript + "\n\n" + w.transcript;

    double stored_confidence = l.extraction_confidence;
    bool found = !w.service.empty() || !w.city.empty();
    bool stored = !l.extracted_service.empty() || !l.extracted_city.empty();
    if (found && (!stored || w.confidence >= stored_confidence)) {
      // A field this extraction did not find keeps the value an earlier one did.
      if (!w.service.empty())
        l.extracted_service = w.service;
      if (!w.city.empty())
        l.extracted_city = w.city;
      l.extraction_confidence = w.confidence;
      l.extraction_evidence = w.evidence;
    }
    double compared = stored ? stored_confidence : 0;

    result.service_type = decide(l.service_type, l.service_type_set_by, w.service, w.confidence, compared);
    if (result.service_type == field_outcome::written) {
      l.service_type = w.service;
      l.service_type_set_by = "extraction";
    } else if (result.service_type == field_outcome::kept_by_person ||
               result.service_type == field_outcome::kept_stronger) {
      result.kept_service_type = l.service_type;
    }
    result.city = decide(l.city, l.city_set_by, w.city, w.confidence, compared);
    if (result.city == field_outcome::written) {
      l.city = w.city;
      l.city_set_by = "extraction";
    } else if (result.city == field_outcome::kept_by_person || result.city == field_outcome::kept_stronger) {
      result.kept_city = l.city;
    }
    // A lead opened by the voice webhook for another call keeps its CallSid;
    // one created without a CallSid learns it so later recordings find it.
    if (l.call_sid.empty())
      l.call_sid = w.call_sid;

    long long lead_id = l.id;
    std::string now = iso8601_utc(now_us());
    sql << "UPDATE leads SET call_sid = :call_sid, service_type = :service_type, city = :city, "
           "final_transcript = :final_transcript, extracted_service = :extracted_service, "
           "extracted_city = :extracted_city, extraction_confidence = :confidence, "
           "extraction_evidence = :evidence, service_type_set_by = :service_type_set_by, "
           "city_set_by = :city_set_by, updated_at = :updated_at WHERE id = :id",
        soci::use(l.call_sid), soci::use(l.service_type), soci::use(l.city), soci::use(l.final_transcript),
        soci::use(l.extracted_service), soci::use(l.extracted_city), soci::use(l.extraction_confidence),
        soci::use(l.extraction_evidence), soci::use(l.service_type_set_by), soci::use(l.city_set_by),
        soci::use(now), soci::use(lead_id);

    // The lead is updated, the job not yet done: both or neither commit.
    fault_point("in_lead_write");
    double confidence = w.confidence;
    soci::statement done =
        (sql.prepare << "UPDATE recording_jobs SET state = 'done', lease_owner = '', lease_expires_at = 0, "
                        "extracted_service = :service, extracted_city = :city, "
                        "extraction_confidence = :confidence, updated_at = :updated_at "
                        "WHERE id = :id AND lease_owner = :owner",
         soci::use(w.service), soci::use(w.city), soci::use(confidence), soci::use(now), soci::use(job_id),
         soci::use(w.owner));
    done.execute(true);
    if (done.get_affected_rows() != 1)
      throw storage_error("the job changed hands inside the transaction");

    if (!w.event.actor.empty()) {
      trace_event event = w.event;
      event.job_id = w.job_id;
      if (event.detail.empty())
        event.detail = describe(result, w);
      if (event.done_at_us == 0) // the work ends with this transaction
        event.done_at_us = now_us();
      trace_store(db_).append(event);
    }

    tx.commit();
    result.state = lead_write_result::status::written;
    return result;
  });
}

std::optional<lead_record> lead_store::find(std::int64_t id) {
  return guarded("reading lead " + std::to_string(id), [&] {
    long long lead_id = id;
    return select_lead(db_.session(), "WHERE id = :id", lead_id);
  });
}

std::optional<lead_record> lead_store::find_by_call_sid(const std::string& call_sid) {
  if (call_sid.empty())
    return std::nullopt; // leads created without a CallSid are not one call's
  return guarded("reading the lead of call " + call_sid, [&] {
    return select_lead(db_.session(), "WHERE call_sid = :call_sid ORDER BY id DESC LIMIT 1", call_sid);
  });
}

void lead_store::set_by_person(std::int64_t lead_id, const std::string& field, const std::string& value) {
  // The column name goes into the SQL text, so only the two known ones pass.
  if (field != "service_type" && field != "city")
    throw storage_error("a person can set service_type or city on a lead, not `" + field + "`");
  guarded("setting " + field + " of lead " + std::to_string(lead_id), [&] {
    long long id = lead_id;
    std::string now = iso8601_utc(now_us());
    db_.session() << "UPDATE leads SET " + field + " = :value, " + field +
                         "_set_by = 'person', updated_at = :updated_at WHERE id = :id",
        soci::use(value), soci::use(now), soci::use(id);
  });
}

std::int64_t lead_store::open_lead(std::int64_t business_id, const std::string& phone,
                                   const std::string& call_sid) {
  return guarded("opening a lead for call " + call_sid, [&]() -> std::int64_t {
    write_transaction tx(db_);
    auto& sql = db_.session();
    // Twilio may deliver the voice webhook twice: one lead per call.
    if (!call_sid.empty()) {
      long long existing = 0;
      sql << "SELECT id FROM leads WHERE call_sid = :call_sid ORDER BY id LIMIT 1", soci::use(call_sid),
          soci::into(existing);
      if (sql.got_data())
        return existing;
    }
    auto id = insert_lead(sql, business_id, phone, call_sid);
    tx.commit();
    return id;
  });
}

} // namespace callscribe::storage
