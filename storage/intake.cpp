// The webhook's domain logic, kept free of CAF so it is tested directly.
#include "storage/intake.hpp"
#include "storage/transaction.hpp"

#include "storage/lead_store.hpp"

namespace callscribe::storage {

std::optional<business> resolve_business(database& db, const std::string& from, const std::string& to) {
  business_store businesses(db);
  if (!to.empty())
    if (auto b = businesses.find_by_phone(to))
      return b;
  if (!from.empty())
    if (auto b = businesses.find_by_phone(from))
      return b;
  return std::nullopt;
}

std::string caller_phone(const std::string& business_phone, const std::string& from, const std::string& to) {
  return business_phone == from ? to : from;
}

intake_result record_recording(database& db, const intake_request& r) {
  intake_result out;
  if (r.recording_status == "in-progress")
    return out;
  out.stored = true;

  job_store jobs(db);
  if (auto existing = jobs.find_by_recording_sid(r.recording_sid)) {
    out.job_id = existing->id;
    out.state = existing->state;
    out.business_id = existing->business_id;
    return out;
  }

  std::string from = r.from, to = r.to;
  call_store calls(db);
  if (from.empty() && to.empty())
    if (auto call = calls.find(r.call_sid)) {
      from = call->from_number;
      to = call->to_number;
    }

  new_job job;
  job.call_sid = r.call_sid;
  job.recording_sid = r.recording_sid;
  job.recording_url = r.recording_url;
  job.from_number = from;
  job.to_number = to;
  job.channels = r.channels;
  job.duration_seconds = r.duration_seconds;
  job.trace_id = r.trace_id;
  if (!from.empty() || !to.empty()) {
    if (auto b = resolve_business(db, from, to)) {
      job.business_id = b->id;
      calls.upsert(
          call_record{r.call_sid, b->id, from, to, b->phone_number == to ? "inbound" : "outbound", ""});
    } else {
      job.dead_reason = "unknown business";
    }
  }
  if (r.recording_status == "absent" || r.recording_status == "failed")
    job.dead_reason = "recording " + r.recording_status;

  auto inserted = jobs.insert(job);
  out.job_id = inserted.job_id;
  out.created = inserted.created;
  out.business_id = job.business_id;
  out.dead_reason = job.dead_reason;
  out.state = job.dead_reason.empty() ? job_state::queued : job_state::dead;
  if (!inserted.created)
    if (auto existing = jobs.find(inserted.job_id))
      out.state = existing->state;
  return out;
}

std::vector<batch_outcome> record_recordings(database& db, const std::vector<intake_request>& requests) {
  std::vector<batch_outcome> out(requests.size());
  try {
    write_transaction tx(db);
    for (std::size_t i = 0; i < requests.size(); ++i)
      out[i].result = record_recording(db, requests[i]);
    tx.commit();
    return out;
  } catch (const std::exception&) {
    // Fall through: one at a time, each in its own transaction.
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    try {
      write_transaction tx(db);
      out[i].result = record_recording(db, requests[i]);
      tx.commit();
      out[i].error.clear();
    } catch (const std::exception& e) {
      out[i] = batch_outcome{intake_result{}, e.what()};
    }
  }
  return out;
}

call_intake record_call(database& db, const call_request& r) {
  call_intake out;
  out.owner = resolve_business(db, r.from, r.to);
  call_record c;
  c.call_sid = r.call_sid;
  if (out.owner)
    c.business_id = out.owner->id;
  c.from_number = r.from;
  c.to_number = r.to;
  c.direction = r.direction;
  c.status = r.status;
  c.idempotency_token = r.idempotency_token;
  call_store(db).upsert(c);
  if (r.open_lead && out.owner)
    out.lead_id = lead_store(db).open_lead(out.owner->id, caller_phone(out.owner->phone_number, r.from, r.to),
                                           r.call_sid);
  return out;
}

} // namespace callscribe::storage
