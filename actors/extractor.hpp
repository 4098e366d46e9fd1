// extractor: transcript → service, city, confidence and evidence, with the
// business's catalogue and the engine extract.engine names.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "extraction/gazetteer.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace callscribe {

struct extractor_state {
  static inline const char* name = "extractor";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  std::shared_ptr<extraction::extractor> engine;            // cfg->extractor, else the gazetteer
  std::map<std::int64_t, extraction::catalogue> catalogues; // by business id
};

extractor_actor::behavior_type extractor(extractor_actor::stateful_pointer<extractor_state> self,
                                         std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
