// `tocsin share push`: the sightings a run wrote (LOGDIR/sightings.json, a STIX 2.1 bundle) to
// a TAXII 2.1 collection, in envelopes of at most `batch` objects, resumable.
//
// LOGDIR/<name>.push-state lists every object id and version the hub acknowledged (in a status
// resource's successes, or a complete status without failures), so a re-run sends only what
// was not acknowledged: the rest, the objects the hub rejected, and new versions. It is a
// journal (JSON Lines): a header line naming the API root and collection, then one line per
// acknowledged object, appended and fsynced after each answer of the hub (appending keeps a
// long push linear; a line torn by a crash is dropped and cut off when the journal is read).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "share/credentials.h"
#include "share/messages.h"
#include "share/taxii_client.h"

namespace tocsin::share {

// How long a "pending" status is followed: GET {api-root}/status/{id}/ after `first_delay`,
// doubling up to `max_delay`, at most `max_polls` times.
struct PollPolicy {
    int max_polls = 8;
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{30000};
};

struct PushOptions {
    std::string url;         // API root (or discovery) URL
    std::string collection;  // collection id
    std::filesystem::path log_dir;
    Credentials credentials;
    TransportOptions transport;
    unsigned batch = 100;  // objects per envelope at most
    PollPolicy poll;
    std::size_t max_bundle_bytes = 256u << 20;  // sightings.json larger than this is refused
};

struct PushResult {
    bool ok = false;               // everything is acknowledged
    std::size_t total = 0;         // objects in the bundle
    std::size_t already = 0;       // acknowledged by an earlier push
    std::size_t sent = 0;          // sent in this run
    std::size_t acknowledged = 0;  // acknowledged in this run
    std::size_t rejected = 0;      // listed as failures by the hub
    std::size_t pending = 0;       // still pending when polling stopped
    std::string error;             // a failure that stopped the push
};

PushResult push_sightings(const PushOptions& options, const Messages& messages);

struct PushState {
    std::string api_root;
    std::string collection;
    std::map<std::string, std::set<std::string>> acknowledged;  // id -> versions

    bool contains(const std::string& id, const std::string& version) const;
    bool operator==(const PushState&) const = default;
};

// The header line, and the line of one acknowledged object (each ends with '\n').
std::string format_push_state_header(const PushState& state);
std::string format_push_state_entry(const std::string& id, const std::string& version);
// Reads a journal. `complete_bytes` receives the length up to the end of its last complete line
// (shorter than `text` when a crash tore the last line). A damaged complete line is an error.
std::optional<PushState> parse_push_state(std::string_view text, std::string& error,
                                          std::size_t* complete_bytes = nullptr);

}  // namespace tocsin::share
