// downloader: the head claims jobs from the job store under a lease, keeps up
// to worker.prefetch downloads ahead, and hands the transcriber one job at a
// time, in id order. Each download runs in a short-lived worker of its own.
#pragma once

#include "actors/messages.hpp"
#include "actors/pipeline.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace callscribe {

struct downloader_state {
  static inline const char* name = "downloader";

  // Where an in-flight job is.
  enum class stage { downloading, ready, transcribing, finishing };
  struct entry {
    job_ticket job;
    stage at = stage::downloading;
    bool transcribed = false; // a transcript is stored (maybe empty): skip the transcriber
    std::string transcript;
    std::int64_t finishing_since_us = 0;
    int attempts = 1; // counted at the claim
  };

  std::shared_ptr<const pipeline_config> cfg;
  std::optional<storage::database> db;
  std::map<std::int64_t, entry> line; // in-flight jobs, in id order
  bool transcriber_busy = false;
  // After the transcriber failed: wait for its replacement (role_restarted or
  // the next tick) instead of sending the next job to the one that died.
  bool awaiting_transcriber = false;
  std::int64_t last_renew_us = 0;
  std::int64_t last_seen_us = 0; // when this node last said it is alive (PostgreSQL)
  // Room in the data dir, asked at most once a second: without it no job is
  // claimed (its download could not be stored and would cost it an attempt).
  std::int64_t space_checked_us = 0;
  bool short_of_space = false;
  // Jobs the transcriber held when it died, so the supervisor's restart can
  // be written into their traces when role_restarted comes.
  std::vector<job_ticket> lost_to_transcriber;
};

downloader_actor::behavior_type downloader(downloader_actor::stateful_pointer<downloader_state> self,
                                           std::shared_ptr<const pipeline_config> cfg);

// One download, then the worker quits.
download_worker_actor::behavior_type download_worker(download_worker_actor::pointer self,
                                                     std::shared_ptr<const pipeline_config> cfg);

} // namespace callscribe
