#include "hub/sqlite.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace tocsin::hub {
namespace {

[[noreturn]] void fail(sqlite3* db, int code, std::string_view doing) {
    throw SqliteError(
        code, fmt::format("sqlite: {}: {}", doing, db ? sqlite3_errmsg(db) : sqlite3_errstr(code)));
}

// Readers never wait for the writer in WAL mode; this bounds how long a writer waits for
// another writer (the partner CLI in another process, or a checkpoint).
constexpr int kBusyTimeoutMs = 10000;
// Statement cache bound per connection: generated filter queries vary in their number of
// parameters; beyond this, statements are prepared for one use.
constexpr std::size_t kMaxCachedStatements = 256;

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "prepare");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    const int rc = sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                                     SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, rc, "step");
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int_at(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string_view Statement::text_at(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

bool Statement::null_at(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Database::Database(const std::string& path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw SqliteError(rc, fmt::format("sqlite: open {}: {}", path, message));
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    // WAL: readers work on a snapshot while one writer appends. synchronous=FULL: the WAL is
    // fsynced at every commit, so an acknowledged POST survives power loss and OS crashes, not
    // only a killed process (NORMAL would lose the last commits on power loss).
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA cache_size=-4096");  // 4 MiB of page cache per connection
}

Database::~Database() {
    cache_.clear();  // statements first: close_v2 would otherwise defer
    sqlite3_close_v2(db_);
}

void Database::exec(std::string_view sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw SqliteError(rc, fmt::format("sqlite: {}", message));
    }
}

StatementUse Database::prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it == cache_.end()) {
        if (cache_.size() >= kMaxCachedStatements)
            return StatementUse(std::make_unique<Statement>(db_, sql, false));
        it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql, true)).first;
    }
    return StatementUse(*it->second);
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(db_);
}

WriteTransaction::WriteTransaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
    if (open_) {
        try {
            db_.exec("ROLLBACK");
        } catch (const SqliteError&) {
            // Nothing more to do: SQLite rolled back already when the error was fatal.
        }
    }
}

void WriteTransaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace tocsin::hub
