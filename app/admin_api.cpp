// Admin API handlers. Reads and the retry run in a short-lived detached
// actor each (they wait on the database, the server's threads must not);
// a recording enqueued by hand goes to the webhook like a callback.
#include "app/admin_api.hpp"
#include "app/one_shot.hpp"

#include "actors/messages.hpp"
#include "actors/roles.hpp"
#include "http/twilio_callback.hpp"
#include "http/twilio_sid.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"
#include "storage/trace_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <optional>

namespace callscribe::app {
namespace {

using json = nlohmann::json;

http::response json_response(int status, const json& body) {
  http::response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump() + "\n";
  return r;
}

http::response error_response(int status, const std::string& message) {
  auto r = json_response(status, json{{"error", message}});
  if (status == 401)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"callscribe admin\"");
  return r;
}

json job_json(const storage::job_record& j) {
  return json{{"id", j.id},
              {"call_sid", j.call_sid},
              {"recording_sid", j.recording_sid},
              {"recording_url", j.recording_url},
              {"business_id", j.business_id ? json(*j.business_id) : json(nullptr)},
              {"from", j.from_number},
              {"to", j.to_number},
              {"state", storage::to_string(j.state)},
              {"attempts", j.attempts},
              {"last_error", j.last_error},
              {"channels", j.channels},
              {"duration_seconds", j.duration_seconds},
              {"transcribed", j.transcribed_at_us != 0},
              {"transcript", j.transcript},
              {"lease_owner", j.lease_owner},
              {"trace_id", j.trace_id},
              {"created_at", j.created_at},
              {"service", j.extracted_service},
              {"city", j.extracted_city},
              {"confidence", j.extraction_confidence ? json(*j.extraction_confidence) : json(nullptr)},
              {"updated_at", j.updated_at}};
}

json lead_json(const storage::lead_record& l) {
  return json{{"id", l.id},
              {"business_id", l.business_id},
              {"phone", l.phone},
              {"call_sid", l.call_sid},
              {"service_type", l.service_type},
              {"city", l.city},
              {"service_type_set_by", l.service_type_set_by},
              {"city_set_by", l.city_set_by},
              {"final_transcript", l.final_transcript},
              {"extracted_service", l.extracted_service},
              {"extracted_city", l.extracted_city},
              {"extraction_confidence", l.extraction_confidence},
              {"extraction_evidence",
               json::parse(l.extraction_evidence.empty() ? "null" : l.extraction_evidence, nullptr, false)},
              {"status", l.status},
              {"created_at", l.created_at},
              {"updated_at", l.updated_at}};
}

// One hop of a trace; a time not recorded is null. Microseconds since the
// epoch, so a reader works out durations itself.
json event_json(const storage::trace_event& e) {
  auto at = [](std::int64_t us) { return us ? json(us) : json(nullptr); };
  return json{{"job_id", e.job_id},
              {"actor", e.actor},
              {"event", e.event},
              {"sent_at_us", at(e.sent_at_us)},
              {"handled_at_us", at(e.handled_at_us)},
              {"done_at_us", at(e.done_at_us)},
              {"node", e.node},
              {"detail", e.detail}};
}

json events_json(const std::vector<storage::trace_event>& events) {
  json out = json::array();
  for (const auto& e : events)
    out.push_back(event_json(e));
  return out;
}

// A positive whole number, or nullopt.
std::optional<std::int64_t> positive(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0)
    return std::nullopt;
  return v;
}

// The query's value of `name` (the first), undecoded: our parameters are
// plain words and numbers.
std::optional<std::string> query_value(const std::string& query, const std::string& name) {
  std::size_t at = 0;
  while (at <= query.size()) {
    auto end = query.find('&', at);
    if (end == std::string::npos)
      end = query.size();
    auto pair = query.substr(at, end - at);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string::npos ? std::string() : pair.substr(eq + 1);
    at = end + 1;
  }
  return std::nullopt;
}

// A phone number as a query value: "+" kept as it is (not a space), "%2B"
// decoded; E.164 only.
std::optional<std::string> phone_query(const std::string& raw) {
  std::string out = raw.rfind("%2B", 0) == 0 || raw.rfind("%2b", 0) == 0 ? "+" + raw.substr(3) : raw;
  if (out.size() < 4 || out.size() > 16 || out[0] != '+' ||
      !std::all_of(out.begin() + 1, out.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return out;
}

// Runs `work` (which may wait on the database) in a detached actor of its
// own, and answers with what it returns; an exception becomes a 500 that
// names it, logged.
template <class Work> void off_the_server(caf::actor_system& sys, http::reply_fn reply, Work work) {
  spawn_one_shot<caf::detached>(sys, [reply, work](caf::event_based_actor*) {
    try {
      reply(work());
    } catch (const std::exception& e) {
      spdlog::error("❌ [ADMIN] {}", e.what());
      reply(error_response(500, e.what()));
    }
  });
}

struct admin {
  caf::actor_system& sys;
  config::settings s;
  http::twilio_settings tw;

  storage::database db() const { return storage::database::open(s.db_url, s.db_password); }

  // Refusal, if any: no token configured, or a missing or wrong one.
  std::optional<http::response> refused(const http::request& req) const {
    if (s.admin_token.empty())
      return error_response(403, "the admin API is off: no admin.token is set (CALLSCRIBE_ADMIN_TOKEN)");
    if (!http::bearer_matches(req.header("authorization"), s.admin_token))
      return error_response(401, "missing or wrong bearer token");
    return std::nullopt;
  }

  void list_jobs(const http::request& req, http::reply_fn reply) const {
    std::optional<storage::job_state> state;
    if (auto v = query_value(req.query, "state"); v && !v->empty()) {
      state = storage::job_state_from_string(*v);
      if (!state)
        return reply(error_response(400, "state must be one of queued downloading downloaded transcribing "
                                         "extracting writing done dead"));
    }
    std::int64_t limit = 50, after = 0;
    if (auto v = query_value(req.query, "limit")) {
      auto n = positive(*v);
      if (!n || *n > 500)
        return reply(error_response(400, "limit must be a whole number from 1 to 500"));
      limit = *n;
    }
    if (auto v = query_value(req.query, "after")) {
      auto n = positive(*v);
      if (!n)
        return reply(error_response(400, "after must be a job id (a positive whole number)"));
      after = *n;
    }
    std::string call_sid, phone;
    if (auto v = query_value(req.query, "call_sid"); v && !v->empty()) {
      if (!http::is_sid(*v, "CA"))
        return reply(error_response(400, "call_sid must be a CallSid: CA and 32 hex digits"));
      call_sid = *v;
    }
    if (auto v = query_value(req.query, "phone"); v && !v->empty()) {
      auto p = phone_query(*v);
      if (!p)
        return reply(error_response(400, "phone must be an E.164 number: + and 3 to 15 digits (%2B for +)"));
      phone = *p;
    }
    auto self = *this;
    off_the_server(sys, reply, [self, state, limit, after, call_sid, phone] {
      auto d = self.db();
      auto jobs = storage::job_store(d).page(state, after, static_cast<int>(limit), call_sid, phone);
      json out{{"jobs", json::array()}, {"next_after", nullptr}};
      for (const auto& j : jobs)
        out["jobs"].push_back(job_json(j));
      if (static_cast<std::int64_t>(jobs.size()) == limit)
        out["next_after"] = jobs.back().id;
      return json_response(200, out);
    });
  }

  void one_job(std::int64_t id, http::reply_fn reply) const {
    auto self = *this;
    off_the_server(sys, reply, [self, id] {
      auto d = self.db();
      auto j = storage::job_store(d).find(id);
      return j ? json_response(200, job_json(*j)) : error_response(404, "no job " + std::to_string(id));
    });
  }

  void job_trace(std::int64_t id, http::reply_fn reply) const {
    auto self = *this;
    off_the_server(sys, reply, [self, id] {
      auto d = self.db();
      auto j = storage::job_store(d).find(id);
      if (!j)
        return error_response(404, "no job " + std::to_string(id));
      return json_response(200, json{{"job_id", id},
                                     {"call_sid", j->call_sid},
                                     {"state", storage::to_string(j->state)},
                                     {"events", events_json(storage::trace_store(d).for_job(id))}});
    });
  }

  void call_trace(const std::string& call_sid, http::reply_fn reply) const {
    if (!http::is_call_sid(call_sid))
      return reply(
          error_response(404, "no such call: the path wants /api/calls/{CallSid}/trace (CA + 32 hex)"));
    auto self = *this;
    off_the_server(sys, reply, [self, call_sid] {
      auto d = self.db();
      auto jobs = storage::job_store(d).find_by_call_sid(call_sid);
      if (jobs.empty())
        return error_response(404, "no job for call " + call_sid);
      json out{{"call_sid", call_sid}, {"jobs", json::array()}};
      storage::trace_store traces(d);
      for (const auto& j : jobs)
        out["jobs"].push_back(json{{"job_id", j.id},
                                   {"recording_sid", j.recording_sid},
                                   {"state", storage::to_string(j.state)},
                                   {"events", events_json(traces.for_job(j.id))}});
      return json_response(200, out);
    });
  }

  void retry(std::int64_t id, http::reply_fn reply) const {
    auto self = *this;
    off_the_server(sys, reply, [self, id] {
      auto d = self.db();
      storage::job_store jobs(d);
      auto j = jobs.find(id);
      if (!j)
        return error_response(404, "no job " + std::to_string(id));
      if (!jobs.requeue(id))
        return error_response(409, "job " + std::to_string(id) + " is " + storage::to_string(j->state) +
                                       ": only a dead or done job can be retried");
      spdlog::info("🔁 [ADMIN] Job {} for {} queued again by an operator (was {})", id, j->call_sid,
                   storage::to_string(j->state));
      if (auto downloader = roles::find<downloader_actor>(self.sys, roles::downloader))
        caf::anon_send(downloader,
                       recording_job{id, trace_context{j->trace_id, "admin", now_us()}, j->call_sid});
      return json_response(200, json{{"id", id}, {"state", "queued"}});
    });
  }

  void lead(std::int64_t id, http::reply_fn reply) const {
    auto self = *this;
    off_the_server(sys, reply, [self, id] {
      auto d = self.db();
      auto l = storage::lead_store(d).find(id);
      return l ? json_response(200, lead_json(*l)) : error_response(404, "no lead " + std::to_string(id));
    });
  }

  void enqueue(const http::request& req, http::reply_fn reply) const {
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return reply(error_response(400, "the body must be a JSON object"));
    auto text = [&body](const char* key) -> std::optional<std::string> {
      auto it = body.find(key);
      if (it == body.end() || it->is_null())
        return std::string();
      if (!it->is_string())
        return std::nullopt;
      return it->get<std::string>();
    };
    std::map<std::string, std::string> f;
    for (const char* key : {"call_sid", "recording_sid", "recording_url", "from", "to"}) {
      auto v = text(key);
      if (!v)
        return reply(error_response(400, std::string(key) + " must be a string"));
      f[key] = *v;
    }
    for (const char* key : {"call_sid", "recording_sid", "recording_url"})
      if (f[key].empty())
        return reply(error_response(400, std::string("missing ") + key));
    if (auto problem = http::recording_problem(tw, f["call_sid"], f["recording_sid"], f["recording_url"]);
        !problem.empty())
      return reply(error_response(400, problem));
    auto webhook = roles::find<webhook_actor>(sys, roles::webhook);
    if (!webhook)
      return reply(error_response(503, "starting up or shutting down; retry"));
    incoming_recording msg{trace_context{new_trace_id(), "admin", now_us()},
                           f["call_sid"],
                           f["recording_sid"],
                           f["recording_url"],
                           "completed",
                           0,
                           1,
                           f["from"],
                           f["to"],
                           {}};
    spawn_one_shot(sys, [webhook, msg, reply](caf::event_based_actor* self) {
      self->request(webhook, std::chrono::seconds(15), msg)
          .then(
              [reply](const job_accepted& a) {
                reply(json_response(a.created ? 201 : 200,
                                    json{{"job_id", a.job_id}, {"created", a.created}, {"state", a.state}}));
              },
              [reply, self](caf::error& err) {
                reply(error_response(503, "could not store the job: " + self->system().render(err)));
              });
    });
  }

  // /api/jobs/{id} and /api/jobs/{id}/retry
  void jobs_below(const http::request& req, http::reply_fn reply) const {
    const std::string rest = req.path.substr(std::string("/api/jobs/").size());
    const auto slash = rest.find('/');
    auto id = positive(rest.substr(0, slash));
    if (!id)
      return reply(error_response(404, "no such job: the path wants /api/jobs/{id}"));
    const std::string tail = slash == std::string::npos ? "" : rest.substr(slash);
    if (req.method == "GET" && tail.empty())
      return one_job(*id, std::move(reply));
    if (req.method == "POST" && tail == "/retry")
      return retry(*id, std::move(reply));
    if (req.method == "GET" && tail == "/trace")
      return job_trace(*id, std::move(reply));
    reply(error_response(404, "no such admin resource: " + req.method + " " + req.path));
  }
};

} // namespace

std::vector<http::route> admin_routes(caf::actor_system& sys, const config::settings& s) {
  auto a = std::make_shared<admin>(
      admin{sys, s,
            http::twilio_settings{s.twilio_account_sid, s.twilio_auth_token, s.public_url, s.twilio_api_base,
                                  s.validate_signature}});
  // Every admin route checks the token first.
  auto guarded = [a](auto handler) {
    return [a, handler](const http::request& req, http::reply_fn reply) {
      if (auto refusal = a->refused(req))
        return reply(std::move(*refusal));
      handler(*a, req, std::move(reply));
    };
  };
  std::vector<http::route> routes;
  routes.push_back({"GET", "/api/jobs", guarded([](const admin& x, const http::request& r, http::reply_fn f) {
                      x.list_jobs(r, std::move(f));
                    })});
  for (const char* method : {"GET", "POST"})
    routes.push_back(
        {method, "/api/jobs/*", guarded([](const admin& x, const http::request& r, http::reply_fn f) {
           x.jobs_below(r, std::move(f));
         })});
  routes.push_back(
      {"POST", "/api/recordings", guarded([](const admin& x, const http::request& r, http::reply_fn f) {
         x.enqueue(r, std::move(f));
       })});
  routes.push_back(
      {"GET", "/api/calls/*", guarded([](const admin& x, const http::request& r, http::reply_fn f) {
         // /api/calls/{CallSid}/trace
         const std::string rest = r.path.substr(std::string("/api/calls/").size());
         const auto slash = rest.find('/');
         if (slash == std::string::npos || rest.substr(slash) != "/trace")
           return f(error_response(404, "no such admin resource: GET " + r.path));
         x.call_trace(rest.substr(0, slash), std::move(f));
       })});
  routes.push_back(
      {"GET", "/api/leads/*", guarded([](const admin& x, const http::request& r, http::reply_fn f) {
         auto id = positive(std::string_view(r.path).substr(std::string("/api/leads/").size()));
         if (!id)
           return f(error_response(404, "no such lead: the path wants /api/leads/{id}"));
         x.lead(*id, std::move(f));
       })});
  return routes;
}

} // namespace callscribe::app
