// Reads businesses.json (DESIGN.md §Configuration) into the database.
#include "app/businesses.hpp"

#include "extraction/gazetteer.hpp"
#include "storage/business_store.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace callscribe::app {

int load_businesses(storage::database& db, const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw businesses_error("cannot read businesses file " + path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw businesses_error(path + " is not valid JSON: " + e.what());
  }
  if (!doc.is_array())
    throw businesses_error(path + " must hold a JSON array of businesses");
  storage::business_store store(db);
  int n = 0;
  for (const auto& entry : doc) {
    auto where = path + " entry " + std::to_string(n + 1);
    try {
      storage::business b;
      b.name = entry.at("name").get<std::string>();
      b.phone_number = entry.at("phone_number").get<std::string>();
      b.forward_to = entry.value("forward_to", "");
      b.language = entry.value("language", "en");
      b.places_json = entry.value("places", nlohmann::json::array()).dump();
      b.services_json = entry.value("services", nlohmann::json::array()).dump();
      if (b.phone_number.size() < 2 || b.phone_number[0] != '+')
        throw businesses_error("phone_number must be E.164 (+ and digits), not '" + b.phone_number + "'");
      // The extractor would fail on every call of a business it cannot read.
      extraction::parse_catalogue(b.services_json, b.places_json, b.language);
      store.upsert(b);
    } catch (const nlohmann::json::exception& e) {
      throw businesses_error(where + ": " + e.what());
    } catch (const std::exception& e) {
      throw businesses_error(where + ": " + e.what());
    }
    ++n;
  }
  return n;
}

} // namespace callscribe::app
