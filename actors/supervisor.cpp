// supervisor: spawn, monitor, restart.
#include "actors/supervisor.hpp"

#include "actors/downloader.hpp"
#include "actors/extractor.hpp"
#include "actors/lead_writer.hpp"
#include "actors/reconciler.hpp"
#include "actors/recording_finder.hpp"
#include "actors/retention.hpp"
#include "actors/roles.hpp"
#include "actors/tracer.hpp"
#include "actors/transcriber.hpp"
#include "actors/webhook.hpp"
#include "metrics/pipeline_metrics.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

namespace callscribe {
namespace {

using sup_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

// Spawns one role, detached when it blocks, and publishes it.
template <class F>
void start_role(sup_ptr self, const std::string& role, caf::atom_value key, F fun, bool blocking) {
  auto& cfg = self->state.cfg;
  auto handle =
      (blocking && cfg->detach_blocking) ? self->spawn<caf::detached>(fun, cfg) : self->spawn(fun, cfg);
  self->monitor(handle);
  self->state.roles[handle.address()] = role;
  self->system().registry().put(key, handle);
}

void start(sup_ptr self, const std::string& role) {
  if (role == "tracer")
    start_role(self, role, roles::tracer, tracer, true);
  else if (role == "webhook")
    start_role(self, role, roles::webhook, webhook, true);
  else if (role == "lead_writer")
    start_role(self, role, roles::lead_writer, lead_writer, true);
  else if (role == "extractor")
    start_role(self, role, roles::extractor, extractor, false);
  else if (role == "transcriber")
    start_role(self, role, roles::transcriber, transcriber, true);
  else if (role == "downloader")
    start_role(self, role, roles::downloader, downloader, true);
  else if (role == "recording_finder")
    start_role(self, role, roles::recording_finder, recording_finder, true);
  else if (role == "retention")
    start_role(self, role, roles::retention, retention, true);
  else if (role == "reconciler")
    start_role(self, role, roles::reconciler, reconciler, true);
}

caf::atom_value key_of(const std::string& role) {
  if (role == "tracer")
    return roles::tracer;
  if (role == "webhook")
    return roles::webhook;
  if (role == "lead_writer")
    return roles::lead_writer;
  if (role == "extractor")
    return roles::extractor;
  if (role == "transcriber")
    return roles::transcriber;
  if (role == "recording_finder")
    return roles::recording_finder;
  if (role == "retention")
    return roles::retention;
  if (role == "reconciler")
    return roles::reconciler;
  return roles::downloader;
}

// Restarts in a row back off: the first at once, then 100 ms doubling up to 5 s.
std::chrono::milliseconds backoff(std::size_t recent) {
  if (recent <= 1)
    return std::chrono::milliseconds(0);
  auto ms = 100LL << std::min<std::size_t>(recent - 2, 6);
  return std::chrono::milliseconds(std::min<long long>(ms, 5000));
}

void restart(sup_ptr self, const std::string& role, const std::string& reason) {
  if (self->state.stopping)
    return;
  try {
    start(self, role);
  } catch (const std::exception& e) {
    spdlog::error("❌ [SUPERVISOR] Could not restart {}: {}", role, e.what());
    self->delayed_send(self, std::chrono::seconds(1), restart_atom::value, role, reason);
    return;
  }
  metrics::process().actor_restarted(role);
  if (role != "downloader")
    if (auto d = roles::find<downloader_actor>(self->system(), roles::downloader))
      self->send(d, role_restarted{role, reason});
}

// Shutdown, or giving up: stop the children too, and restart none of them.
void stop_all(sup_ptr self, caf::error reason) {
  self->state.stopping = true;
  for (auto& [addr, role] : self->state.roles) {
    self->system().registry().erase(key_of(role));
    if (auto h = caf::actor_cast<caf::actor>(addr))
      self->send_exit(h, reason);
  }
  self->quit(std::move(reason));
}

} // namespace

supervisor_actor::behavior_type supervisor(sup_ptr self, std::shared_ptr<const pipeline_config> cfg) {
  self->state.cfg = cfg;
  // The tracer first, so nothing's first hop is lost; the downloader last,
  // so what it hands on has somewhere to go.
  for (const char* role :
       {"tracer", "webhook", "recording_finder", "retention", "lead_writer", "extractor", "transcriber"})
    start(self, role);
  if (cfg->settings.reconcile_minutes > 0 && !cfg->settings.twilio_account_sid.empty())
    start(self, "reconciler");
  if (cfg->settings.worker_enabled) {
    start(self, "downloader");
    spdlog::info("✅ [OFFLINE_STT] Recording worker loop started");
    spdlog::info("✅ [BACKGROUND] Recording worker started");
  } else {
    spdlog::info("ℹ️ [BACKGROUND] worker.enabled is off: jobs are stored, not processed");
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    auto it = st.roles.find(msg.source);
    if (it == st.roles.end())
      return;
    auto role = it->second;
    st.roles.erase(it);
    if (st.stopping)
      return;
    self->system().registry().erase(key_of(role));
    auto now = now_us();
    auto window_us = std::chrono::duration_cast<std::chrono::microseconds>(st.cfg->restart_window).count();
    while (!st.restarts_us.empty() && now - st.restarts_us.front() > window_us)
      st.restarts_us.pop_front();
    st.restarts_us.push_back(now);
    auto reason = self->system().render(msg.reason);
    if (static_cast<int>(st.restarts_us.size()) > st.cfg->max_restarts) {
      auto why = role + " failed " + std::to_string(st.restarts_us.size()) + " times within " +
                 std::to_string(st.cfg->restart_window.count()) + " s (last: " + reason + ")";
      spdlog::critical("❌ [SUPERVISOR] Giving up: {}; stopping so the service manager can restart us", why);
      if (st.cfg->on_give_up)
        st.cfg->on_give_up(why);
      stop_all(self, caf::exit_reason::unhandled_exception);
      return;
    }
    auto delay = backoff(st.restarts_us.size());
    spdlog::warn("⚠️ [SUPERVISOR] {} stopped ({}); restarting in {} ms", role, reason, delay.count());
    if (delay.count() == 0)
      restart(self, role, reason);
    else
      self->delayed_send(self, delay, restart_atom::value, role, reason);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) { stop_all(self, msg.reason); });
  return {
      [self](restart_atom, const std::string& role, const std::string& reason) {
        restart(self, role, reason);
      },
  };
}

} // namespace callscribe
