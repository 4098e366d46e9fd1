// Several nodes on one PostgreSQL: callbacks to any node, duplicates across
// nodes, a node killed with kill -9 in the middle; and nodes racing to
// migrate. Real processes, a real PostgreSQL (tests/pg/pg_server.sh).
#define BOOST_TEST_MODULE nodes
#include <boost/test/unit_test.hpp>

#include "tests/e2e/cluster.hpp"

#include <random>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>

using namespace callscribe;
using namespace callscribe::testing;
using namespace callscribe::testing::e2e;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(three_nodes_finish_300_jobs_once_each_while_one_is_killed) {
  cluster c("three", pg_url_from_environment());
  // A transcription takes 50 ms here, so each node holds jobs (its prefetch
  // window, under lease) at the moment one is killed.
  for (int i = 0; i < 3; ++i)
    c.start_node(i, "sh -c 'sleep 0.05; echo I need a locksmith in Boston' {file}");
  constexpr int jobs = 300;
  std::mt19937 pick(20261125);
  std::vector<int> alive{0, 1, 2};
  int duplicates = 0;
  auto post = [&](int n) {
    c.add_recording(n);
    BOOST_TEST(c.post_recording(n, *c.nodes[static_cast<std::size_t>(alive[pick() % alive.size()])]) == 200,
               "job " << n);
    if (n % 4 == 0) { // Twilio's retry, to whichever node the balancer picks
      BOOST_TEST(c.post_recording(n, *c.nodes[static_cast<std::size_t>(alive[pick() % alive.size()])]) == 200,
                 "job " << n << " again");
      ++duplicates;
    }
  };
  for (int n = 1; n <= jobs / 2; ++n)
    post(n);
  // kill -9 node-1 in the middle: its leased jobs go to the others once its
  // leases (5 s here) run out; the balancer stops sending it callbacks.
  BOOST_REQUIRE(wait_until([&] { return c.jobs_in("done") >= jobs / 5; }, 120s));
  const auto done_at_kill = c.jobs_in("done");
  std::vector<long long> held;
  {
    auto d = c.db();
    long long id = 0;
    soci::statement st =
        (d.session().prepare
             << "SELECT id FROM recording_jobs WHERE lease_owner = 'node-1' AND state <> 'done'",
         soci::into(id));
    st.execute();
    while (st.fetch())
      held.push_back(id);
  }
  const auto held_at_kill = static_cast<long long>(held.size());
  c.nodes[1]->kill9();
  alive = {0, 2};
  BOOST_TEST_MESSAGE("killed node-1 with " << done_at_kill << " of " << jobs << " jobs done, holding "
                                           << held_at_kill);
  BOOST_TEST(held_at_kill > 0); // else the kill tested nothing
  for (int n = jobs / 2 + 1; n <= jobs; ++n)
    post(n);
  BOOST_TEST(c.count("SELECT COUNT(*) FROM recording_jobs") == jobs); // one job per recording
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return c.jobs_in("done") + c.jobs_in("dead") >= jobs; }, 240s),
                        "only " << c.jobs_in("done") << " done; node-0 log tail:\n"
                                << c.nodes[0]->log().substr(c.nodes[0]->log().size() > 3000
                                                                ? c.nodes[0]->log().size() - 3000
                                                                : 0));
  BOOST_TEST(c.jobs_in("done") == jobs);
  BOOST_TEST(c.jobs_in("dead") == 0);
  BOOST_TEST(c.count("SELECT COUNT(*) FROM leads") == jobs); // each call from its own caller
  BOOST_TEST(c.count("SELECT COUNT(*) FROM leads WHERE service_type = 'locksmith' AND city = 'Boston, MA'") ==
             jobs);
  // No job reached a lead twice: one lead_writer event per job, whichever node.
  BOOST_TEST(c.count("SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE actor = 'lead_writer' AND "
                     "event = 'done' GROUP BY job_id HAVING COUNT(*) > 1) twice") == 0);
  BOOST_TEST(
      c.count(
          "SELECT COUNT(DISTINCT job_id) FROM job_events WHERE actor = 'lead_writer' AND event = 'done'") ==
      jobs);
  BOOST_TEST(
      c.count("SELECT COUNT(*) FROM recording_jobs WHERE lease_owner <> '' OR lease_expires_at <> 0") == 0);
  // The work was shared, and the survivors finished what node-1 held.
  // Jobs node-1 held when it died were finished by the others (one may have
  // committed in the instant before the kill).
  long long taken_over = 0;
  for (auto id : held)
    taken_over +=
        c.count("SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND node <> 'node-1' AND "
                "job_id = " +
                std::to_string(id));
  BOOST_TEST(taken_over >= 1, "none of node-1's " << held_at_kill << " jobs was finished by another node");
  BOOST_TEST_MESSAGE(taken_over << " of node-1's " << held_at_kill << " jobs finished by node-0 or node-2");
  for (const char* node : {"node-0", "node-2"})
    BOOST_TEST(
        c.count(std::string("SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND node = '") +
                node + "'") > 0,
        node << " wrote no lead");
  BOOST_TEST_MESSAGE(
      "leads written by node-0/1/2: "
      << c.count("SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND node = 'node-0'") << "/"
      << c.count("SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND node = 'node-1'") << "/"
      << c.count("SELECT COUNT(*) FROM job_events WHERE actor = 'lead_writer' AND node = 'node-2'")
      << "; jobs claimed on two nodes: "
      << c.count("SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE event = 'claimed' GROUP BY "
                 "job_id HAVING COUNT(DISTINCT node) > 1) moved")
      << "; duplicates posted: " << duplicates);
  for (int i : {0, 2})
    BOOST_TEST(c.nodes[static_cast<std::size_t>(i)]->terminate() == 0);
}

BOOST_AUTO_TEST_CASE(two_nodes_racing_to_migrate_make_one_schema_without_error) {
  cluster c("migrate", pg_url_from_environment());
  auto migrate = [&](int i) {
    auto log = (c.dir / ("migrate-" + std::to_string(i) + ".log")).string();
    std::string command = std::string("CALLSCRIBE_DB_URL='") + c.db_url +
                          "' " CALLSCRIBE_BINARY_DIR "/callscribe migrate > " + log + " 2>&1";
    return std::system(command.c_str());
  };
  for (int round = 0; round < 3; ++round) {
    if (round > 0)
      c.reset_schema(); // the race is on the first migration
    int rc[2] = {-1, -1};
    std::thread a([&] { rc[0] = migrate(0); }), b([&] { rc[1] = migrate(1); });
    a.join();
    b.join();
    for (int i : {0, 1}) {
      std::ifstream in(c.dir / ("migrate-" + std::to_string(i) + ".log"));
      std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      BOOST_TEST(rc[i] == 0, "migrate " << i << " (round " << round << "): " << said);
    }
    BOOST_TEST(c.count("SELECT COUNT(*) FROM schema_migrations") == storage::latest_schema_version());
    BOOST_TEST(c.count("SELECT MAX(version) FROM schema_migrations") == storage::latest_schema_version());
  }
}

BOOST_AUTO_TEST_CASE(a_second_process_with_a_nodes_id_is_refused_and_a_killed_node_gets_it_back_at_once) {
  cluster c("ids", pg_url_from_environment(), 60); // leases (and so node ids) last a minute here
  auto& node = c.start_node(0);
  // The same node.id from another folder: refused, saying who has it.
  const auto twin_home = c.dir / "twin";
  fs::create_directories(twin_home);
  server_process twin(twin_home, c.node_env(0, cluster::instant_engine, twin_home));
  BOOST_CHECK_THROW(twin.start(), std::runtime_error);
  BOOST_TEST(twin.log().find("another callscribe runs as node.id=node-0") != std::string::npos, twin.log());
  BOOST_TEST(twin.log().find("give each node its own node.id") != std::string::npos);
  // kill -9 and start again at once: its own dead pid does not hold the id,
  // and it takes back its leases and works.
  node.kill9();
  node.start();
  c.add_recording(1);
  BOOST_TEST(c.post_recording(1, node) == 200);
  BOOST_TEST(wait_until([&] { return c.jobs_in("done") == 1; }, 60s));
  BOOST_TEST(node.terminate() == 0);
  // A clean stop frees the id at once.
  BOOST_TEST(c.count("SELECT COUNT(*) FROM nodes WHERE node_id = 'node-0'") == 0);
  for (const auto* log : {&node, &twin})
    BOOST_TEST(log->log().find(cluster::db_password) == std::string::npos,
               "the database password reached a log");
}
