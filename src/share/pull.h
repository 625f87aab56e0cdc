// `tocsin share pull`: a TAXII 2.1 collection's objects into the sensor's intel folder, one
// STIX bundle file per page, resumable after any interruption.
//
// Layout of the store folder (the folder `tocsin run --intel` reads):
//   STORE/<name>/page-0000000001.json ...   one bundle per page, numbered in pull order
//   STORE/.<name>.pull-state                where the next pull starts (JSON, hidden)
// <name> comes from the API root and the collection (local_name). The state names the next
// page file and the paging position (`added_after`, or a pending `next` token and the
// `added_after` it belongs to); it is rewritten only once the page it accounts for is on disk,
// so a pull killed at any instant re-fetches at most the page it was writing, into the same
// file name, and never skips one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "share/credentials.h"
#include "share/messages.h"
#include "share/taxii_client.h"

namespace tocsin::share {

struct PullOptions {
    std::string url;         // API root (or discovery) URL
    std::string collection;  // collection id
    std::filesystem::path store;
    Credentials credentials;
    TransportOptions transport;
    unsigned limit = 500;    // objects asked for per page (`limit`)
    unsigned max_pages = 0;  // pages requested in this run at most; 0: until the end
};

struct PullResult {
    bool ok = false;
    std::size_t pages = 0;    // page files written in this run
    std::size_t objects = 0;  // objects in them
    std::filesystem::path folder;
    std::string error;  // when !ok; the state still describes every page written
};

PullResult pull_collection(const PullOptions& options, const Messages& messages);

// What the state file holds.
struct PullState {
    std::string api_root;          // the API root URL the pages came from
    std::string collection;        // and the collection
    std::uint64_t next_file = 1;   // number of the next page file
    std::uint64_t objects = 0;     // objects written so far
    std::string added_after;       // resume point: everything added up to this instant is on disk
    std::string next;              // a paging token of an unfinished request, or empty
    std::string next_added_after;  // the `added_after` that request was made with

    bool operator==(const PullState&) const = default;
};

std::string format_pull_state(const PullState& state);
std::optional<PullState> parse_pull_state(std::string_view text, std::string& error);

// "page-0000000042.json"
std::string page_file_name(std::uint64_t number);

}  // namespace tocsin::share
