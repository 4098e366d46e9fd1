// Twilio's REST API, as much of it as callscribe uses.
#include "app/twilio_standin.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace callscribe::app {
namespace {

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

} // namespace

twilio_standin::twilio_standin(std::string account_sid, std::string auth_token, std::uint16_t port)
    : account_sid_(std::move(account_sid)),
      expected_auth_("Basic " + base64(account_sid_ + ":" + auth_token)),
      server_(http::server_options{"127.0.0.1", port, 64 * 1024, 16 * 1024, std::chrono::seconds(10), 2},
              {{"GET", "/2010-04-01/Accounts/*",
                [this](const http::request& req, http::reply_fn reply) { reply_to(req, std::move(reply)); }},
               {"DELETE", "/2010-04-01/Accounts/*",
                [this](const http::request& req, http::reply_fn reply) { reply(answer(req)); }}}) {
  server_.start();
}

twilio_standin::~twilio_standin() {
  server_.stop();
}

void twilio_standin::add_recording(const std::string& recording_sid, const std::string& wav_path,
                                   int not_ready_first) {
  std::lock_guard<std::mutex> lock(m_);
  recordings_[recording_sid] = recording{wav_path, not_ready_first, 0, {}, 0};
}

void twilio_standin::add_call(const std::string& call_sid, const std::string& from, const std::string& to,
                              const std::string& direction) {
  std::lock_guard<std::mutex> lock(m_);
  calls_[call_sid] = call{from, to, direction, 0};
}

void twilio_standin::add_call_recording(const std::string& call_sid, const std::string& recording_sid,
                                        const std::string& wav_path, int listed_after) {
  std::lock_guard<std::mutex> lock(m_);
  recordings_[recording_sid] = recording{wav_path, 0, 0, {}, 0};
  auto& list = call_recordings_[call_sid];
  list.recording_sids.push_back(recording_sid);
  list.listed_after = listed_after;
}

void twilio_standin::add_lost_recording(const std::string& call_sid, const std::string& recording_sid,
                                        const std::string& wav_path, const std::string& from,
                                        const std::string& to) {
  std::lock_guard<std::mutex> lock(m_);
  recordings_[recording_sid] = recording{wav_path, 0, 0, {}, 0};
  calls_[call_sid] = call{from, to, "inbound", 0};
  lost_.emplace_back(call_sid, recording_sid);
}

std::vector<std::string> twilio_standin::account_list_queries() const {
  std::lock_guard<std::mutex> lock(m_);
  return account_list_queries_;
}

int twilio_standin::recording_deletes(const std::string& recording_sid) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = recordings_.find(recording_sid);
  return it == recordings_.end() ? 0 : it->second.deletes;
}

int twilio_standin::recording_list_requests(const std::string& call_sid) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = call_recordings_.find(call_sid);
  return it == call_recordings_.end() ? 0 : it->second.list_requests;
}

std::string twilio_standin::base() const {
  return "http://127.0.0.1:" + std::to_string(server_.port());
}

std::string twilio_standin::recording_url(const std::string& recording_sid) const {
  return base() + "/2010-04-01/Accounts/" + account_sid_ + "/Recordings/" + recording_sid;
}

int twilio_standin::recording_requests(const std::string& recording_sid) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = recordings_.find(recording_sid);
  return it == recordings_.end() ? 0 : it->second.requests;
}

std::string twilio_standin::last_query(const std::string& recording_sid) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = recordings_.find(recording_sid);
  return it == recordings_.end() ? "" : it->second.last_query;
}

int twilio_standin::call_requests(const std::string& call_sid) const {
  std::lock_guard<std::mutex> lock(m_);
  auto it = calls_.find(call_sid);
  return it == calls_.end() ? 0 : it->second.requests;
}

int twilio_standin::unauthorised_requests() const {
  std::lock_guard<std::mutex> lock(m_);
  return unauthorised_;
}

void twilio_standin::reply_to(const http::request& req, http::reply_fn reply) {
  http::response r = answer(req);
  const auto delay = std::chrono::milliseconds(download_delay_ms_.load());
  if (delay.count() == 0 || !ends_with(req.path, ".wav")) {
    reply(std::move(r));
    return;
  }
  // reply_fn may be called from any thread, also after the server stopped.
  std::thread([delay, r = std::move(r), reply = std::move(reply)]() mutable {
    std::this_thread::sleep_for(delay);
    reply(std::move(r));
  }).detach();
}

http::response twilio_standin::answer(const http::request& req) {
  std::lock_guard<std::mutex> lock(m_);
  const std::string* auth = req.header("authorization");
  if (!auth || *auth != expected_auth_) {
    ++unauthorised_;
    http::response r = http::text_response(401, R"({"code": 20003, "message": "Authenticate"})");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
    return r;
  }
  const std::string prefix = "/2010-04-01/Accounts/" + account_sid_ + "/";
  if (req.path.rfind(prefix, 0) != 0)
    return http::text_response(404, R"({"code": 20404, "message": "The requested resource was not found"})");
  std::string rest = req.path.substr(prefix.size());
  if (req.method == "DELETE") {
    // Twilio deletes a recording and answers 204; 404 when there is none.
    if (rest.rfind("Recordings/", 0) != 0 || !ends_with(rest, ".json"))
      return http::text_response(405, R"({"code": 20004, "message": "Method not allowed"})");
    auto it = recordings_.find(rest.substr(11, rest.size() - 11 - 5));
    if (it == recordings_.end())
      return http::text_response(404, R"({"code": 20404})");
    if (++it->second.deletes > 1)
      return http::text_response(404, R"({"code": 20404})"); // deleted already
    http::response gone;
    gone.status = 204;
    return gone;
  }
  if (rest.rfind("Recordings/", 0) == 0 && ends_with(rest, ".wav")) {
    auto sid = rest.substr(11, rest.size() - 11 - 4);
    auto it = recordings_.find(sid);
    if (it == recordings_.end())
      return http::text_response(404, R"({"code": 20404})");
    auto& r = it->second;
    ++r.requests;
    r.last_query = req.query;
    if (r.requests <= r.not_ready_first)
      return http::text_response(404, R"({"code": 20404, "message": "not ready"})");
    std::ifstream in(r.path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    http::response ok;
    ok.content_type = "audio/x-wav";
    ok.body = bytes.str();
    return ok;
  }
  if (rest == "Recordings.json") {
    // The account's recordings, two to a page: `Page=k` in the query.
    account_list_queries_.push_back(req.query);
    std::size_t page = 0;
    if (auto at = req.query.find("Page="); at != std::string::npos && (at == 0 || req.query[at - 1] == '&'))
      page = static_cast<std::size_t>(std::stoi(req.query.substr(at + 5)));
    nlohmann::json items = nlohmann::json::array();
    for (std::size_t i = 2 * page; i < lost_.size() && i < 2 * page + 2; ++i)
      items.push_back({{"sid", lost_[i].second},
                       {"call_sid", lost_[i].first},
                       {"account_sid", account_sid_},
                       {"status", "completed"},
                       {"channels", 1},
                       {"duration", "3"},
                       {"uri", prefix + "Recordings/" + lost_[i].second + ".json"}});
    nlohmann::json next = nullptr;
    if (2 * page + 2 < lost_.size()) {
      std::string base_query = req.query.substr(0, req.query.find("&Page="));
      next = prefix + "Recordings.json?" + base_query + "&Page=" + std::to_string(page + 1);
    }
    http::response ok;
    ok.content_type = "application/json";
    ok.body = nlohmann::json{{"recordings", items}, {"page", page}, {"page_size", 2}, {"next_page_uri", next}}
                  .dump();
    return ok;
  }
  if (rest.rfind("Calls/", 0) == 0 && ends_with(rest, "/Recordings.json")) {
    // Twilio's list resource: one page, the recordings listed so far.
    auto sid = rest.substr(6, rest.size() - 6 - 16);
    auto& list = call_recordings_[sid];
    ++list.list_requests;
    nlohmann::json items = nlohmann::json::array();
    if (list.list_requests > list.listed_after)
      for (const auto& rec : list.recording_sids)
        items.push_back({{"sid", rec},
                         {"call_sid", sid},
                         {"account_sid", account_sid_},
                         {"status", "completed"},
                         {"channels", 1},
                         {"duration", "3"},
                         {"source", "DialVerb"},
                         {"uri", prefix + "Recordings/" + rec + ".json"}});
    http::response ok;
    ok.content_type = "application/json";
    ok.body =
        nlohmann::json{{"recordings", items}, {"page", 0}, {"page_size", 50}, {"next_page_uri", nullptr}}
            .dump();
    return ok;
  }
  if (rest.rfind("Calls/", 0) == 0 && ends_with(rest, ".json")) {
    auto sid = rest.substr(6, rest.size() - 6 - 5);
    auto it = calls_.find(sid);
    if (it == calls_.end())
      return http::text_response(404, R"({"code": 20404})");
    ++it->second.requests;
    http::response ok;
    ok.content_type = "application/json";
    ok.body =
        nlohmann::json{{"sid", sid},          {"account_sid", account_sid_},       {"from", it->second.from},
                       {"to", it->second.to}, {"direction", it->second.direction}, {"status", "completed"}}
            .dump();
    return ok;
  }
  return http::text_response(404, R"({"code": 20404})");
}

} // namespace callscribe::app
