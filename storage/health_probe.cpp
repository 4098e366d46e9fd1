#include "storage/health_probe.hpp"

#include "storage/transaction.hpp"

#include <soci/soci.h>

#include <cstdint>

namespace callscribe::storage {

void probe_write(database& db, const std::string& node_id) {
  guarded("writing to the database", [&] {
    // A value that changes each time: SQLite skips the write of an UPDATE
    // that leaves a row as it was, and that would prove nothing.
    const std::int64_t at = now_us();
    db.session() << "INSERT INTO health_probes (node_id, probed_at) VALUES (:n, :t) "
                    "ON CONFLICT (node_id) DO UPDATE SET probed_at = excluded.probed_at",
        soci::use(node_id), soci::use(at);
  });
}

} // namespace callscribe::storage
