#include "storage/retention.hpp"
#include "storage/trace_store.hpp"

#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <filesystem>
#include <system_error>

namespace callscribe::storage {

retention_report
sweep_retention(database& db, const retention_policy& policy, std::int64_t now_us,
                const std::function<bool(const job_record&, std::string* error)>& delete_remote) {
  retention_report out;
  job_store jobs(db);
  // updated_at is ISO-8601 UTC text, which sorts as the times do.
  const std::int64_t day_us = 86'400'000'000LL;
  if (policy.trace_retention_days > 0)
    out.trace_events_deleted = trace_store(db).prune_finished_before(
        now_us - static_cast<std::int64_t>(policy.trace_retention_days) * day_us);
  const std::string cutoff = iso8601_utc(now_us - static_cast<std::int64_t>(policy.retention_days) * day_us);
  std::vector<long long> ids;
  guarded("finding audio past its retention", [&] {
    long long id = 0;
    soci::statement st =
        (db.session().prepare << "SELECT id FROM recording_jobs WHERE state IN ('done', 'dead') "
                                 "AND audio_path <> '' AND updated_at <= :cutoff "
                                 "AND (:node = '' OR audio_node = :node2 OR audio_node = '') ORDER BY id",
         soci::use(cutoff), soci::use(policy.node_id), soci::use(policy.node_id), soci::into(id));
    st.execute();
    while (st.fetch())
      ids.push_back(id);
  });
  for (auto id : ids) {
    auto job = jobs.find(id);
    if (!job || job->audio_path.empty())
      continue;
    std::error_code ec;
    std::filesystem::remove(job->audio_path, ec); // gone already is fine
    if (ec) {
      out.last_error = "cannot delete " + job->audio_path + ": " + ec.message();
      continue;
    }
    guarded("forgetting the audio of job " + std::to_string(id), [&] {
      // updated_at stays: it is when the job finished.
      db.session() << "UPDATE recording_jobs SET audio_path = '' WHERE id = :id AND audio_path = :path",
          soci::use(id), soci::use(job->audio_path);
    });
    ++out.audio_deleted;
  }
  if (!policy.delete_at_twilio || !delete_remote)
    return out;
  std::vector<long long> done;
  guarded("finding recordings to delete at Twilio", [&] {
    long long id = 0;
    soci::statement st = (db.session().prepare << "SELECT id FROM recording_jobs WHERE state = 'done' AND "
                                                  "twilio_deleted_at = 0 ORDER BY id",
                          soci::into(id));
    st.execute();
    while (st.fetch())
      done.push_back(id);
  });
  for (auto id : done) {
    auto job = jobs.find(id);
    if (!job)
      continue;
    std::string error;
    if (!delete_remote(*job, &error)) {
      ++out.twilio_failed;
      out.last_error = error;
      continue;
    }
    long long at = now_us;
    guarded("noting job " + std::to_string(id) + "'s recording deleted at Twilio", [&] {
      db.session() << "UPDATE recording_jobs SET twilio_deleted_at = :at WHERE id = :id", soci::use(at),
          soci::use(id);
    });
    ++out.twilio_deleted;
  }
  return out;
}

} // namespace callscribe::storage
