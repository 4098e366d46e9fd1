// Whether the database takes writes now: a read (ping) still works on a
// read-only file or a full disk, so readiness and the reconciler's retry
// write one small row of their own (table `health_probes`, migration 9).
#pragma once

#include "storage/database.hpp"

#include <string>

namespace callscribe::storage {

// Commits `node_id`'s probe row; throws storage_error, naming the
// database's complaint, when the write cannot be made durable.
void probe_write(database& db, const std::string& node_id);

} // namespace callscribe::storage
