// Routes: Twilio's callbacks and the health checks.
#include "app/routes.hpp"

#include "app/admin_api.hpp"
#include "app/dashboard.hpp"
#include "app/metrics_page.hpp"
#include "app/one_shot.hpp"

#include "actors/messages.hpp"
#include "actors/roles.hpp"
#include "http/twilio_callback.hpp"
#include "http/twiml.hpp"
#include "metrics/pipeline_metrics.hpp"
#include "storage/database.hpp"
#include "storage/free_space.hpp"
#include "storage/health_probe.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace callscribe::app {
namespace {

// Twilio's I-Twilio-Idempotency-Token: the same for every retry of one
// delivery. Kept as printable ASCII of bounded length: it goes to the trace.
std::string token_of(const http::request& req) {
  const std::string* t = req.header("i-twilio-idempotency-token");
  if (!t || t->size() > 128 || !std::all_of(t->begin(), t->end(), [](char c) { return c > ' ' && c < 127; }))
    return {};
  return *t;
}

http::response empty_twiml() {
  http::response r;
  r.content_type = "text/xml";
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  return r;
}

http::twilio_settings twilio_of(const config::settings& s) {
  return http::twilio_settings{s.twilio_account_sid, s.twilio_auth_token, s.public_url, s.twilio_api_base,
                               s.validate_signature};
}

std::string signature_of(const http::request& req) {
  const std::string* sig = req.header("x-twilio-signature");
  return sig ? *sig : std::string{};
}

// A refused check is logged and answered; true then, and the handler stops.
bool refused(const http::request& req, int status, const std::string& reason, const http::reply_fn& reply) {
  if (status == 200)
    return false;
  spdlog::warn("⚠️ [WEBHOOK] Refused {} {}: {} {}", req.method, req.path, status, reason);
  reply(http::text_response(status, reason + "\n"));
  return true;
}

incoming_call call_message(const http::call_callback& call, const http::request& req, bool voice) {
  return incoming_call{trace_context{new_trace_id(), "http", now_us()},
                       call.call_sid,
                       call.from,
                       call.to,
                       call.direction,
                       call.call_status,
                       voice,
                       token_of(req)};
}

// The webhook, or a 503 answered (starting up or shutting down): Twilio's
// status callbacks are then lost, and the reconciliation sweep finds them.
webhook_actor webhook_or_busy(caf::actor_system& sys, const http::reply_fn& reply) {
  auto webhook = roles::find<webhook_actor>(sys, roles::webhook);
  if (!webhook)
    reply(http::text_response(503, "starting up or shutting down; retry\n"));
  return webhook;
}

// A callback the database refused: Twilio retries it only where the URL's
// connection override asks for retries on 5xx, so the reconciliation sweep
// looks for its recording as soon as the database takes writes again.
void sweep_when_writable(caf::actor_system& sys) {
  if (auto reconciler = roles::find<reconciler_actor>(sys, roles::reconciler))
    caf::anon_send(reconciler, sweep_atom::value, false);
}

void recording_status(caf::actor_system& sys, const http::twilio_settings& tw, const http::request& req,
                      http::reply_fn reply) {
  auto check = http::check_recording_callback(tw, req.target, req.body, signature_of(req));
  if (refused(req, check.status, check.reason, reply))
    return;
  const auto& cb = *check.callback;
  auto webhook = webhook_or_busy(sys, reply);
  if (!webhook)
    return;
  incoming_recording msg{trace_context{new_trace_id(), "http", now_us()},
                         cb.call_sid,
                         cb.recording_sid,
                         cb.recording_url,
                         cb.recording_status,
                         cb.duration_seconds,
                         cb.channels,
                         cb.from,
                         cb.to,
                         token_of(req)};
  spawn_one_shot(sys, [webhook, msg, reply](caf::event_based_actor* self) {
    self->request(webhook, std::chrono::seconds(15), msg)
        .then([reply](const job_accepted&) { reply(empty_twiml()); },
              [reply, self](caf::error& err) {
                // Not stored, and said so: Twilio does not retry status
                // callbacks by default, so the operator must see this line.
                spdlog::error("❌ [WEBHOOK] Job not stored: {}", self->system().render(err));
                reply(http::text_response(503, "could not store the job; retry\n"));
                sweep_when_writable(self->system());
              });
  });
}

http::response twiml(std::string body) {
  http::response r;
  r.content_type = "text/xml";
  r.body = std::move(body);
  return r;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

// What a caller hears when no business has the number, or the server cannot
// tell whose it is: never an error page read out by Twilio.
const char* const not_set_up = "Sorry, this number is not set up to take calls. Goodbye.";
const char* const cannot_take = "Sorry, we cannot take your call right now. Please try again later. Goodbye.";

void voice(caf::actor_system& sys, const http::twilio_settings& tw, const http::request& req,
           http::reply_fn reply) {
  auto check = http::check_call_callback(tw, req.target, req.body, signature_of(req));
  if (refused(req, check.status, check.reason, reply))
    return;
  const auto& call = *check.call;
  auto webhook = roles::find<webhook_actor>(sys, roles::webhook);
  if (!webhook) {
    reply(twiml(http::say_and_hang_up(cannot_take)));
    return;
  }
  const incoming_call msg = call_message(call, req, true);
  const std::string recordings = without_trailing_slash(tw.public_url) + "/twilio/recording-status";
  spawn_one_shot(sys, [webhook, msg, reply, recordings](caf::event_based_actor* self) {
    self->request(webhook, std::chrono::seconds(15), msg)
        .then(
            [reply, recordings](const call_answer& a) {
              if (!a.known)
                reply(twiml(http::say_and_hang_up(not_set_up)));
              else if (a.forward_to.empty())
                reply(twiml(http::record_message("You have reached " + a.business_name +
                                                     ". Please leave a message after the tone.",
                                                 recordings)));
              else
                reply(twiml(http::dial_and_record(a.forward_to, recordings)));
            },
            [reply, self, msg](caf::error& err) {
              spdlog::error("❌ [WEBHOOK] Call {} not recorded: {}", msg.call_sid, self->system().render(err));
              reply(twiml(http::say_and_hang_up(cannot_take)));
            });
  });
}

// The call-status path: the call's status is stored before Twilio hears 200;
// on `completed` the recording finder lists the call's recordings and
// enqueues them as the recording-status path would. Other statuses (busy,
// no-answer, failed, canceled) are recorded on the call only.
void call_status(caf::actor_system& sys, const http::twilio_settings& tw, const http::request& req,
                 http::reply_fn reply) {
  auto check = http::check_call_callback(tw, req.target, req.body, signature_of(req));
  if (refused(req, check.status, check.reason, reply))
    return;
  const auto& call = *check.call;
  auto webhook = webhook_or_busy(sys, reply);
  if (!webhook)
    return;
  const incoming_call msg = call_message(call, req, false);
  spawn_one_shot(sys, [webhook, msg, reply](caf::event_based_actor* self) {
    self->request(webhook, std::chrono::seconds(15), msg)
        .then(
            [self, reply, msg](const call_answer&) {
              if (msg.status == "completed") {
                if (auto finder =
                        roles::find<recording_finder_actor>(self->system(), roles::recording_finder))
                  self->send(finder, call_completed{forward(msg.trace, "http"), msg.call_sid, 0});
                else
                  spdlog::error("❌ [WEBHOOK] Call {} completed while the recording finder is down: its "
                                "recordings are not looked up",
                                msg.call_sid);
              }
              reply(empty_twiml());
            },
            [reply, self, msg](caf::error& err) {
              spdlog::error("❌ [WEBHOOK] Call status of {} not stored: {}", msg.call_sid,
                            self->system().render(err));
              reply(http::text_response(503, "could not store the call status; retry\n"));
              sweep_when_writable(self->system());
            });
  });
}

http::response json_answer(int status, const nlohmann::json& body) {
  http::response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump() + "\n";
  return r;
}

// Ready: the database answers, every role of the pipeline runs, and the data
// dir has room for recordings. Each part says what it found.
nlohmann::json readiness(caf::actor_system& sys, const config::settings& s) {
  nlohmann::json out{{"ready", true}};
  auto not_ready = [&out](const std::string& reason) {
    out["ready"] = false;
    out["reasons"].push_back(reason);
  };
  try {
    auto db = storage::database::open(s.db_url, s.db_password);
    if (!db.ping())
      not_ready("database: no answer");
    // A read-only file or a full disk still reads: only a write tells.
    storage::probe_write(db, s.node_id);
    out["database"] = "ok";
  } catch (const std::exception& e) {
    out["database"] = e.what();
    not_ready(std::string("database: ") + e.what());
  }
  std::vector<std::pair<const char*, caf::atom_value>> roles_wanted{
      {"tracer", roles::tracer},           {"webhook", roles::webhook},
      {"lead_writer", roles::lead_writer}, {"extractor", roles::extractor},
      {"transcriber", roles::transcriber}, {"recording_finder", roles::recording_finder},
      {"retention", roles::retention}};
  if (s.worker_enabled)
    roles_wanted.emplace_back("downloader", roles::downloader);
  if (s.reconcile_minutes > 0 && !s.twilio_account_sid.empty())
    roles_wanted.emplace_back("reconciler", roles::reconciler);
  for (const auto& [name, key] : roles_wanted) {
    const bool up = static_cast<bool>(sys.registry().get(key));
    out["actors"][name] = up ? "up" : "down";
    if (!up)
      not_ready(std::string("actor ") + name + " is not running");
  }
  // The transcriber is registered the moment it starts; its engine (PocketSphinx
  // loads its model for about half a second) comes after.
  const bool engine = metrics::process().speech_engine_ready();
  out["speech_engine"] = engine ? "ready" : "loading";
  if (!engine)
    not_ready("speech engine: not loaded yet");
  const auto room = storage::check_free_space(s.data_dir, s.min_free_megabytes);
  if (room.measured)
    out["disk"] = {{"free_bytes", room.available_bytes}, {"threshold_bytes", room.threshold_bytes}};
  if (!room.enough)
    not_ready(room.shortage);
  return out;
}

// The reply, counted by route and status for /metrics.
http::reply_fn counted(const char* route, http::reply_fn reply) {
  return [route, reply = std::move(reply)](http::response r) {
    metrics::process().webhook_answered(route, r.status);
    reply(std::move(r));
  };
}

} // namespace

std::vector<http::route> make_routes(caf::actor_system& sys, const config::settings& s) {
  auto tw = twilio_of(s);
  std::vector<http::route> routes;
  routes.push_back(
      {"POST", "/twilio/recording-status", [&sys, tw](const http::request& req, http::reply_fn reply) {
         recording_status(sys, tw, req, counted("/twilio/recording-status", std::move(reply)));
       }});
  routes.push_back(
      {"POST", "/twilio/call-status", [&sys, tw](const http::request& req, http::reply_fn reply) {
         call_status(sys, tw, req, counted("/twilio/call-status", std::move(reply)));
       }});
  routes.push_back({"POST", "/twilio/voice", [&sys, tw](const http::request& req, http::reply_fn reply) {
                      voice(sys, tw, req, counted("/twilio/voice", std::move(reply)));
                    }});
  routes.push_back({"GET", "/healthz", [](const http::request&, http::reply_fn reply) {
                      reply(json_answer(200, nlohmann::json{{"status", "alive"}}));
                    }});
  routes.push_back({"GET", "/readyz", [&sys, s](const http::request&, http::reply_fn reply) {
                      // Opening the database and reading the disk block: not on the server's threads.
                      spawn_one_shot<caf::detached>(sys, [&sys, s, reply](caf::event_based_actor*) {
                        auto r = readiness(sys, s);
                        reply(json_answer(r.value("ready", false) ? 200 : 503, r));
                      });
                    }});
  routes.push_back({"GET", "/", [](const http::request&, http::reply_fn reply) {
                      http::response r;
                      r.content_type = "text/html; charset=utf-8";
                      r.body = dashboard_html();
                      // The page holds no data; the API calls it makes carry the token.
                      r.headers.emplace_back("Cache-Control", "no-cache");
                      r.headers.emplace_back("Content-Security-Policy",
                                             "default-src 'self'; script-src 'unsafe-inline'; "
                                             "style-src 'unsafe-inline'; img-src 'self' data:");
                      reply(std::move(r));
                    }});
  routes.push_back({"GET", "/metrics", [&sys, s](const http::request&, http::reply_fn reply) {
                      spawn_one_shot<caf::detached>(sys, [s, reply](caf::event_based_actor*) {
                        http::response r;
                        try {
                          auto db = storage::database::open(s.db_url, s.db_password);
                          r.body = metrics_page(db);
                          r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                        } catch (const std::exception& e) {
                          r = http::text_response(503, std::string("cannot read the database: ") + e.what() +
                                                           "\n");
                        }
                        reply(std::move(r));
                      });
                    }});
  for (auto& r : admin_routes(sys, s))
    routes.push_back(std::move(r));
  return routes;
}

} // namespace callscribe::app
