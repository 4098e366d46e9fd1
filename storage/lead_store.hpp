// leads: the one transaction that writes a job's result onto its lead and
// ends the job, so a lead is updated exactly once per job.
#pragma once

#include "storage/database.hpp"
#include "storage/trace_store.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace callscribe::storage {

struct lead_record {
  std::int64_t id = 0;
  std::int64_t business_id = 0;
  std::string phone;
  std::string call_sid;
  std::string service_type;
  std::string city;
  std::string final_transcript;
  std::string extracted_service;
  std::string extracted_city;
  double extraction_confidence = 0;
  std::string extraction_evidence;
  std::string service_type_set_by; // "", "person" or "extraction"
  std::string city_set_by;
  std::string status; // "open" or "closed"
  std::string created_at;
  std::string updated_at;
};

struct lead_write {
  std::int64_t job_id = 0;
  std::string owner; // the lease holder; the write happens only under its lease
  std::string call_sid;
  std::int64_t business_id = 0;
  std::string caller_phone;
  std::string transcript;
  std::string service; // empty: nothing found
  std::string city;
  double confidence = 0;
  std::string evidence;
  trace_event event; // written in the same transaction (job_id filled in; done_at too when 0)
};

// What happened to one lead field.
enum class field_outcome {
  nothing_found,  // extraction found no value
  written,        // the field was empty (or held a weaker extraction) and now holds it
  unchanged,      // it already held this value
  kept_by_person, // a person set it: never overwritten
  kept_stronger,  // an earlier extraction with a higher confidence stays
};

struct lead_write_result {
  enum class status { written, not_owner } state = status::not_owner;
  std::int64_t lead_id = 0;
  bool lead_created = false;
  field_outcome service_type = field_outcome::nothing_found;
  field_outcome city = field_outcome::nothing_found;
  std::string kept_service_type; // the value left in place, for the log
  std::string kept_city;
};

class lead_store {
public:
  explicit lead_store(database& db);

  // One transaction: checks that `w.owner` holds the job's lease and the job
  // is not done; finds the lead (by CallSid, else the newest open lead of the
  // business and caller, else creates one); appends the transcript; writes
  // extracted_* when this extraction is at least as confident as the stored
  // one; writes service_type/city where empty or set by a weaker extraction,
  // never where a person set them; marks the job done; writes the trace event.
  lead_write_result write_and_finish(const lead_write& w);

  std::optional<lead_record> find(std::int64_t id);
  std::optional<lead_record> find_by_call_sid(const std::string& call_sid);
  // Marks a field as typed by a person (the admin API and tests use this).
  void set_by_person(std::int64_t lead_id, const std::string& field, const std::string& value);
  // Creates an open lead for a call (POST /twilio/voice does this).
  std::int64_t open_lead(std::int64_t business_id, const std::string& phone, const std::string& call_sid);

private:
  database& db_;
};

} // namespace callscribe::storage
