#include "storage/reconcile_mark.hpp"

#include "storage/transaction.hpp"

#include <soci/soci.h>

namespace callscribe::storage {

std::optional<std::string> reconcile_mark(database& db, const std::string& account_sid) {
  return guarded("reading the reconciliation mark", [&]() -> std::optional<std::string> {
    std::string day;
    db.session() << "SELECT since_day FROM reconcile_marks WHERE account_sid = :a", soci::use(account_sid),
        soci::into(day);
    if (!db.session().got_data())
      return std::nullopt;
    return day;
  });
}

void set_reconcile_mark(database& db, const std::string& account_sid, const std::string& since_day) {
  guarded("storing the reconciliation mark", [&] {
    const std::string now = iso8601_utc(now_us());
    db.session() << "INSERT INTO reconcile_marks (account_sid, since_day, updated_at) VALUES (:a, :d, :t) "
                    "ON CONFLICT (account_sid) DO UPDATE SET since_day = excluded.since_day, "
                    "updated_at = excluded.updated_at",
        soci::use(account_sid), soci::use(since_day), soci::use(now);
  });
}

std::string utc_day(std::int64_t us) {
  return iso8601_utc(us).substr(0, 10);
}

} // namespace callscribe::storage
