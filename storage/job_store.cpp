// recording_jobs: insert, claim under a lease, and the lease-guarded updates
// that move a job through its stages.
#include "storage/job_store.hpp"
#include "storage/prepared.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <limits>

#include <array>

namespace callscribe::storage {

namespace {

constexpr std::array<job_state, 8> all_states = {
    job_state::queued,     job_state::downloading, job_state::downloaded, job_state::transcribing,
    job_state::extracting, job_state::writing,     job_state::done,       job_state::dead};

const std::string job_columns =
    "SELECT id, call_sid, recording_sid, recording_url, business_id, from_number, to_number, state, "
    "attempts, "
    "last_error, audio_path, transcript, channels, duration_seconds, lease_owner, lease_expires_at, "
    "next_attempt_at, trace_id, created_at, updated_at, transcribed_at, extracted_service, extracted_city, "
    "extraction_confidence FROM recording_jobs ";

const std::string not_terminal = "state NOT IN ('done', 'dead')";

// One row of job_columns, bound by position.
struct job_row {
  job_record r;
  long long id = 0, business_id = 0, lease_expires_at = 0, next_attempt_at = 0, transcribed_at = 0;
  soci::indicator business_ind = soci::i_null;
  std::string state;
  double confidence = 0;
  soci::indicator confidence_ind = soci::i_null;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(r.call_sid));
    st.exchange(soci::into(r.recording_sid));
    st.exchange(soci::into(r.recording_url));
    st.exchange(soci::into(business_id, business_ind));
    st.exchange(soci::into(r.from_number));
    st.exchange(soci::into(r.to_number));
    st.exchange(soci::into(state));
    st.exchange(soci::into(r.attempts));
    st.exchange(soci::into(r.last_error));
    st.exchange(soci::into(r.audio_path));
    st.exchange(soci::into(r.transcript));
    st.exchange(soci::into(r.channels));
    st.exchange(soci::into(r.duration_seconds));
    st.exchange(soci::into(r.lease_owner));
    st.exchange(soci::into(lease_expires_at));
    st.exchange(soci::into(next_attempt_at));
    st.exchange(soci::into(r.trace_id));
    st.exchange(soci::into(r.created_at));
    st.exchange(soci::into(r.updated_at));
    st.exchange(soci::into(transcribed_at));
    st.exchange(soci::into(r.extracted_service));
    st.exchange(soci::into(r.extracted_city));
    st.exchange(soci::into(confidence, confidence_ind));
  }

  job_record record() const {
    job_record out = r;
    out.id = id;
    out.business_id = business_ind == soci::i_ok ? std::optional<std::int64_t>(business_id) : std::nullopt;
    out.state = job_state_from_string(state).value_or(job_state::dead);
    out.lease_expires_at_us = lease_expires_at;
    out.next_attempt_at_us = next_attempt_at;
    out.transcribed_at_us = transcribed_at;
    out.extraction_confidence =
        confidence_ind == soci::i_ok ? std::optional<double>(confidence) : std::nullopt;
    return out;
  }
};

// The intake's queries, prepared once per connection (storage/prepared.hpp):
// a burst of callbacks runs them thousands of times a second.
struct job_by_id {
  long long id = 0;
  job_row row;
  static std::string sql() { return job_columns + "WHERE id = :id"; }
  void bind(soci::statement& st) {
    row.bind(st);
    st.exchange(soci::use(id));
  }
};

struct job_by_recording_sid {
  std::string recording_sid;
  job_row row;
  static std::string sql() { return job_columns + "WHERE recording_sid = :recording_sid"; }
  void bind(soci::statement& st) {
    row.bind(st);
    st.exchange(soci::use(recording_sid));
  }
};

struct job_id_by_recording_sid {
  std::string recording_sid;
  long long id = 0;
  static const char* sql() { return "SELECT id FROM recording_jobs WHERE recording_sid = :recording_sid"; }
  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::use(recording_sid));
  }
};

// ON CONFLICT keeps a duplicate delivery racing the first one from failing
// on the unique key; RETURNING gives no row then.
struct insert_job {
  new_job job;
  long long business_id = 0;
  soci::indicator business_ind = soci::i_null;
  std::string state, now;
  long long id = 0;
  static const char* sql() {
    return "INSERT INTO recording_jobs (call_sid, recording_sid, recording_url, business_id, from_number, "
           "to_number, state, last_error, channels, duration_seconds, trace_id, created_at, updated_at) "
           "VALUES (:call_sid, :recording_sid, :recording_url, :business_id, :from_number, :to_number, "
           ":state, :last_error, :channels, :duration_seconds, :trace_id, :created_at, :updated_at) "
           "ON CONFLICT (recording_sid) DO NOTHING RETURNING id";
  }
  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::use(job.call_sid));
    st.exchange(soci::use(job.recording_sid));
    st.exchange(soci::use(job.recording_url));
    st.exchange(soci::use(business_id, business_ind));
    st.exchange(soci::use(job.from_number));
    st.exchange(soci::use(job.to_number));
    st.exchange(soci::use(state));
    st.exchange(soci::use(job.dead_reason));
    st.exchange(soci::use(job.channels));
    st.exchange(soci::use(job.duration_seconds));
    st.exchange(soci::use(job.trace_id));
    st.exchange(soci::use(now));
    st.exchange(soci::use(now));
  }
};

// `job_columns` + `tail`, with `params` bound in the order their
// placeholders appear in `tail`.
template <class... Params>
std::vector<job_record> select_jobs(soci::session& sql, const std::string& tail, const Params&... params) {
  job_row row;
  soci::statement st(sql);
  row.bind(st);
  (st.exchange(soci::use(params)), ...);
  st.alloc();
  st.prepare(job_columns + tail);
  st.define_and_bind();
  st.execute(false);
  std::vector<job_record> out;
  while (st.fetch())
    out.push_back(row.record());
  return out;
}

// Runs a write and says how many rows it changed.
template <class... Params>
long long execute(soci::session& sql, const std::string& query, const Params&... params) {
  soci::statement st(sql);
  (st.exchange(soci::use(params)), ...);
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

// An update of one job that only its lease holder may make, and only while
// the job is not terminal. `params` bind the placeholders of `assignments`.
template <class... Params>
bool update_leased(database& db, const std::string& doing, std::int64_t id, const std::string& owner,
                   const std::string& assignments, const Params&... params) {
  return guarded(doing + " (job " + std::to_string(id) + ")", [&] {
    long long job_id = id;
    std::string now = iso8601_utc(now_us());
    return execute(db.session(),
                   "UPDATE recording_jobs SET " + assignments +
                       ", updated_at = :updated_at WHERE id = :id AND lease_owner = :owner AND " +
                       not_terminal,
                   params..., now, job_id, owner) > 0;
  });
}

std::string gave_up_reason(int attempts, const std::string& last_error) {
  return "gave up after " + std::to_string(attempts) +
         " attempts: " + (last_error.empty() ? std::string("no error recorded") : last_error);
}

} // namespace

const char* to_string(job_state s) {
  switch (s) {
  case job_state::queued:
    return "queued";
  case job_state::downloading:
    return "downloading";
  case job_state::downloaded:
    return "downloaded";
  case job_state::transcribing:
    return "transcribing";
  case job_state::extracting:
    return "extracting";
  case job_state::writing:
    return "writing";
  case job_state::done:
    return "done";
  case job_state::dead:
    return "dead";
  }
  return "dead";
}

std::optional<job_state> job_state_from_string(const std::string& s) {
  for (auto state : all_states)
    if (s == to_string(state))
      return state;
  return std::nullopt;
}

job_store::job_store(database& db) : db_(db) {}

insert_result job_store::insert(const new_job& job) {
  return guarded("storing the job for recording " + job.recording_sid, [&] {
    prepared<insert_job> q(db_);
    q->job = job;
    q->business_id = job.business_id.value_or(0);
    q->business_ind = job.business_id ? soci::i_ok : soci::i_null;
    q->state = job.dead_reason.empty() ? "queued" : "dead";
    q->now = iso8601_utc(now_us());
    if (q.run())
      return insert_result{q->id, true};
    prepared<job_id_by_recording_sid> existing(db_);
    existing->recording_sid = job.recording_sid;
    if (!existing.run())
      throw storage_error("the job vanished between insert and read");
    return insert_result{existing->id, false};
  });
}

std::optional<job_record> job_store::find(std::int64_t id) {
  return guarded("reading job " + std::to_string(id), [&]() -> std::optional<job_record> {
    prepared<job_by_id> q(db_);
    q->id = id;
    if (!q.run())
      return std::nullopt;
    return q->row.record();
  });
}

std::optional<job_record> job_store::find_by_recording_sid(const std::string& recording_sid) {
  return guarded("reading the job of recording " + recording_sid, [&]() -> std::optional<job_record> {
    prepared<job_by_recording_sid> q(db_);
    q->recording_sid = recording_sid;
    if (!q.run())
      return std::nullopt;
    return q->row.record();
  });
}

std::vector<job_record> job_store::find_by_call_sid(const std::string& call_sid) {
  return guarded("reading the jobs of call " + call_sid, [&] {
    return select_jobs(db_.session(), "WHERE call_sid = :call_sid ORDER BY id", call_sid);
  });
}

std::vector<job_record> job_store::recent(int limit) {
  return guarded("reading recent jobs",
                 [&] { return select_jobs(db_.session(), "ORDER BY id DESC LIMIT :limit", limit); });
}

std::vector<job_record> job_store::page(std::optional<job_state> state, std::int64_t before, int limit) {
  return page(state, before, limit, "", "");
}

std::vector<job_record> job_store::page(std::optional<job_state> state, std::int64_t before, int limit,
                                        const std::string& call_sid, const std::string& phone) {
  return guarded("reading a page of jobs", [&] {
    const std::string wanted = state ? to_string(*state) : "";
    const long long below = before > 0 ? before : std::numeric_limits<long long>::max();
    return select_jobs(db_.session(),
                       "WHERE (:state = '' OR state = :state2) AND (:sid = '' OR call_sid = :sid2) "
                       "AND (:phone = '' OR from_number = :phone2 OR to_number = :phone3) "
                       "AND id < :below ORDER BY id DESC LIMIT :limit",
                       wanted, wanted, call_sid, call_sid, phone, phone, phone, below, limit);
  });
}

bool job_store::requeue(std::int64_t id) {
  return guarded("queueing job " + std::to_string(id) + " again", [&] {
    long long job = id;
    std::string updated_at = iso8601_utc(now_us());
    return execute(
               db_.session(),
               "UPDATE recording_jobs SET state = 'queued', attempts = 0, last_error = '', audio_path = '', "
               "transcript = '', transcribed_at = 0, lease_owner = '', lease_expires_at = 0, "
               "extracted_service = '', "
               "extracted_city = '', extraction_confidence = NULL, "
               "next_attempt_at = 0, updated_at = :updated_at WHERE id = :id AND state IN ('dead', 'done')",
               updated_at, job) == 1;
  });
}

std::vector<job_record> job_store::claim(const std::string& owner, int limit, std::chrono::seconds lease,
                                         int max_attempts, std::vector<job_record>* gave_up) {
  if (limit <= 0)
    return {};
  return guarded("claiming jobs for " + owner, [&] {
    auto& sql = db_.session();
    write_transaction tx(db_);
    long long now = now_us();
    long long expires = now + std::chrono::duration_cast<std::chrono::microseconds>(lease).count();
    std::string updated_at = iso8601_utc(now);
    // On PostgreSQL another node may be claiming at the same moment: lock the
    // rows we take and step over the ones it holds. SQLite's BEGIN IMMEDIATE
    // already made this transaction the only writer.
    std::string candidates = "SELECT id, attempts, last_error, state FROM recording_jobs WHERE " +
                             not_terminal +
                             " AND (lease_owner = '' OR lease_expires_at <= :now) AND next_attempt_at <= :due"
                             " ORDER BY id LIMIT :limit" +
                             (db_.is_sqlite() ? "" : " FOR UPDATE SKIP LOCKED");
    std::vector<long long> claimed, ended;
    // Jobs that have used up their attempts are marked dead without counting
    // towards the limit, so look again until the limit is met or none is left.
    for (;;) {
      int wanted = limit - static_cast<int>(claimed.size());
      if (wanted <= 0)
        break;
      struct candidate {
        long long id;
        int attempts;
        std::string last_error, state;
      };
      std::vector<candidate> found;
      {
        candidate c{};
        soci::statement st =
            (sql.prepare << candidates, soci::use(now), soci::use(now), soci::use(wanted), soci::into(c.id),
             soci::into(c.attempts), soci::into(c.last_error), soci::into(c.state));
        st.execute(false);
        while (st.fetch())
          found.push_back(c);
      }
      if (found.empty())
        break;
      for (const auto& c : found) {
        if (max_attempts > 0 && c.attempts >= max_attempts) {
          std::string reason = gave_up_reason(c.attempts, c.last_error);
          execute(sql,
                  "UPDATE recording_jobs SET state = 'dead', last_error = :reason, lease_owner = '', "
                  "lease_expires_at = 0, updated_at = :updated_at WHERE id = :id",
                  reason, updated_at, c.id);
          ended.push_back(c.id);
          continue;
        }
        std::string state = c.state == "queued" ? "downloading" : c.state;
        execute(sql,
                "UPDATE recording_jobs SET attempts = attempts + 1, state = :state, lease_owner = :owner, "
                "lease_expires_at = :expires, updated_at = :updated_at WHERE id = :id",
                state, owner, expires, updated_at, c.id);
        claimed.push_back(c.id);
      }
    }
    std::vector<job_record> out;
    for (long long id : claimed) {
      auto rows = select_jobs(sql, "WHERE id = :id", id);
      out.insert(out.end(), rows.begin(), rows.end());
    }
    if (gave_up)
      for (long long id : ended) {
        auto rows = select_jobs(sql, "WHERE id = :id", id);
        gave_up->insert(gave_up->end(), rows.begin(), rows.end());
      }
    tx.commit();
    return out;
  });
}

void job_store::renew(const std::string& owner, const std::vector<std::int64_t>& ids,
                      std::chrono::seconds lease) {
  if (ids.empty())
    return;
  guarded("renewing leases of " + owner, [&] {
    write_transaction tx(db_);
    long long expires = now_us() + std::chrono::duration_cast<std::chrono::microseconds>(lease).count();
    for (std::int64_t id : ids) {
      long long job_id = id;
      execute(db_.session(),
              "UPDATE recording_jobs SET lease_expires_at = :expires WHERE id = :id AND lease_owner = :owner "
              "AND " +
                  not_terminal,
              expires, job_id, owner);
    }
    tx.commit();
  });
}

int job_store::take_back_leases(const std::string& owner) {
  return guarded("taking back leases", [&] {
    std::string now = iso8601_utc(now_us());
    std::string query =
        "UPDATE recording_jobs SET lease_owner = '', lease_expires_at = 0, updated_at = :updated_at "
        "WHERE lease_owner <> '' AND " +
        not_terminal;
    if (owner.empty())
      return static_cast<int>(execute(db_.session(), query, now));
    return static_cast<int>(execute(db_.session(), query + " AND lease_owner = :owner", now, owner));
  });
}

bool job_store::set_state(std::int64_t id, const std::string& owner, job_state state) {
  std::string name = to_string(state);
  if (state == job_state::done || state == job_state::dead)
    return update_leased(db_, "setting the state", id, owner,
                         "state = :state, lease_owner = '', lease_expires_at = 0", name);
  return update_leased(db_, "setting the state", id, owner, "state = :state", name);
}

bool job_store::set_business(std::int64_t id, const std::string& owner, std::int64_t business_id,
                             const std::string& from_number, const std::string& to_number) {
  long long business = business_id;
  // A number we do not know yet leaves the stored one alone.
  return update_leased(db_, "setting the business", id, owner,
                       "business_id = :business_id, "
                       "from_number = CASE WHEN :from_a = '' THEN from_number ELSE :from_b END, "
                       "to_number = CASE WHEN :to_a = '' THEN to_number ELSE :to_b END",
                       business, from_number, from_number, to_number, to_number);
}

bool job_store::mark_downloaded(std::int64_t id, const std::string& owner, const std::string& audio_path) {
  // The owner is the node whose disk now holds the file.
  return update_leased(db_, "recording the download", id, owner,
                       "audio_path = :audio_path, audio_node = :node, state = 'downloaded'", audio_path,
                       owner);
}

bool job_store::store_transcript(std::int64_t id, const std::string& owner, const std::string& transcript) {
  // With its transcript durable the job's next stage is extraction; a
  // resumed job starts there.
  long long at = now_us();
  return update_leased(db_, "storing the transcript", id, owner,
                       "transcript = :transcript, transcribed_at = :at, state = 'extracting'", transcript,
                       at);
}

bool job_store::release_for_retry(std::int64_t id, const std::string& owner, std::int64_t next_attempt_at_us,
                                  const std::string& error) {
  long long next = next_attempt_at_us;
  return update_leased(db_, "putting the job back for a retry", id, owner,
                       "state = 'queued', lease_owner = '', lease_expires_at = 0, next_attempt_at = :next, "
                       "last_error = :error",
                       next, error);
}

bool job_store::mark_dead(std::int64_t id, const std::string& owner, const std::string& reason) {
  const std::string assignments =
      "state = 'dead', last_error = :reason, lease_owner = '', lease_expires_at = 0";
  if (!owner.empty())
    return update_leased(db_, "marking the job dead", id, owner, assignments, reason);
  return guarded("marking job " + std::to_string(id) + " dead", [&] {
    long long job_id = id;
    std::string now = iso8601_utc(now_us());
    return execute(db_.session(),
                   "UPDATE recording_jobs SET " + assignments +
                       ", updated_at = :updated_at WHERE id = :id AND " + not_terminal,
                   reason, now, job_id) > 0;
  });
}

std::int64_t job_store::next_due_us() {
  return guarded("reading the next retry time", [&]() -> std::int64_t {
    long long now = now_us(), next = 0;
    soci::indicator ind = soci::i_null;
    db_.session() << "SELECT MIN(next_attempt_at) FROM recording_jobs WHERE state = 'queued' AND "
                     "next_attempt_at > :now",
        soci::use(now), soci::into(next, ind);
    return ind == soci::i_ok ? next : 0;
  });
}

std::vector<std::pair<job_state, std::int64_t>> job_store::count_by_state() {
  return guarded("counting jobs", [&] {
    std::vector<std::pair<job_state, std::int64_t>> out;
    for (auto state : all_states)
      out.emplace_back(state, 0);
    std::string state;
    long long count = 0;
    soci::statement st =
        (db_.session().prepare << "SELECT state, COUNT(*) FROM recording_jobs GROUP BY state",
         soci::into(state), soci::into(count));
    st.execute(false);
    while (st.fetch())
      if (auto s = job_state_from_string(state))
        out[static_cast<std::size_t>(*s)].second = count;
    return out;
  });
}

std::optional<std::int64_t> job_store::oldest_unfinished_created_us() {
  return guarded("finding the oldest unfinished job", [&]() -> std::optional<std::int64_t> {
    std::string created_at;
    soci::indicator ind = soci::i_null;
    db_.session() << "SELECT MIN(created_at) FROM recording_jobs WHERE " + not_terminal,
        soci::into(created_at, ind);
    if (ind != soci::i_ok)
      return std::nullopt;
    return parse_iso8601_utc(created_at);
  });
}

} // namespace callscribe::storage
