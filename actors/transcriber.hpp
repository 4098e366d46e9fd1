// transcriber: exactly one, detached (it blocks in the speech engine), fed one
// job at a time by the downloader head, in job order.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "extraction/gazetteer.hpp"
#include "speech/speech_engine.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace callscribe {

struct transcriber_state {
  static inline const char* name = "transcriber";
  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  std::unique_ptr<speech::speech_engine> engine;
  std::shared_ptr<extraction::gazetteer> gazetteer;        // for the vocabulary hints
  std::map<std::int64_t, speech::recognition_hints> hints; // by business id
};

transcriber_actor::behavior_type transcriber(transcriber_actor::stateful_pointer<transcriber_state> self,
                                             std::shared_ptr<const pipeline_config> cfg);

// Counts characters as a reader does (UTF-8 code points), for the log line.
std::size_t utf8_length(const std::string& s);

} // namespace callscribe
