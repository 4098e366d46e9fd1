// parse_catalogue: a business's `services` and `places` from businesses.json,
// checked so that a mistake shows at load time with a one-line reason.
#include "extraction/gazetteer.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace callscribe::extraction {
namespace {

nlohmann::json parse(const std::string& text, const char* what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw catalogue_error(std::string(what) + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
}

std::string non_empty_string(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string())
    throw catalogue_error(where + " must be a string");
  auto s = v.get<std::string>();
  if (s.find_first_not_of(" \t\r\n") == std::string::npos)
    throw catalogue_error(where + " is empty");
  return s;
}

} // namespace

catalogue parse_catalogue(const std::string& services_json, const std::string& places_json,
                          const std::string& language) {
  catalogue c;
  c.language = language;

  auto services = parse(services_json, "services");
  if (!services.is_array())
    throw catalogue_error("services must be a JSON array of {\"name\", \"aliases\"}");
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& s = services[i];
    auto where = "services[" + std::to_string(i) + "]";
    if (!s.is_object())
      throw catalogue_error(where + " must be an object with a \"name\"");
    if (!s.contains("name"))
      throw catalogue_error(where + " has no \"name\"");
    service_def def;
    def.name = non_empty_string(s["name"], where + ".name");
    if (s.contains("aliases")) {
      const auto& aliases = s["aliases"];
      if (!aliases.is_array())
        throw catalogue_error(where + ".aliases must be an array of strings");
      for (std::size_t j = 0; j < aliases.size(); ++j)
        def.aliases.push_back(non_empty_string(aliases[j], where + ".aliases[" + std::to_string(j) + "]"));
    }
    c.services.push_back(std::move(def));
  }

  auto places = parse(places_json, "places");
  if (!places.is_array())
    throw catalogue_error("places must be a JSON array of \"il\", \"us\" or TSV file paths");
  for (std::size_t i = 0; i < places.size(); ++i) {
    auto where = "places[" + std::to_string(i) + "]";
    auto p = non_empty_string(places[i], where);
    // A path is checked here, relative to the working directory, so that a
    // typo fails at start rather than on the first call.
    std::error_code ec;
    if (p != "il" && p != "us" && !std::filesystem::is_regular_file(p, ec))
      throw catalogue_error(where + ": '" + p + "' is neither \"il\", \"us\" nor an existing file");
    c.places.push_back(std::move(p));
  }
  return c;
}

} // namespace callscribe::extraction
