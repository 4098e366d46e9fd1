// spdlog set-up. JSON lines escape the message with nlohmann/json, so a
// transcript's quotes or newlines cannot break a line apart.
#include "app/logging.hpp"

#include "actors/log_context.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <regex>

namespace callscribe::app {
namespace {

// "job", "call_sid", "actor" and "message": from the actor's log scope when
// there is one, else read off the line itself ("Job 12 for CA…"), so lines
// logged outside a handler (start-up, the HTTP side) still carry them.
class json_message_flag : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string message(msg.payload.data(), msg.payload.size());
    const auto& ctx = current_log_context();
    nlohmann::json fields;
    std::int64_t job = ctx.job_id;
    std::string call_sid = ctx.call_sid;
    static const std::regex job_in_text(R"(\b[Jj]ob (\d{1,18})\b)");
    static const std::regex call_in_text(R"(\bCA[0-9a-fA-F]{32}\b)");
    std::smatch m;
    if (job == 0 && std::regex_search(message, m, job_in_text))
      job = std::stoll(m[1].str());
    if (call_sid.empty() && std::regex_search(message, m, call_in_text))
      call_sid = m[0].str();
    auto text = std::string("\"job\":") + (job ? std::to_string(job) : "null") +
                ",\"call_sid\":" + (call_sid.empty() ? "null" : nlohmann::json(call_sid).dump()) +
                ",\"actor\":" + (ctx.actor ? nlohmann::json(ctx.actor).dump() : "null") + ",\"message\":" +
                nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<json_message_flag>();
  }
};

} // namespace

void setup_logging(const config::settings& s) {
  auto logger = spdlog::stdout_logger_mt("callscribe");
  if (s.log_format == "json") {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<json_message_flag>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%*})");
    logger->set_formatter(std::move(f));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(s.log_level));
  logger->flush_on(spdlog::level::trace); // operators tail the log; a crash must not eat its last lines
  spdlog::set_default_logger(logger);
}

std::string redact_db_url(const std::string& url) {
  // Greedy up to the last '@': a password may itself hold one.
  static const std::regex password(R"(^(postgres(?:ql)?://[^:/@]+:).*@)");
  auto out = std::regex_replace(url, password, "$1***@");
  static const std::regex param(R"((password=)[^&\s]*)");
  return std::regex_replace(out, param, "$1***");
}

} // namespace callscribe::app
