// businesses (upserted from businesses.json at start) and calls (who a call
// belongs to, kept so later callbacks without numbers can be resolved).
#include "storage/business_store.hpp"
#include "storage/prepared.hpp"
#include "storage/transaction.hpp"

#include <soci/soci.h>

namespace callscribe::storage {

namespace {

const std::string business_columns =
    "SELECT id, name, phone_number, forward_to, language, places_json, services_json FROM businesses ";

// One row of business_columns, bound by position.
struct business_row {
  business b;
  long long id = 0;
  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(b.name));
    st.exchange(soci::into(b.phone_number));
    st.exchange(soci::into(b.forward_to));
    st.exchange(soci::into(b.language));
    st.exchange(soci::into(b.places_json));
    st.exchange(soci::into(b.services_json));
  }
  business record() const {
    business out = b;
    out.id = id;
    return out;
  }
};

// `params` bind the placeholders of `where`, in order.
template <class... Params>
std::vector<business> select_businesses(soci::session& sql, const std::string& where,
                                        const Params&... params) {
  std::vector<business> out;
  business_row row;
  soci::statement st(sql);
  row.bind(st);
  (st.exchange(soci::use(params)), ...);
  st.alloc();
  st.prepare(business_columns + where + " ORDER BY id");
  st.define_and_bind();
  st.execute(false);
  while (st.fetch())
    out.push_back(row.record());
  return out;
}

// The intake's queries, prepared once per connection (storage/prepared.hpp):
// every callback runs them.
struct business_by_phone {
  std::string phone_number;
  business_row row;
  static std::string sql() { return business_columns + "WHERE phone_number = :phone"; }
  void bind(soci::statement& st) {
    row.bind(st);
    st.exchange(soci::use(phone_number));
  }
};

// Callbacks arrive with different subsets of the fields: what one leaves
// empty must not erase what another told us.
struct upsert_call {
  call_record c;
  long long business_id = 0;
  soci::indicator business_ind = soci::i_null;
  std::string now;
  static const char* sql() {
    return "INSERT INTO calls (call_sid, business_id, from_number, to_number, direction, status, "
           "idempotency_token, created_at, updated_at) VALUES (:call_sid, :business_id, :from_number, "
           ":to_number, :direction, :status, :token, :created_at, :updated_at) "
           "ON CONFLICT (call_sid) DO UPDATE SET "
           "business_id = COALESCE(excluded.business_id, calls.business_id), "
           "from_number = CASE WHEN excluded.from_number = '' THEN calls.from_number "
           "ELSE excluded.from_number END, "
           "to_number = CASE WHEN excluded.to_number = '' THEN calls.to_number "
           "ELSE excluded.to_number END, "
           "direction = CASE WHEN excluded.direction = '' THEN calls.direction "
           "ELSE excluded.direction END, "
           "status = CASE WHEN excluded.status = '' THEN calls.status ELSE excluded.status END, "
           "idempotency_token = CASE WHEN excluded.idempotency_token = '' THEN calls.idempotency_token "
           "ELSE excluded.idempotency_token END, "
           "updated_at = excluded.updated_at";
  }
  void bind(soci::statement& st) {
    st.exchange(soci::use(c.call_sid));
    st.exchange(soci::use(business_id, business_ind));
    st.exchange(soci::use(c.from_number));
    st.exchange(soci::use(c.to_number));
    st.exchange(soci::use(c.direction));
    st.exchange(soci::use(c.status));
    st.exchange(soci::use(c.idempotency_token));
    st.exchange(soci::use(now));
    st.exchange(soci::use(now));
  }
};

struct call_by_sid {
  std::string call_sid;
  call_record c;
  long long business_id = 0;
  soci::indicator business_ind = soci::i_null;
  static const char* sql() {
    return "SELECT call_sid, business_id, from_number, to_number, direction, status, idempotency_token "
           "FROM calls WHERE call_sid = :call_sid";
  }
  void bind(soci::statement& st) {
    st.exchange(soci::into(c.call_sid));
    st.exchange(soci::into(business_id, business_ind));
    st.exchange(soci::into(c.from_number));
    st.exchange(soci::into(c.to_number));
    st.exchange(soci::into(c.direction));
    st.exchange(soci::into(c.status));
    st.exchange(soci::into(c.idempotency_token));
    st.exchange(soci::use(call_sid));
  }
};

} // namespace

business_store::business_store(database& db) : db_(db) {}

std::int64_t business_store::upsert(const business& b) {
  return guarded("storing business " + b.phone_number, [&]() -> std::int64_t {
    std::string now = iso8601_utc(now_us());
    long long id = 0;
    db_.session()
        << "INSERT INTO businesses (name, phone_number, forward_to, language, places_json, "
           "services_json, created_at, updated_at) "
           "VALUES (:name, :phone, :forward_to, :language, :places, :services, :created_at, :updated_at) "
           "ON CONFLICT (phone_number) DO UPDATE SET name = excluded.name, "
           "forward_to = excluded.forward_to, language = excluded.language, "
           "places_json = excluded.places_json, services_json = excluded.services_json, "
           "updated_at = excluded.updated_at RETURNING id",
        soci::use(b.name), soci::use(b.phone_number), soci::use(b.forward_to), soci::use(b.language),
        soci::use(b.places_json), soci::use(b.services_json), soci::use(now), soci::use(now), soci::into(id);
    return id;
  });
}

std::optional<business> business_store::find(std::int64_t id) {
  return guarded("reading business " + std::to_string(id), [&]() -> std::optional<business> {
    long long business_id = id;
    auto rows = select_businesses(db_.session(), "WHERE id = :id", business_id);
    if (rows.empty())
      return std::nullopt;
    return rows.front();
  });
}

std::optional<business> business_store::find_by_phone(const std::string& phone_number) {
  return guarded("reading business " + phone_number, [&]() -> std::optional<business> {
    prepared<business_by_phone> q(db_);
    q->phone_number = phone_number;
    if (!q.run())
      return std::nullopt;
    return q->row.record();
  });
}

std::vector<business> business_store::all() {
  return guarded("reading businesses", [&] { return select_businesses(db_.session(), ""); });
}

call_store::call_store(database& db) : db_(db) {}

void call_store::upsert(const call_record& c) {
  guarded("storing call " + c.call_sid, [&] {
    prepared<upsert_call> q(db_);
    q->c = c;
    q->business_id = c.business_id.value_or(0);
    q->business_ind = c.business_id ? soci::i_ok : soci::i_null;
    q->now = iso8601_utc(now_us());
    q.run();
  });
}

std::optional<call_record> call_store::find(const std::string& call_sid) {
  return guarded("reading call " + call_sid, [&]() -> std::optional<call_record> {
    prepared<call_by_sid> q(db_);
    q->call_sid = call_sid;
    if (!q.run())
      return std::nullopt;
    call_record out = q->c;
    out.business_id =
        q->business_ind == soci::i_ok ? std::optional<std::int64_t>(q->business_id) : std::nullopt;
    return out;
  });
}

} // namespace callscribe::storage
