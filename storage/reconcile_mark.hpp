// The reconciliation sweep's high-water mark: the day (YYYY-MM-DD, UTC) from
// which the next sweep lists an account's recordings. Durable, so a restart
// neither rescans the account's history nor skips what came while it was down.
#pragma once

#include "storage/database.hpp"

#include <optional>
#include <string>

namespace callscribe::storage {

std::optional<std::string> reconcile_mark(database& db, const std::string& account_sid);
void set_reconcile_mark(database& db, const std::string& account_sid, const std::string& since_day);

// `us` as its UTC day, YYYY-MM-DD.
std::string utc_day(std::int64_t us);

} // namespace callscribe::storage
