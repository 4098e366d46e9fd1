// The webhook's work per callback, without HTTP or actors: checking one
// signed recording-status callback (form, signature, fields), and storing
// callbacks durably through the group commit (storage::record_recordings on
// a fresh SQLite file, WAL, synchronous=FULL) at several batch sizes.
// Usage: callscribe_bench_intake [CALLBACKS (20000)]
#include "http/twilio_callback.hpp"
#include "http/twilio_form.hpp"
#include "http/twilio_signature.hpp"
#include "storage/business_store.hpp"
#include "storage/intake.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace callscribe;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

const std::string account = "AC0123456789abcdef0123456789abcdef";
const std::string business_phone = "+16175550100";

http::form callback_form(int n) {
  char call[40], rec[40], from[20];
  std::snprintf(call, sizeof call, "CA%032x", n);
  std::snprintf(rec, sizeof rec, "RE%032x", n);
  std::snprintf(from, sizeof from, "+1617%07d", n % 10000000);
  return {{"AccountSid", account},
          {"CallSid", call},
          {"RecordingSid", rec},
          {"RecordingUrl", "http://127.0.0.1:9/2010-04-01/Accounts/" + account + "/Recordings/" + rec},
          {"RecordingStatus", "completed"},
          {"RecordingDuration", "30"},
          {"RecordingChannels", "1"},
          {"From", from},
          {"To", business_phone}};
}

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

void bench_checks(int count) {
  http::twilio_settings s{account, "bench-auth-token", "http://127.0.0.1:18181", "http://127.0.0.1:9", true};
  const std::string target = "/twilio/recording-status";
  std::vector<std::string> bodies, signatures;
  for (int n = 1; n <= count; ++n) {
    auto f = callback_form(n);
    bodies.push_back(http::encode_form(f));
    signatures.push_back(http::twilio_signature(s.auth_token, s.public_url + target, f));
  }
  auto start = clock_type::now();
  int ok = 0;
  for (int i = 0; i < count; ++i)
    ok += http::check_recording_callback(s, target, bodies[static_cast<std::size_t>(i)],
                                         signatures[static_cast<std::size_t>(i)])
              .status == 200;
  double all = seconds_since(start);
  start = clock_type::now();
  std::size_t fields = 0;
  for (const auto& body : bodies)
    fields += http::parse_form(body)->size();
  double parse = seconds_since(start);
  if (ok != count || fields == 0) {
    std::fprintf(stderr, "bench_intake: %d of %d callbacks passed the check\n", ok, count);
    std::exit(1);
  }
  std::printf("| check one callback (form, signature, fields) | %.2f µs |\n", all / count * 1e6);
  std::printf("| of which parsing the form | %.2f µs |\n", parse / count * 1e6);
}

void bench_inserts(int count, std::size_t batch, const fs::path& dir) {
  fs::remove_all(dir);
  auto db = storage::database::open("sqlite:" + (dir / "callscribe.db").string());
  db.migrate();
  storage::business b;
  b.name = "Bench Locksmith";
  b.phone_number = business_phone;
  b.language = "en";
  b.places_json = "[]";
  b.services_json = "[]";
  storage::business_store(db).upsert(b);
  std::vector<storage::intake_request> all;
  for (int n = 1; n <= count; ++n) {
    auto f = callback_form(n);
    all.push_back(storage::intake_request{f[1].second, f[2].second, f[3].second, "completed", 30, 1,
                                          f[7].second, business_phone, ""});
  }
  auto start = clock_type::now();
  std::size_t created = 0;
  for (std::size_t i = 0; i < all.size(); i += batch) {
    std::vector<storage::intake_request> part(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(i + batch, all.size())));
    for (const auto& o : storage::record_recordings(db, part))
      created += o.error.empty() && o.result.created;
  }
  double took = seconds_since(start);
  if (created != all.size()) {
    std::fprintf(stderr, "bench_intake: %zu of %zu jobs created\n", created, all.size());
    std::exit(1);
  }
  std::printf("| durable inserts, %zu a transaction | %.0f jobs/s (%d in %.2f s) |\n", batch, count / took,
              count, took);
}

} // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 20000;
  if (count <= 0) {
    std::fprintf(stderr, "usage: %s [CALLBACKS (20000)]\n", argv[0]);
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("callscribe-bench-intake-" + std::to_string(::getpid()));
  std::printf("| figure | value |\n|---|---|\n");
  bench_checks(count);
  // One transaction per callback pays a disk sync each: fewer of them.
  bench_inserts(std::max(1, count / 20), 1, dir);
  for (std::size_t batch : {8u, 64u, 512u})
    bench_inserts(count, batch, dir);
  fs::remove_all(dir);
  return 0;
}
