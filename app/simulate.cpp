#include "app/simulate.hpp"

#include "app/twilio_standin.hpp"
#include "http/fetch.hpp"
#include "http/twilio_form.hpp"
#include "http/twilio_sid.hpp"
#include "http/twilio_signature.hpp"
#include "storage/database.hpp"
#include "storage/job_store.hpp"
#include "storage/lead_store.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

namespace callscribe::app {
namespace {

std::string random_sid(const char* prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%016llx%016llx", prefix, static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::size_t keep(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// POSTs a callback signed as Twilio signs it: over the public URL.
struct posted {
  long status = 0;
  std::string body;
  std::string error;
};
posted post_signed(const config::settings& s, const std::string& server, const std::string& path,
                   const http::form& f) {
  posted out;
  std::string public_url = s.public_url;
  while (!public_url.empty() && public_url.back() == '/')
    public_url.pop_back();
  const std::string signature = http::twilio_signature(s.twilio_auth_token, public_url + path, f);
  std::unique_ptr<CURL, void (*)(CURL*)> c(curl_easy_init(), curl_easy_cleanup);
  const std::string url = server + path, body = http::encode_form(f);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
  headers = curl_slist_append(headers, ("X-Twilio-Signature: " + signature).c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> hold(headers, curl_slist_free_all);
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c.get(), CURLOPT_PROXY, "");
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, keep);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &out.body);
  if (auto rc = curl_easy_perform(c.get()); rc != CURLE_OK)
    out.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

// The loopback port twilio.api-base names, or 0 when it is not loopback http.
std::uint16_t loopback_port(const std::string& api_base) {
  const std::string prefix = "http://127.0.0.1:";
  if (api_base.rfind(prefix, 0) != 0)
    return 0;
  std::string rest = api_base.substr(prefix.size());
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  try {
    std::size_t used = 0;
    int port = std::stoi(rest, &used);
    return used == rest.size() && port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

} // namespace

int simulate_call(const config::invocation& inv) {
  const auto& s = inv.values;
  auto flag = [&inv](const char* name) {
    auto it = inv.flags.find(name);
    return it == inv.flags.end() ? std::string() : it->second;
  };
  const std::string audio = flag("audio"), from = flag("from"), to = flag("to");
  const bool twice = flag("twice") == "true";
  std::string server = flag("server");
  if (server.empty())
    server = "http://" + s.http_host + ":" + std::to_string(s.http_port);
  while (!server.empty() && server.back() == '/')
    server.pop_back();
  auto refuse = [](const std::string& why) {
    std::cerr << "callscribe simulate-call: " << why << "\n";
    return 2;
  };
  if (audio.empty() || from.empty() || to.empty())
    return refuse("give --audio FILE --from +E164 --to +E164");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(audio, ec))
    return refuse("no audio file at " + audio);
  const auto port = loopback_port(s.twilio_api_base);
  if (!port)
    return refuse("twilio.api-base is " + s.twilio_api_base +
                  ": simulate-call plays Twilio on loopback; set twilio.api-base to http://127.0.0.1:PORT "
                  "(the same for serve) and try again");
  if (!http::is_account_sid(s.twilio_account_sid) || s.twilio_auth_token.empty())
    return refuse("set TWILIO_ACCOUNT_SID (AC + 32 hex) and TWILIO_AUTH_TOKEN, the same as the server's: "
                  "the callbacks are signed with them");

  // Twilio's side: the recording and the call, on the port the server asks.
  std::unique_ptr<twilio_standin> twilio;
  try {
    twilio = std::make_unique<twilio_standin>(s.twilio_account_sid, s.twilio_auth_token, port);
  } catch (const std::exception& e) {
    return refuse(std::string("cannot play Twilio on 127.0.0.1:") + std::to_string(port) + ": " + e.what());
  }
  const std::string call_sid = random_sid("CA"), recording_sid = random_sid("RE");
  twilio->add_call_recording(call_sid, recording_sid, audio);
  twilio->add_call(call_sid, from, to, "inbound");
  std::cout << "Twilio on " << twilio->base() << ": call " << call_sid << " from " << from << " to " << to
            << ", recording " << recording_sid << "\n";

  const http::form voice{{"AccountSid", s.twilio_account_sid},
                         {"CallSid", call_sid},
                         {"From", from},
                         {"To", to},
                         {"Direction", "inbound"},
                         {"CallStatus", "ringing"},
                         {"ApiVersion", "2010-04-01"}};
  const http::form recording{
      {"AccountSid", s.twilio_account_sid}, {"CallSid", call_sid},
      {"RecordingSid", recording_sid},      {"RecordingUrl", twilio->recording_url(recording_sid)},
      {"RecordingStatus", "completed"},     {"RecordingDuration", "10"},
      {"RecordingChannels", "1"},           {"RecordingSource", "DialVerb"}};
  http::form completed = voice;
  for (auto& [k, v] : completed)
    if (k == "CallStatus")
      v = "completed";
  // Twilio's order: the call comes in; when it ends, the recording and the
  // call's status (either may come first, and either may come twice).
  const std::vector<std::pair<const char*, const http::form*>> callbacks{
      {"/twilio/voice", &voice},
      {"/twilio/recording-status", &recording},
      {"/twilio/call-status", &completed}};
  for (const auto& [path, f] : callbacks)
    for (int copy = 0; copy < (twice ? 2 : 1); ++copy) {
      auto r = post_signed(s, server, path, *f);
      std::cout << "POST " << path << (copy ? " (again)" : "") << " → " << r.status;
      if (!r.error.empty())
        std::cout << " (" << r.error << ")";
      std::cout << "\n";
      if (!r.error.empty() || r.status != 200) {
        std::cerr << "callscribe simulate-call: the server at " << server << " did not take the callback"
                  << (r.status == 403
                          ? ": is it running with the same TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID and "
                            "http.public-url?"
                          : "")
                  << "\n"
                  << r.body;
        return 1;
      }
    }

  // The job, followed in the server's database, for at most three minutes.
  auto db = storage::database::open(s.db_url, s.db_password);
  std::string last_state;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  std::optional<storage::job_record> job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = storage::job_store(db).find_by_recording_sid(recording_sid);
    if (job) {
      const auto state = storage::to_string(job->state);
      if (state != last_state)
        std::cout << "job " << job->id << ": " << state << "\n";
      last_state = state;
      if (job->state == storage::job_state::done || job->state == storage::job_state::dead)
        break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  if (!job || (job->state != storage::job_state::done && job->state != storage::job_state::dead)) {
    std::cerr
        << "callscribe simulate-call: the job did not finish within three minutes (is the worker on?)\n";
    return 1;
  }
  if (job->state == storage::job_state::dead) {
    std::cerr << "callscribe simulate-call: job " << job->id << " ended dead: " << job->last_error << "\n";
    return 1;
  }
  auto lead = storage::lead_store(db).find_by_call_sid(call_sid);
  if (!lead) {
    std::cerr << "callscribe simulate-call: the job is done but no lead has call " << call_sid << "\n";
    return 1;
  }
  nlohmann::json out{{"lead", lead->id},
                     {"phone", lead->phone},
                     {"service_type", lead->service_type},
                     {"city", lead->city},
                     {"extraction_confidence", lead->extraction_confidence},
                     {"transcript", lead->final_transcript}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

} // namespace callscribe::app
