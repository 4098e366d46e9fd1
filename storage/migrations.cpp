// The numbered schema migrations and the code that applies them. A migration
// once released never changes; a new need is a new number at the end.
#include "fault/fault_point.hpp"
#include "storage/database.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <vector>

namespace callscribe::storage {

namespace {

// SQL per backend, statements separated by ';' (none inside a literal):
// SQLite prepares one statement at a time and libpq's parameterised calls
// refuse several.
// `@ID@` stands for the backend's auto-increment primary key, the one
// difference between the two dialects that our schema meets.
struct migration {
  int version;
  const char* sql;
};

std::string for_backend(const char* sql, bool sqlite) {
  std::string out = sql;
  const std::string token = "@ID@";
  const std::string id = sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  for (auto at = out.find(token); at != std::string::npos; at = out.find(token, at + id.size()))
    out.replace(at, token.size(), id);
  return out;
}

// Times we compare (leases, next attempts, trace events) are BIGINT
// microseconds since the epoch; created_at/updated_at are ISO-8601 UTC text
// written by the application, so both backends hold the same strings.
const std::vector<migration>& migrations() {
  static const std::vector<migration> all = {
      {1,
       R"(
CREATE TABLE businesses (
  id @ID@,
  name TEXT NOT NULL DEFAULT '',
  phone_number TEXT NOT NULL UNIQUE,
  forward_to TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  places_json TEXT NOT NULL DEFAULT '[]',
  services_json TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE calls (
  call_sid TEXT PRIMARY KEY,
  business_id BIGINT,
  from_number TEXT NOT NULL DEFAULT '',
  to_number TEXT NOT NULL DEFAULT '',
  direction TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE leads (
  id @ID@,
  business_id BIGINT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  call_sid TEXT NOT NULL DEFAULT '',
  service_type TEXT NOT NULL DEFAULT '',
  city TEXT NOT NULL DEFAULT '',
  final_transcript TEXT NOT NULL DEFAULT '',
  extracted_service TEXT NOT NULL DEFAULT '',
  extracted_city TEXT NOT NULL DEFAULT '',
  extraction_confidence DOUBLE PRECISION NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE recording_jobs (
  id @ID@,
  call_sid TEXT NOT NULL,
  recording_sid TEXT NOT NULL UNIQUE,
  recording_url TEXT NOT NULL DEFAULT '',
  business_id BIGINT,
  from_number TEXT NOT NULL DEFAULT '',
  to_number TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
    ('queued', 'downloading', 'downloaded', 'transcribing', 'extracting', 'writing', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  audio_path TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE job_events (
  id @ID@,
  job_id BIGINT NOT NULL,
  actor TEXT NOT NULL DEFAULT '',
  event TEXT NOT NULL DEFAULT '',
  sent_at BIGINT NOT NULL DEFAULT 0,
  handled_at BIGINT NOT NULL DEFAULT 0,
  done_at BIGINT NOT NULL DEFAULT 0,
  node TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '')
)"},
      // Leases, retry times and durable stage results for the job queue;
      // evidence and who-set-what for the never-overwrite rules on leads.
      // The same SQL runs on both backends.
      {2,
       R"(
ALTER TABLE recording_jobs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE recording_jobs ADD COLUMN lease_expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recording_jobs ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recording_jobs ADD COLUMN transcript TEXT NOT NULL DEFAULT '';
ALTER TABLE recording_jobs ADD COLUMN channels INTEGER NOT NULL DEFAULT 1;
ALTER TABLE recording_jobs ADD COLUMN duration_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE recording_jobs ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN extraction_evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN service_type_set_by TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN city_set_by TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
CREATE INDEX recording_jobs_state_next_attempt ON recording_jobs (state, next_attempt_at);
CREATE INDEX recording_jobs_call_sid ON recording_jobs (call_sid);
CREATE INDEX leads_call_sid ON leads (call_sid);
CREATE INDEX leads_business_phone ON leads (business_id, phone);
CREATE INDEX job_events_job_id ON job_events (job_id)
)"},
      // When the transcript was stored: a recording with no words has an
      // empty transcript and must not be transcribed again after a restart.
      {3,
       R"(
ALTER TABLE recording_jobs ADD COLUMN transcribed_at BIGINT NOT NULL DEFAULT 0
)"},
      // When the recording was deleted at Twilio (twilio.delete-after-processing),
      // so the retention sweep asks once.
      {4,
       R"(
ALTER TABLE recording_jobs ADD COLUMN twilio_deleted_at BIGINT NOT NULL DEFAULT 0
)"},
      // The reconciliation sweep's high-water mark per account, durable.
      {5,
       R"(
CREATE TABLE reconcile_marks (
  account_sid TEXT PRIMARY KEY,
  since_day TEXT NOT NULL,
  updated_at TEXT NOT NULL)
)"},
      // Twilio's I-Twilio-Idempotency-Token of the last callback about a call.
      {6,
       R"(
ALTER TABLE calls ADD COLUMN idempotency_token TEXT NOT NULL DEFAULT ''
)"},
      // What the job's own extraction found (the lead keeps the strongest of
      // its calls'), for the job list and the dashboard; confidence NULL
      // until the job is written.
      {7,
       R"(
ALTER TABLE recording_jobs ADD COLUMN extracted_service TEXT NOT NULL DEFAULT '';
ALTER TABLE recording_jobs ADD COLUMN extracted_city TEXT NOT NULL DEFAULT '';
ALTER TABLE recording_jobs ADD COLUMN extraction_confidence DOUBLE PRECISION;
CREATE INDEX recording_jobs_from_number ON recording_jobs (from_number);
CREATE INDEX recording_jobs_to_number ON recording_jobs (to_number)
)"},
      // Which node holds a job's downloaded audio: with several nodes each
      // keeps recordings on its own disk, and only it can delete them. And
      // the nodes running now, so two processes never share one node.id.
      {8,
       R"(
ALTER TABLE recording_jobs ADD COLUMN audio_node TEXT NOT NULL DEFAULT '';
CREATE TABLE nodes (
  node_id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  started_at TEXT NOT NULL,
  seen_at BIGINT NOT NULL)
)"},
      // A row per node that readiness rewrites: a read still works on a
      // read-only file or a full disk, a write tells (storage/health_probe).
      {9,
       R"(
CREATE TABLE health_probes (
  node_id TEXT PRIMARY KEY,
  probed_at BIGINT NOT NULL)
)"},
      // The jobs still open, by id: claims, the queue depth and its oldest
      // job read only these, not every finished job before them (a claim on
      // SQLite with 90,000 jobs done took 20-27 ms without it, 0.1 ms with).
      {10,
       R"(
CREATE INDEX recording_jobs_open ON recording_jobs (id) WHERE state NOT IN ('done', 'dead')
)"},
  };
  return all;
}

} // namespace

int latest_schema_version() {
  return migrations().back().version;
}

namespace {

std::vector<std::string> statements(const std::string& script) {
  std::vector<std::string> out;
  const std::string& text = script;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find(';', begin);
    if (end == std::string::npos)
      end = text.size();
    auto statement = text.substr(begin, end - begin);
    if (statement.find_first_not_of(" \t\r\n") != std::string::npos)
      out.push_back(statement);
    begin = end + 1;
  }
  return out;
}

int applied_version(soci::session& sql) {
  int version = 0;
  soci::indicator ind = soci::i_ok;
  sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

bool has_migrations_table(database& db) {
  int tables = 0;
  if (db.is_sqlite())
    db.session() << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        soci::into(tables);
  else
    db.session() << "SELECT COUNT(*) FROM information_schema.tables "
                    "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
        soci::into(tables);
  return tables > 0;
}

} // namespace

int database::schema_version() {
  return guarded("reading the schema version",
                 [&] { return has_migrations_table(*this) ? applied_version(session()) : 0; });
}

int database::migrate() {
  // Nodes starting together on one PostgreSQL database migrate one at a
  // time: a session lock held for the whole run, so even the first CREATE
  // TABLE is made once (two concurrent CREATE TABLE IF NOT EXISTS can both
  // fail on PostgreSQL's catalog). SQLite's BEGIN IMMEDIATE serialises them.
  struct advisory_lock {
    database& db;
    bool held = false;
    explicit advisory_lock(database& d) : db(d) {
      if (!db.is_sqlite()) {
        guarded("waiting for another node's migration",
                [&] { db.session() << "SELECT pg_advisory_lock(4242001)"; });
        held = true;
      }
    }
    ~advisory_lock() {
      if (held) {
        try {
          db.session() << "SELECT pg_advisory_unlock(4242001)";
        } catch (const std::exception&) {
          // The lock goes with the session anyway.
        }
      }
    }
  } lock(*this);
  guarded("creating the schema_migrations table", [&] {
    if (!has_migrations_table(*this))
      session() << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
  });
  int version = schema_version();
  // A database migrated by a newer callscribe has columns and meanings this
  // binary does not know: refuse it, touching nothing.
  if (const int known = migrations().back().version; version > known)
    throw storage_error(
        "the database is at schema version " + std::to_string(version) +
        ", newer than this callscribe knows (" + std::to_string(known) +
        "): run the newer callscribe that migrated it, or restore a backup; nothing was changed");
  for (const auto& m : migrations()) {
    if (m.version <= version)
      continue;
    guarded("applying migration " + std::to_string(m.version), [&] {
      write_transaction tx(*this);
      auto& sql = session();
      if (applied_version(sql) >= m.version)
        return;
      std::string script = for_backend(m.sql, is_sqlite());
      for (const auto& statement : statements(script))
        sql << statement;
      fault_point("in_migration"); // its statements ran, its transaction is open
      std::string now = iso8601_utc(now_us());
      sql << "INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)", soci::use(m.version),
          soci::use(now);
      tx.commit();
    });
    version = m.version;
  }
  return schema_version();
}

} // namespace callscribe::storage
