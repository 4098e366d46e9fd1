#include "storage/node_registry.hpp"

#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace callscribe::storage {

node_identity this_process(const std::string& node_id) {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return node_identity{node_id, host, static_cast<std::int64_t>(::getpid())};
}

bool process_alive(std::int64_t pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

registration register_node(database& db, const node_identity& me, std::int64_t now_us,
                           std::int64_t stale_after_us, const std::function<bool(std::int64_t pid)>& alive) {
  return guarded("registering node " + me.node_id, [&] {
    write_transaction tx(db);
    auto& sql = db.session();
    std::string host, started_at;
    long long pid = 0, seen_at = 0;
    const std::string lock = db.is_sqlite() ? "" : " FOR UPDATE";
    sql << "SELECT host, pid, started_at, seen_at FROM nodes WHERE node_id = :id" + lock,
        soci::use(me.node_id), soci::into(host), soci::into(pid), soci::into(started_at), soci::into(seen_at);
    if (sql.got_data()) {
      const bool same_process = host == me.host && pid == me.pid;
      const bool fresh = now_us - seen_at < stale_after_us;
      const bool dead_here = host == me.host && !alive(pid);
      if (!same_process && fresh && !dead_here) {
        registration r;
        r.refusal = "another callscribe runs as node.id=" + me.node_id + " (host " + host + ", pid " +
                    std::to_string(pid) + ", started " + started_at + ", seen " +
                    std::to_string((now_us - seen_at) / 1000000) + " s ago); give each node its own node.id";
        return r;
      }
    }
    long long my_pid = me.pid, now = now_us;
    const std::string started = iso8601_utc(now_us);
    sql << "INSERT INTO nodes (node_id, host, pid, started_at, seen_at) VALUES (:id, :host, :pid, :started, "
           ":seen) "
           "ON CONFLICT (node_id) DO UPDATE SET host = excluded.host, pid = excluded.pid, "
           "started_at = excluded.started_at, seen_at = excluded.seen_at",
        soci::use(me.node_id), soci::use(me.host), soci::use(my_pid), soci::use(started), soci::use(now);
    tx.commit();
    return registration{true, ""};
  });
}

bool node_seen(database& db, const node_identity& me, std::int64_t now_us) {
  return guarded("noting node " + me.node_id + " alive", [&] {
    long long pid = me.pid, now = now_us;
    soci::statement st = (db.session().prepare << "UPDATE nodes SET seen_at = :now WHERE node_id = :id AND "
                                                  "host = :host AND pid = :pid",
                          soci::use(now), soci::use(me.node_id), soci::use(me.host), soci::use(pid));
    st.execute(true);
    return st.get_affected_rows() == 1;
  });
}

void unregister_node(database& db, const node_identity& me) {
  guarded("unregistering node " + me.node_id, [&] {
    long long pid = me.pid;
    db.session() << "DELETE FROM nodes WHERE node_id = :id AND host = :host AND pid = :pid",
        soci::use(me.node_id), soci::use(me.host), soci::use(pid);
  });
}

} // namespace callscribe::storage
