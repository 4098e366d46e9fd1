// The nodes table: one live process per node.id.
#include <boost/test/unit_test.hpp>

#include "storage/node_registry.hpp"
#include "tests/storage/scratch_db.hpp"

using namespace callscribe::storage;
using callscribe::storage::test::scratch_db;

namespace {

constexpr std::int64_t second = 1'000'000;
auto everyone_alive = [](std::int64_t) { return true; };
auto everyone_dead = [](std::int64_t) { return false; };

} // namespace

BOOST_AUTO_TEST_CASE(a_second_live_process_is_refused_the_id_and_told_who_has_it) {
  scratch_db s;
  const node_identity first{"node-a", "host-1", 100}, second_process{"node-a", "host-2", 200};
  const std::int64_t t0 = 1'800'000'000 * second;
  BOOST_TEST(register_node(s.db, first, t0, 60 * second, everyone_alive).ok);
  auto refused = register_node(s.db, second_process, t0 + 10 * second, 60 * second, everyone_alive);
  BOOST_TEST(!refused.ok);
  BOOST_TEST(refused.refusal.find("node.id=node-a") != std::string::npos, refused.refusal);
  BOOST_TEST(refused.refusal.find("host host-1, pid 100") != std::string::npos, refused.refusal);
  BOOST_TEST(refused.refusal.find("seen 10 s ago") != std::string::npos, refused.refusal);
  // Another id is free; the same process may register again.
  BOOST_TEST(register_node(s.db, node_identity{"node-b", "host-2", 200}, t0, 60 * second, everyone_alive).ok);
  BOOST_TEST(register_node(s.db, first, t0 + 20 * second, 60 * second, everyone_alive).ok);
}

BOOST_AUTO_TEST_CASE(the_id_frees_when_its_holder_goes_silent_dies_on_this_host_or_stops) {
  scratch_db s;
  const node_identity old_one{"node-a", "host-1", 100};
  const std::int64_t t0 = 1'800'000'000 * second;
  BOOST_TEST(register_node(s.db, old_one, t0, 60 * second, everyone_alive).ok);
  // Alive and seen: still held.
  BOOST_TEST(node_seen(s.db, old_one, t0 + 50 * second));
  BOOST_TEST(!register_node(s.db, node_identity{"node-a", "host-2", 7}, t0 + 100 * second, 60 * second,
                            everyone_alive)
                  .ok);
  // Silent for longer than a lease: another host takes it, and the old one learns so.
  const node_identity other_host{"node-a", "host-2", 7};
  BOOST_TEST(register_node(s.db, other_host, t0 + 111 * second, 60 * second, everyone_alive).ok);
  BOOST_TEST(!node_seen(s.db, old_one, t0 + 112 * second));
  // kill -9 and a restart on the same host: the dead pid's id is taken at once.
  const node_identity restarted{"node-a", "host-2", 8};
  BOOST_TEST(register_node(s.db, restarted, t0 + 112 * second, 60 * second, everyone_dead).ok);
  // A clean stop frees it for anyone.
  unregister_node(s.db, restarted);
  BOOST_TEST(register_node(s.db, node_identity{"node-a", "host-9", 1}, t0 + 113 * second, 60 * second,
                           everyone_alive)
                 .ok);
}
