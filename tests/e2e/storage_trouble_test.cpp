// The database refuses writes while the server runs: its file made read-only
// (immutable: even root cannot write it), or the disk under the data dir full
// (a small tmpfs). The webhook answers 503 instead of acknowledging what it
// could not store, readiness says why, and when the trouble passes the work
// resumes with nothing lost: Twilio's retry of a refused callback (the
// connection override) is stored, and one Twilio never retries is found by
// the reconciliation sweep, which the refusal brought forward.
// Both need root (chattr +i, mount): without it they are skipped, saying so.
#define BOOST_TEST_MODULE storage_trouble
#include <boost/test/unit_test.hpp>

#include "storage/lead_store.hpp"
#include "tests/e2e/deployment.hpp"

#include <soci/soci.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

namespace {

int sh(const std::string& command) {
  return WEXITSTATUS(std::system((command + " > /dev/null 2>&1").c_str()));
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// Every test server here: a speech engine that answers at once (the tests
// are about storage), the sweep every 10 minutes (so only the one brought
// forward by a refusal can find a lost callback in time), a 4 MiB floor.
std::map<std::string, std::string> quick_engine(std::map<std::string, std::string> more = {}) {
  more.emplace("CALLSCRIBE_STT_ENGINE", "command");
  more.emplace("CALLSCRIBE_STT_COMMAND", "sh -c 'echo I need a locksmith in Boston' {file}");
  more.emplace("CALLSCRIBE_TWILIO_RECONCILE_MINUTES", "10");
  more.emplace("CALLSCRIBE_STORAGE_MIN_FREE_MEGABYTES", "4");
  return more;
}

boost::test_tools::assertion_result can_make_files_immutable(boost::unit_test::test_unit_id) {
  const fs::path probe = fs::temp_directory_path() / ("callscribe-chattr-" + std::to_string(::getpid()));
  { std::ofstream(probe) << "x"; }
  const bool ok = sh("chattr +i " + quoted(probe)) == 0;
  sh("chattr -i " + quoted(probe));
  fs::remove(probe);
  boost::test_tools::assertion_result r(ok);
  r.message() << "chattr +i needs root (CAP_LINUX_IMMUTABLE) on ext2/3/4 or similar: skipped";
  return r;
}

boost::test_tools::assertion_result can_mount(boost::unit_test::test_unit_id) {
  const fs::path probe = fs::temp_directory_path() / ("callscribe-mount-" + std::to_string(::getpid()));
  fs::create_directories(probe);
  const bool ok = sh("mount -t tmpfs -o size=1m callscribe-probe " + quoted(probe)) == 0;
  if (ok)
    sh("umount " + quoted(probe));
  fs::remove(probe);
  boost::test_tools::assertion_result r(ok);
  r.message() << "mounting a small tmpfs needs root (CAP_SYS_ADMIN): skipped";
  return r;
}

http::testing::client_reply post_callback(deployment& d, int n) {
  return post_signed(*d.server, "/twilio/recording-status", recording_callback(*d.twilio, n));
}

nlohmann::json readiness(deployment& d, long* status = nullptr) {
  auto r = http::testing::curl_request("GET", d.server->url("/readyz"));
  if (status)
    *status = r.status;
  return json_of(r);
}

bool ready(deployment& d) {
  long status = 0;
  readiness(d, &status);
  return status == 200;
}

// Every job of `numbers` done exactly once, each with its lead.
void all_done_once(deployment& d, const std::vector<int>& numbers) {
  for (int n : numbers)
    BOOST_TEST(
        wait_until([&] { return d.job_in(n, storage::job_state::done); }, 120s),
        "job " << n << " not done; log tail:\n"
               << d.server->log().substr(d.server->log().size() > 3000 ? d.server->log().size() - 3000 : 0));
  auto db = d.db();
  for (int n : numbers) {
    BOOST_TEST(storage::job_store(db).find_by_call_sid(sid("CA", n)).size() == 1u, "job " << n);
    auto lead = storage::lead_store(db).find_by_call_sid(sid("CA", n));
    BOOST_TEST(lead.has_value(), "lead of " << n);
    if (lead)
      BOOST_TEST(lead->service_type == "locksmith");
  }
  BOOST_TEST(d.job_count() == numbers.size());
}

// A tmpfs of `megabytes` at a fresh folder, gone (lazily) with the test.
struct small_disk {
  fs::path at;
  explicit small_disk(int megabytes)
      : at(fs::temp_directory_path() / ("callscribe-small-disk-" + std::to_string(::getpid()))) {
    fs::create_directories(at);
    BOOST_REQUIRE_MESSAGE(
        sh("mount -t tmpfs -o size=" + std::to_string(megabytes) + "m callscribe-test " + quoted(at)) == 0,
        "cannot mount a tmpfs at " << at);
  }
  ~small_disk() {
    sh("umount -l " + quoted(at));
    std::error_code ec;
    fs::remove_all(at, ec);
  }
  // Writes one file until the disk refuses more; its size.
  std::size_t fill(const fs::path& file) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    BOOST_REQUIRE(fd >= 0);
    const std::string block(64 * 1024, 'f');
    std::size_t written = 0;
    for (;;) {
      auto n = ::write(fd, block.data(), block.size());
      if (n <= 0)
        break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return written;
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_read_only_database_is_refused_with_503_then_nothing_is_lost,
                     *boost::unit_test::precondition(can_make_files_immutable)) {
  deployment d("read-only", quick_engine());
  d.twilio->add_recording(sid("RE", 1), d.wav);
  BOOST_REQUIRE(post_callback(d, 1).status == 200);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(1, storage::job_state::done); }, 60s));
  BOOST_REQUIRE(ready(d));
  // The sweep of the start is over: only one brought forward can find 3 now.
  BOOST_REQUIRE(wait_until(
      [&] { return d.server->log().find("[RECONCILE] 0 recording(s) listed") != std::string::npos; }, 10s));

  const fs::path db_file = d.dir / "db" / "callscribe.db", wal = d.dir / "db" / "callscribe.db-wal";
  const std::string files = quoted(db_file) + " " + quoted(wal);
  BOOST_REQUIRE(sh("chattr +i " + files) == 0);
  // Recording 2's callback Twilio will retry (its URL asks for retries on
  // 5xx); recording 3's it never will, but Twilio lists the recording.
  d.twilio->add_recording(sid("RE", 2), d.wav);
  d.twilio->add_lost_recording(sid("CA", 3), sid("RE", 3), d.wav, caller_of(3), business);
  auto refused = post_callback(d, 2);
  auto refused_too = post_callback(d, 3);
  long status = 0;
  auto why = readiness(d, &status);
  sh("chattr -i " + files); // before any check can end the test
  BOOST_TEST(refused.status == 503, refused.body);
  BOOST_TEST(refused.body.find("could not store") != std::string::npos, refused.body);
  BOOST_TEST(refused_too.status == 503);
  BOOST_TEST(status == 503, why.dump());
  BOOST_TEST(why.dump().find("database: writing to the database") != std::string::npos, why.dump());

  // Writable again: ready, Twilio's retry is stored, the sweep finds the other.
  BOOST_TEST(wait_until([&] { return ready(d); }, 10s));
  BOOST_TEST(post_callback(d, 2).status == 200);
  all_done_once(d, {1, 2, 3});
  BOOST_TEST(d.server->log().find("The database takes writes again") != std::string::npos);
  BOOST_TEST(d.server->log().find("✅ [RECONCILE] Found recording " + sid("RE", 3)) != std::string::npos);
  BOOST_TEST(d.server->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_refused_with_503_and_work_resumes_when_space_returns,
                     *boost::unit_test::precondition(can_mount)) {
  small_disk disk(24);
  const std::string db_url = "sqlite:" + (disk.at / "callscribe.db").string();
  deployment d("full-disk", quick_engine({{"CALLSCRIBE_DB_URL", db_url},
                                          {"CALLSCRIBE_STORAGE_DATA_DIR", (disk.at / "data").string()}}));
  d.db_url = db_url;
  d.twilio->add_recording(sid("RE", 1), d.wav);
  BOOST_REQUIRE(post_callback(d, 1).status == 200);
  BOOST_REQUIRE(wait_until([&] { return d.job_in(1, storage::job_state::done); }, 60s));

  const fs::path filler = disk.at / "filler";
  BOOST_TEST_MESSAGE("filled the disk with " << disk.fill(filler) << " bytes");
  long status = 0;
  auto why = readiness(d, &status);
  BOOST_TEST(status == 503, why.dump());
  BOOST_TEST(why.dump().find("under storage.min-free-megabytes (4)") != std::string::npos, why.dump());

  // Callbacks until the database cannot grow: SQLite may still take some in
  // the room its write-ahead log already has, and those must be kept.
  std::vector<int> acknowledged{1};
  int refused = 0;
  for (int n = 10; n < 1010 && refused == 0; ++n) {
    d.twilio->add_recording(sid("RE", n), d.wav);
    auto reply = post_callback(d, n);
    if (reply.status == 200)
      acknowledged.push_back(n);
    else if (reply.status == 503)
      refused = n;
    else
      BOOST_FAIL("callback " << n << " answered " << reply.status << ": " << reply.body);
  }
  BOOST_TEST_MESSAGE(acknowledged.size() - 1 << " callbacks stored on the full disk before the first 503");
  BOOST_REQUIRE_MESSAGE(refused != 0, "no callback was refused on a full disk");
  BOOST_TEST(!ready(d));

  // Room again: ready, the downloads resume, Twilio's retry is stored.
  fs::remove(filler);
  BOOST_TEST(!d.job(refused).has_value()); // the 503 stored nothing
  BOOST_TEST(wait_until([&] { return ready(d); }, 10s));
  BOOST_TEST(post_callback(d, refused).status == 200);
  acknowledged.push_back(refused);
  all_done_once(d, acknowledged);
  if (acknowledged.size() > 2) // jobs stored while the disk was full waited for room
    BOOST_TEST(d.server->log().find("No new downloads: data dir") != std::string::npos);
  BOOST_TEST(d.server->terminate() == 0);
}
