#include "hub/store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "core/rfc3339.h"

namespace tocsin::hub {
namespace {

constexpr int kSchemaVersion = 1;
// Status resources are kept a week; older ones are pruned on the next POST.
constexpr std::int64_t kStatusRetentionUs = 7LL * 24 * 3600 * 1000000;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS partners (
  name TEXT PRIMARY KEY,
  organisation TEXT NOT NULL,
  identity TEXT NOT NULL,
  key_id TEXT UNIQUE,
  secret_hash TEXT,
  created INTEGER NOT NULL,
  revoked INTEGER
);
CREATE TABLE IF NOT EXISTS grants (
  partner TEXT NOT NULL REFERENCES partners(name) ON DELETE CASCADE,
  collection TEXT NOT NULL,
  can_read INTEGER NOT NULL,
  can_write INTEGER NOT NULL,
  PRIMARY KEY (partner, collection)
);
CREATE TABLE IF NOT EXISTS versions (
  date_added INTEGER PRIMARY KEY,
  collection TEXT NOT NULL,
  object_id TEXT NOT NULL,
  object_type TEXT NOT NULL,
  version INTEGER NOT NULL,
  version_text TEXT NOT NULL,
  tlp INTEGER NOT NULL,
  creator_partner TEXT NOT NULL,
  creator_identity TEXT NOT NULL,
  creator_org TEXT NOT NULL,
  body TEXT NOT NULL,
  UNIQUE (collection, object_id, version)
);
CREATE INDEX IF NOT EXISTS versions_by_date ON versions(collection, date_added);
CREATE TABLE IF NOT EXISTS statuses (
  id TEXT PRIMARY KEY,
  api_root TEXT NOT NULL,
  partner TEXT NOT NULL,
  created INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statuses_by_age ON statuses(created);
CREATE TABLE IF NOT EXISTS hub_state (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql";

std::int64_t system_now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view value_text(sqlite3_value* value) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(value));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_value_bytes(value))};
}

// tocsin_may_read(tlp, creator_identity, creator_org, default_tlp, reader_identity,
// reader_org, reader_in_community): the TLP rule of tlp.h, evaluated inside queries so that
// invisible versions never reach counts, paging or `more`.
void may_read_function(sqlite3_context* context, int, sqlite3_value** args) {
    auto level = sqlite3_value_int(args[0]);
    if (level == static_cast<int>(Tlp::unmarked)) level = sqlite3_value_int(args[3]);
    bool allowed = false;
    if (level >= static_cast<int>(Tlp::clear) && level <= static_cast<int>(Tlp::red)) {
        const Party creator{value_text(args[1]), value_text(args[2])};
        const Party reader{value_text(args[4]), value_text(args[5])};
        allowed = may_read(static_cast<Tlp>(level), creator, reader, sqlite3_value_int(args[6]));
    }
    sqlite3_result_int(context, allowed ? 1 : 0);
}

void register_functions(Database& db) {
    const int rc = sqlite3_create_function_v2(
        db.handle(), "tocsin_may_read", 7, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
        nullptr, may_read_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw SqliteError(rc, "sqlite: cannot register tocsin_may_read");
}

// Parameters ?1..?6 of every version query: collection, then the reader (see bind_reader).
constexpr std::string_view kVisible =
    "tocsin_may_read({0}.tlp, {0}.creator_identity, {0}.creator_org, ?2, ?3, ?4, ?5)";

std::string visible(std::string_view alias) {
    return fmt::format(fmt::runtime(kVisible), alias);
}

void bind_reader(Statement& s, std::string_view collection, const ReaderContext& reader) {
    s.bind(1, collection);
    s.bind(2, static_cast<std::int64_t>(reader.default_tlp));
    s.bind(3, reader.identity);
    s.bind(4, reader.organisation);
    s.bind(5, static_cast<std::int64_t>(reader.in_community ? 1 : 0));
}

// Builds the text of a query with numbered parameters after the five fixed ones.
class SqlBuilder {
  public:
    std::string sql;
    int next = 6;
    std::vector<std::string_view> texts;  // bound in order, starting at ?6
    std::vector<std::int64_t> numbers;    // bound after the texts

    std::string placeholders(std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) out += fmt::format("{}?{}", i ? "," : "", next++);
        return out;
    }
};

// The match[version] condition on alias v, given the texts of the fixed parameters.
std::string selection_sql(const VersionSelection& selection, SqlBuilder& b,
                          std::size_t exact_count) {
    if (selection.all) return "1";
    std::vector<std::string> parts;
    const auto newer_or_older = [&](std::string_view op) {
        return fmt::format(
            "NOT EXISTS (SELECT 1 FROM versions w WHERE w.collection = v.collection AND "
            "w.object_id = v.object_id AND w.version {} v.version AND {})",
            op, visible("w"));
    };
    if (selection.last) parts.push_back(newer_or_older(">"));
    if (selection.first) parts.push_back(newer_or_older("<"));
    if (exact_count > 0)
        parts.push_back(fmt::format("v.version IN ({})", b.placeholders(exact_count)));
    if (parts.empty()) return "0";
    std::string out = "(";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " OR " : "") + parts[i];
    return out + ")";
}

PartnerRecord read_partner(Statement& s) {
    PartnerRecord p;
    p.name = s.text_at(0);
    p.organisation = s.text_at(1);
    p.identity = s.text_at(2);
    p.key_id = s.text_at(3);
    p.secret_hash = s.text_at(4);
    p.created_us = s.int_at(5);
    if (!s.null_at(6)) p.revoked_us = s.int_at(6);
    return p;
}

void load_grants(Database& db, PartnerRecord& partner) {
    auto s = db.prepare(
        "SELECT collection, can_read, can_write FROM grants WHERE partner = ?1 "
        "ORDER BY collection");
    s->bind(1, partner.name);
    while (s->step())
        partner.grants.push_back(
            {std::string(s->text_at(0)), s->int_at(1) != 0, s->int_at(2) != 0});
}

// Creates the file with mode 0600 before SQLite opens it: it holds API key hashes. SQLite
// gives the -wal and -shm files the mode of the database.
void create_private_file(const std::string& path) {
    if (path == ":memory:" || path.empty()) return;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw StoreError(fmt::format("{}: cannot create the database", path));
    ::close(fd);
}

}  // namespace

bool PartnerRecord::can_read(std::string_view collection) const {
    return std::any_of(grants.begin(), grants.end(),
                       [&](const Grant& g) { return g.collection == collection && g.read; });
}

bool PartnerRecord::can_write(std::string_view collection) const {
    return std::any_of(grants.begin(), grants.end(),
                       [&](const Grant& g) { return g.collection == collection && g.write; });
}

class Store::ReaderLease {
  public:
    ReaderLease(Store& store, std::unique_ptr<Database> db) : store_(store), db_(std::move(db)) {}
    ~ReaderLease() {
        if (db_) store_.release_reader(std::move(db_));
    }
    ReaderLease(ReaderLease&& other) noexcept : store_(other.store_), db_(std::move(other.db_)) {}
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Database& db() { return *db_; }

  private:
    Store& store_;
    std::unique_ptr<Database> db_;
};

Store::Store(const std::string& path, std::size_t readers, std::function<std::int64_t()> clock)
    : path_(path),
      clock_(clock ? std::move(clock) : std::function<std::int64_t()>(system_now_us)),
      max_readers_(std::max<std::size_t>(1, readers)) {
    create_private_file(path_);
    writer_ = open_connection();
    const auto version = [&] {
        auto s = writer_->prepare("PRAGMA user_version");
        return s->step() ? s->int_at(0) : 0;
    }();
    if (version > kSchemaVersion)
        throw StoreError(fmt::format("{}: made by a newer Tocsin (schema {})", path, version));
    WriteTransaction txn(*writer_);
    writer_->exec(kSchema);
    writer_->exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
    txn.commit();
}

Store::~Store() = default;

std::unique_ptr<Database> Store::open_connection() {
    auto db = std::make_unique<Database>(path_);
    register_functions(*db);
    return db;
}

Store::ReaderLease Store::lease_reader() {
    std::unique_lock lock(readers_mutex_);
    reader_released_.wait(lock,
                          [&] { return !idle_readers_.empty() || readers_open_ < max_readers_; });
    if (!idle_readers_.empty()) {
        auto db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return ReaderLease(*this, std::move(db));
    }
    ++readers_open_;
    lock.unlock();
    try {
        return ReaderLease(*this, open_connection());
    } catch (...) {
        std::lock_guard relock(readers_mutex_);
        --readers_open_;
        reader_released_.notify_one();
        throw;
    }
}

void Store::release_reader(std::unique_ptr<Database> db) {
    {
        std::lock_guard lock(readers_mutex_);
        idle_readers_.push_back(std::move(db));
    }
    reader_released_.notify_one();
}

void Store::add_partner(const PartnerRecord& partner) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction txn(*writer_);
    {
        auto exists = writer_->prepare("SELECT 1 FROM partners WHERE name = ?1");
        exists->bind(1, partner.name);
        if (exists->step())
            throw StoreError(fmt::format("a partner named '{}' exists already", partner.name));
    }
    {
        auto s = writer_->prepare(
            "INSERT INTO partners (name, organisation, identity, key_id, secret_hash, created) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        s->bind(1, partner.name).bind(2, partner.organisation).bind(3, partner.identity);
        s->bind(4, partner.key_id).bind(5, partner.secret_hash).bind(6, partner.created_us);
        s->step();
    }
    for (const auto& g : partner.grants) {
        auto s = writer_->prepare(
            "INSERT INTO grants (partner, collection, can_read, can_write) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (partner, collection) DO UPDATE SET can_read = max(can_read, ?3), "
            "can_write = max(can_write, ?4)");
        s->bind(1, partner.name).bind(2, g.collection);
        s->bind(3, std::int64_t{g.read}).bind(4, std::int64_t{g.write});
        s->step();
    }
    txn.commit();
}

std::vector<PartnerRecord> Store::partners() {
    auto lease = lease_reader();
    std::vector<PartnerRecord> out;
    {
        auto s = lease.db().prepare(
            "SELECT name, organisation, identity, key_id, secret_hash, created, revoked "
            "FROM partners ORDER BY name");
        while (s->step()) out.push_back(read_partner(*s));
    }
    for (auto& p : out) load_grants(lease.db(), p);
    return out;
}

bool Store::revoke_partner(std::string_view name) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction txn(*writer_);
    auto s = writer_->prepare(
        "UPDATE partners SET key_id = NULL, secret_hash = NULL, revoked = ?2 "
        "WHERE name = ?1 AND revoked IS NULL");
    s->bind(1, name).bind(2, clock_());
    s->step();
    const bool revoked = writer_->changes() > 0;
    txn.commit();
    return revoked;
}

std::optional<PartnerRecord> Store::active_partner_by_key_id(std::string_view key_id) {
    auto lease = lease_reader();
    std::optional<PartnerRecord> partner;
    {
        auto s = lease.db().prepare(
            "SELECT name, organisation, identity, key_id, secret_hash, created, revoked "
            "FROM partners WHERE key_id = ?1 AND revoked IS NULL");
        s->bind(1, key_id);
        if (s->step()) partner = read_partner(*s);
    }
    if (partner) load_grants(lease.db(), *partner);
    return partner;
}

VersionPage Store::find_versions(const VersionQuery& query) {
    VersionPage page;
    if (query.versions.selects_nothing() || query.limit == 0) return page;
    SqlBuilder b;
    b.sql = fmt::format(
        "SELECT v.date_added, v.object_id, v.version_text{} FROM versions v "
        "WHERE v.collection = ?1 AND v.date_added > ?{} AND {}",
        query.with_body ? ", v.body" : "", b.next++, visible("v"));
    const int after_index = b.next - 1;
    int ids_at = 0, types_at = 0;
    if (!query.ids.empty()) {
        ids_at = b.next;
        b.sql += fmt::format(" AND v.object_id IN ({})", b.placeholders(query.ids.size()));
    }
    if (!query.types.empty()) {
        types_at = b.next;
        b.sql += fmt::format(" AND v.object_type IN ({})", b.placeholders(query.types.size()));
    }
    const int exact_at = b.next;
    b.sql += " AND " + selection_sql(query.versions, b, query.versions.exact.size());
    const int limit_at = b.next++;
    b.sql += fmt::format(" ORDER BY v.date_added LIMIT ?{}", limit_at);

    auto lease = lease_reader();
    auto s = lease.db().prepare(b.sql);
    bind_reader(*s, query.collection, query.reader);
    s->bind(after_index, query.added_after_us);
    for (std::size_t i = 0; i < query.ids.size(); ++i)
        s->bind(ids_at + static_cast<int>(i), query.ids[i]);
    for (std::size_t i = 0; i < query.types.size(); ++i)
        s->bind(types_at + static_cast<int>(i), query.types[i]);
    if (!query.versions.all)
        for (std::size_t i = 0; i < query.versions.exact.size(); ++i)
            s->bind(exact_at + static_cast<int>(i), query.versions.exact[i]);
    s->bind(limit_at, static_cast<std::int64_t>(query.limit) + 1);
    while (s->step()) {
        if (page.rows.size() == query.limit) {
            page.more = true;
            break;
        }
        VersionRow row;
        row.date_added_us = s->int_at(0);
        row.object_id = s->text_at(1);
        row.version_text = s->text_at(2);
        if (query.with_body) row.body = s->text_at(3);
        page.rows.push_back(std::move(row));
    }
    return page;
}

bool Store::object_visible(std::string_view collection, std::string_view object_id,
                           const ReaderContext& reader) {
    auto lease = lease_reader();
    auto s = lease.db().prepare(fmt::format(
        "SELECT 1 FROM versions v WHERE v.collection = ?1 AND v.object_id = ?6 AND {} LIMIT 1",
        visible("v")));
    bind_reader(*s, collection, reader);
    s->bind(6, object_id);
    return s->step();
}

std::size_t Store::delete_versions(std::string_view collection, std::string_view object_id,
                                   const ReaderContext& reader, const VersionSelection& selection) {
    if (selection.selects_nothing()) return 0;
    SqlBuilder b;
    const int id_at = b.next++;
    const int exact_at = b.next;
    const auto condition = selection_sql(selection, b, selection.exact.size());
    const auto sql = fmt::format(
        "DELETE FROM versions WHERE date_added IN (SELECT v.date_added FROM versions v "
        "WHERE v.collection = ?1 AND v.object_id = ?{} AND {} AND {})",
        id_at, visible("v"), condition);
    std::lock_guard lock(writer_mutex_);
    WriteTransaction txn(*writer_);
    std::size_t deleted = 0;
    {
        auto s = writer_->prepare(sql);
        bind_reader(*s, collection, reader);
        s->bind(id_at, object_id);
        if (!selection.all)
            for (std::size_t i = 0; i < selection.exact.size(); ++i)
                s->bind(exact_at + static_cast<int>(i), selection.exact[i]);
        s->step();
        deleted = static_cast<std::size_t>(writer_->changes());
    }
    txn.commit();
    return deleted;
}

void Store::write(const std::function<void(StoreWriter&)>& work) {
    std::lock_guard lock(writer_mutex_);
    WriteTransaction txn(*writer_);
    StoreWriter writer(*writer_, clock_());
    work(writer);
    {
        auto s = writer_->prepare(
            "INSERT INTO hub_state (key, value) VALUES ('last_date_added', ?1) "
            "ON CONFLICT (key) DO UPDATE SET value = ?1");
        s->bind(1, writer.last_date_added_);
        s->step();
    }
    txn.commit();
}

std::optional<std::string> Store::status(std::string_view api_root, std::string_view status_id,
                                         std::string_view partner) {
    auto lease = lease_reader();
    auto s = lease.db().prepare(
        "SELECT body FROM statuses WHERE id = ?1 AND api_root = ?2 AND partner = ?3");
    s->bind(1, status_id).bind(2, api_root).bind(3, partner);
    if (!s->step()) return std::nullopt;
    return std::string(s->text_at(0));
}

StoreWriter::StoreWriter(Database& db, std::int64_t now_us) : db_(db), now_us_(now_us) {
    // The hub's last date_added survives deletions (hub_state), so a value is never issued
    // twice even if the newest version is deleted and the clock steps back.
    std::int64_t last = 0;
    {
        auto s = db_.prepare("SELECT value FROM hub_state WHERE key = 'last_date_added'");
        if (s->step()) last = s->int_at(0);
    }
    {
        auto s = db_.prepare("SELECT max(date_added) FROM versions");
        if (s->step() && !s->null_at(0)) last = std::max(last, s->int_at(0));
    }
    last_date_added_ = last;
}

std::int64_t StoreWriter::next_date_added() {
    // Strictly increasing across the hub: consecutive objects of one POST, or POSTs within the
    // same microsecond, get successive microseconds.
    last_date_added_ = std::max(now_us_, last_date_added_ + 1);
    return last_date_added_;
}

InsertOutcome StoreWriter::insert_version(std::string_view collection, const Creator& creator,
                                          const NewVersion& version) {
    InsertOutcome outcome;
    if (version.version_us) {
        auto s = db_.prepare(
            "SELECT 1 FROM versions WHERE collection = ?1 AND object_id = ?2 AND version = ?3");
        s->bind(1, collection).bind(2, version.object_id).bind(3, *version.version_us);
        if (s->step()) {
            outcome.version_text = version.version_text;
            return outcome;
        }
    }
    const std::int64_t date_added = next_date_added();
    const std::int64_t version_us = version.version_us.value_or(date_added);
    outcome.version_text = version.version_us
                               ? version.version_text
                               : format_rfc3339(Timestamp::from_micros(date_added), 6);
    auto s = db_.prepare(
        "INSERT INTO versions (date_added, collection, object_id, object_type, version, "
        "version_text, tlp, creator_partner, creator_identity, creator_org, body) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    s->bind(1, date_added).bind(2, collection).bind(3, version.object_id).bind(4, version.type);
    s->bind(5, version_us).bind(6, outcome.version_text);
    s->bind(7, static_cast<std::int64_t>(version.tlp));
    s->bind(8, creator.partner).bind(9, creator.identity).bind(10, creator.organisation);
    s->bind(11, version.body);
    s->step();
    outcome.inserted = true;
    return outcome;
}

void StoreWriter::save_status(std::string_view status_id, std::string_view api_root,
                              std::string_view partner, std::string_view body) {
    {
        auto prune = db_.prepare("DELETE FROM statuses WHERE created < ?1");
        prune->bind(1, now_us_ - kStatusRetentionUs);
        prune->step();
    }
    auto s = db_.prepare(
        "INSERT INTO statuses (id, api_root, partner, created, body) VALUES (?1, ?2, ?3, ?4, ?5)");
    s->bind(1, status_id).bind(2, api_root).bind(3, partner).bind(4, now_us_).bind(5, body);
    s->step();
}

}  // namespace tocsin::hub
