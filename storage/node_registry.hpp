// The nodes running on one database (table `nodes`): leases are keyed by
// node.id, so two live processes with one node.id would take each other's
// jobs for their own. A node registers at start and is refused while another
// live process holds its id; it says it is alive as it renews its leases.
#pragma once

#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace callscribe::storage {

struct node_identity {
  std::string node_id;
  std::string host;
  std::int64_t pid = 0;
};

// This process as node `node_id`: the host name and the pid.
node_identity this_process(const std::string& node_id);

// Whether process `pid` of this host still runs.
bool process_alive(std::int64_t pid);

struct registration {
  bool ok = false;
  std::string refusal; // why not, for the operator: who holds the id, seen when
};

// Takes `me.node_id` unless another process holds it: one seen within
// `stale_after_us` of `now_us`, and not a process of this host that `alive`
// says is gone (a node restarted after kill -9 gets its id back at once).
registration register_node(database& db, const node_identity& me, std::int64_t now_us,
                           std::int64_t stale_after_us, const std::function<bool(std::int64_t pid)>& alive);

// This node is alive (its leases are renewed too); false when another
// process has taken the id meanwhile (this one was presumed dead).
bool node_seen(database& db, const node_identity& me, std::int64_t now_us);

// A clean stop: the id is free at once.
void unregister_node(database& db, const node_identity& me);

} // namespace callscribe::storage
