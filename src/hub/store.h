// The hub's SQLite database: partners and their grants, object versions with who posted them,
// and the status of each POST. One writer connection (a mutex serialises writers in the hub)
// and a small pool of reader connections: in WAL mode readers work on a snapshot and never
// wait for the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hub/sqlite.h"
#include "hub/tlp.h"

namespace tocsin::hub {

class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Grant {
    std::string collection;
    bool read = false;
    bool write = false;
};

struct PartnerRecord {
    std::string name;
    std::string organisation;
    std::string identity;     // identity--<uuid>
    std::string key_id;       // the public half of the API key; empty once revoked
    std::string secret_hash;  // crypto_pwhash_str (argon2id) of the secret half
    std::int64_t created_us = 0;
    std::optional<std::int64_t> revoked_us;
    std::vector<Grant> grants;

    bool can_read(std::string_view collection) const;
    bool can_write(std::string_view collection) const;
};

// The requesting partner as the TLP rule sees it, for one collection.
struct ReaderContext {
    std::string_view identity;
    std::string_view organisation;
    bool in_community = false;
    Tlp default_tlp = Tlp::amber;  // the collection's level for unmarked objects
};

// match[version]: any of last, first, all and exact versions (micros since the epoch).
struct VersionSelection {
    bool all = false;
    bool last = false;
    bool first = false;
    std::vector<std::int64_t> exact;
    bool selects_nothing() const { return !all && !last && !first && exact.empty(); }
};

struct VersionQuery {
    std::string_view collection;
    ReaderContext reader;
    std::vector<std::string> ids;    // empty: any
    std::vector<std::string> types;  // empty: any
    VersionSelection versions;
    std::int64_t added_after_us = -1;  // -1: no lower bound
    std::size_t limit = 100;
    bool with_body = true;
};

struct VersionRow {
    std::int64_t date_added_us = 0;
    std::string object_id;
    std::string version_text;
    std::string body;  // the object as stored (compact JSON); empty unless asked for
};

struct VersionPage {
    std::vector<VersionRow> rows;
    bool more = false;  // further visible versions match the query
};

// One object version to store. `version_us` empty: the object has neither modified nor created
// (an SCO), and its version is its date_added (TAXII 2.1 section 3.2).
struct NewVersion {
    std::string object_id;
    std::string type;
    std::optional<std::int64_t> version_us;
    std::string version_text;
    Tlp tlp = Tlp::unmarked;
    std::string body;
};

struct Creator {
    std::string_view partner;
    std::string_view identity;
    std::string_view organisation;
};

struct InsertOutcome {
    bool inserted = false;  // false: this id and version were already in the collection
    std::string version_text;
};

class Store;

// Writes inside one transaction (Store::write); nothing is visible before it commits.
class StoreWriter {
  public:
    InsertOutcome insert_version(std::string_view collection, const Creator& creator,
                                 const NewVersion& version);
    void save_status(std::string_view status_id, std::string_view api_root,
                     std::string_view partner, std::string_view body);

  private:
    friend class Store;
    StoreWriter(Database& db, std::int64_t now_us);
    std::int64_t next_date_added();
    Database& db_;
    std::int64_t now_us_;
    std::int64_t last_date_added_;
};

class Store {
  public:
    // Opens or creates the database (mode 0600: it holds key hashes). `readers`: reader
    // connections kept at most. `clock` returns micros since the epoch (tests set it).
    explicit Store(const std::string& path, std::size_t readers = 8,
                   std::function<std::int64_t()> clock = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Partners. add_partner throws StoreError when the name is taken (revoked names too: a
    // name identifies the same partner forever in the audit trail).
    void add_partner(const PartnerRecord& partner);
    std::vector<PartnerRecord> partners();
    bool revoke_partner(std::string_view name);
    std::optional<PartnerRecord> active_partner_by_key_id(std::string_view key_id);

    // Objects, as the reader may see them (TLP applied inside the query, so counts, `more`
    // and paging only ever reflect visible versions).
    VersionPage find_versions(const VersionQuery& query);
    bool object_visible(std::string_view collection, std::string_view object_id,
                        const ReaderContext& reader);
    // Deletes the versions of the object the reader may see and `selection` picks; returns
    // how many went.
    std::size_t delete_versions(std::string_view collection, std::string_view object_id,
                                const ReaderContext& reader, const VersionSelection& selection);

    // Runs `work` in one write transaction, committed when it returns (rolled back if it
    // throws). Writers are serialised.
    void write(const std::function<void(StoreWriter&)>& work);
    std::optional<std::string> status(std::string_view api_root, std::string_view status_id,
                                      std::string_view partner);

    std::int64_t now_us() const { return clock_(); }

  private:
    class ReaderLease;
    ReaderLease lease_reader();
    void release_reader(std::unique_ptr<Database> db);
    std::unique_ptr<Database> open_connection();

    std::string path_;
    std::function<std::int64_t()> clock_;
    std::mutex writer_mutex_;
    std::unique_ptr<Database> writer_;
    std::mutex readers_mutex_;
    std::condition_variable reader_released_;
    std::vector<std::unique_ptr<Database>> idle_readers_;
    std::size_t readers_open_ = 0;
    std::size_t max_readers_;
};

}  // namespace tocsin::hub
