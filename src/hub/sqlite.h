// A thin RAII layer over SQLite: a connection with its pragmas and a cache of prepared
// statements, statements that reset themselves after use, and a write transaction that rolls
// back unless committed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace tocsin::hub {

class SqliteError : public std::runtime_error {
  public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

// A prepared statement. Binding indexes start at 1, columns at 0.
class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql, bool persistent);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind_null(int index);
    // True while a row is available; throws SqliteError on failure.
    bool step();
    void reset();

    std::int64_t int_at(int column) const;
    std::string_view text_at(int column) const;  // valid until the next step/reset
    bool null_at(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// A statement borrowed from a connection's cache (or owned, when the cache is full); reset
// and unbound when the borrow ends.
class StatementUse {
  public:
    explicit StatementUse(Statement& statement) : statement_(&statement) {}
    explicit StatementUse(std::unique_ptr<Statement> owned)
        : owned_(std::move(owned)), statement_(owned_.get()) {}
    ~StatementUse() { statement_->reset(); }
    StatementUse(const StatementUse&) = delete;
    StatementUse& operator=(const StatementUse&) = delete;
    Statement* operator->() { return statement_; }
    Statement& operator*() { return *statement_; }

  private:
    std::unique_ptr<Statement> owned_;
    Statement* statement_;
};

class Database {
  public:
    // Opens (creating when missing) with WAL, synchronous=FULL, foreign keys and a busy timeout.
    explicit Database(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    // Prepared once per connection and kept (the number of distinct texts is bounded by the
    // callers: fixed texts, or generated ones whose variants are few).
    StatementUse prepare(std::string_view sql);
    std::int64_t changes() const;
    sqlite3* handle() { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE: takes the write lock at once, so a transaction never fails halfway on a
// lock upgrade. Rolls back in the destructor unless commit() ran.
class WriteTransaction {
  public:
    explicit WriteTransaction(Database& db);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool open_ = true;
};

}  // namespace tocsin::hub
