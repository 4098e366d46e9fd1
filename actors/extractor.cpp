// extractor: transcript → extraction → lead_writer.
#include "actors/extractor.hpp"

#include "actors/log_context.hpp"
#include "actors/roles.hpp"
#include "fault/fault_point.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/business_store.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace callscribe {
namespace {

std::string two_decimals(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

} // namespace

extractor_actor::behavior_type extractor(extractor_actor::stateful_pointer<extractor_state> self,
                                         std::shared_ptr<const pipeline_config> cfg) {
  auto& st = self->state;
  st.cfg = cfg;
  st.db.emplace(storage::database::open(cfg->settings.db_url, cfg->settings.db_password));
  st.engine = cfg->extractor ? cfg->extractor : cfg->gazetteer;
  return {
      [self](const transcript& in) {
        auto& st = self->state;
        const auto& job = in.job;
        log_scope scope("extractor", job.job_id, job.call_sid);
        record_message(self->system(), job.job_id, "extractor", "transcript", job.trace);
        auto handled_at = now_us();
        auto finish_with = [&](job_finished::outcome o, const std::string& error) {
          if (auto d = roles::find<downloader_actor>(self->system(), roles::downloader))
            self->send(d, job_finished{job.job_id, forward(job.trace, "extractor"), o, error});
        };
        spdlog::info("[OFFLINE_EXTRACT] Starting extraction for {}", job.call_sid);
        extraction::extraction_result found;
        try {
          auto it = st.catalogues.find(job.business_id);
          if (it == st.catalogues.end()) {
            auto b = storage::business_store(*st.db).find(job.business_id);
            if (!b) {
              spdlog::error("❌ [OFFLINE_EXTRACT] Business {} of {} is gone", job.business_id, job.call_sid);
              finish_with(job_finished::outcome::dead, "unknown business");
              return;
            }
            auto c = extraction::parse_catalogue(b->services_json, b->places_json, b->language);
            c.business_name = b->name; // its words in a greeting are not a request
            it = st.catalogues.emplace(job.business_id, std::move(c)).first;
          }
          found = st.engine->extract(it->second, in.text);
        } catch (const std::exception& e) {
          spdlog::error("❌ [OFFLINE_EXTRACT] Extraction failed for {}: {}", job.call_sid, e.what());
          finish_with(job_finished::outcome::dead, std::string("extraction failed: ") + e.what());
          return;
        }
        // The llm engine had trouble and the gazetteer answered: say so, and go on with that answer.
        if (!found.warning.empty())
          spdlog::warn("⚠️ [OFFLINE_EXTRACT] {} for {}", found.warning, job.call_sid);
        spdlog::info("[OFFLINE_EXTRACT] ✅ Extracted: service='{}', city='{}', confidence={}", found.service,
                     found.city, two_decimals(found.confidence));
        fault_point("in_extraction"); // found, not yet handed to the lead writer
        auto evidence = extraction::evidence_json(found.evidence);
        metrics::process().stage_took("extract", static_cast<double>(now_us() - handled_at) / 1e6);
        record_hop(self->system(), job.job_id, "extractor", "extracted", job.trace, handled_at,
                   fmt::format("service '{}', city '{}', confidence {}; evidence {}", found.service,
                               found.city, two_decimals(found.confidence), evidence));
        extracted out{job, in.text, found.service, found.city, found.confidence, evidence};
        out.job.trace = forward(job.trace, "extractor");
        if (auto w = roles::find<lead_writer_actor>(self->system(), roles::lead_writer))
          self->send(w, out);
        else
          finish_with(job_finished::outcome::retry, "no lead_writer");
      },
  };
}

} // namespace callscribe
