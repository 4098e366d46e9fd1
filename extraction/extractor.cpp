// The parts every extraction engine shares: evidence as JSON, and the
// labelled two-channel transcript layout.
#include "extraction/extractor.hpp"

#include <nlohmann/json.hpp>

namespace callscribe::extraction {

std::string evidence_json(const std::vector<evidence>& e) {
  auto all = nlohmann::json::array();
  for (const auto& x : e) {
    nlohmann::json one = {{"field", x.field}, {"text", x.text},       {"begin", x.begin},
                          {"end", x.end},     {"channel", x.channel}, {"match", x.match}};
    if (!x.note.empty())
      one["note"] = x.note;
    all.push_back(std::move(one));
  }
  // Transcripts may hold broken UTF-8 from an engine; keep what can be kept.
  return all.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string two_channel_text(const std::string& caller, const std::string& business) {
  std::string out;
  if (!caller.empty())
    out += "Caller: " + caller;
  if (!business.empty())
    out += (out.empty() ? "" : "\n") + std::string("Business: ") + business;
  return out;
}

} // namespace callscribe::extraction
