// businesses and calls: who a call belongs to.
#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::storage {

struct business {
  std::int64_t id = 0;
  std::string name;
  std::string phone_number; // E.164, unique
  std::string forward_to;
  std::string language;
  std::string places_json;   // JSON array of place-list names, as in businesses.json
  std::string services_json; // JSON array of {name, aliases}, as in businesses.json
};

struct call_record {
  std::string call_sid;
  std::optional<std::int64_t> business_id;
  std::string from_number;
  std::string to_number;
  std::string direction; // "inbound", "outbound-dial", "outbound-api", ...
  std::string status;
  std::string idempotency_token = {}; // of the last callback about the call that carried one
};

class business_store {
public:
  explicit business_store(database& db);
  // Insert or update by phone_number; returns the id.
  std::int64_t upsert(const business& b);
  std::optional<business> find(std::int64_t id);
  std::optional<business> find_by_phone(const std::string& phone_number);
  std::vector<business> all();

private:
  database& db_;
};

class call_store {
public:
  explicit call_store(database& db);
  // Insert or update by call_sid; empty fields of `c` leave stored ones alone.
  void upsert(const call_record& c);
  std::optional<call_record> find(const std::string& call_sid);

private:
  database& db_;
};

} // namespace callscribe::storage
