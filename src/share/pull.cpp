#include "share/pull.h"

#include <chrono>
#include <system_error>

#include <fmt/format.h>

#include "core/rfc3339.h"
#include "share/endpoint.h"
#include "share/stix.h"
#include "share/storage.h"

namespace tocsin::share {
namespace {

constexpr std::string_view kStateFormat = "tocsin-taxii-pull/1";
constexpr std::size_t kMaxStateBytes = 1u << 20;
// Pages in a row without objects and without progress in time: a server paging in circles.
constexpr int kMaxEmptyPagesInARow = 100;

// One answer of GET .../objects/: the envelope and the paging headers.
struct Page {
    Json objects = Json::array();
    std::size_t dropped = 0;  // entries that were not JSON objects
    bool more = false;
    std::string next;
    std::string date_added_last;  // X-TAXII-Date-Added-Last, when valid
};

PullResult failed(PullResult result, std::string error) {
    result.ok = false;
    result.error = std::move(error);
    return result;
}

std::optional<Page> parse_page(const HttpReply& reply, const Messages& messages,
                               std::string& error) {
    Page page;
    if (reply.body.empty()) return page;  // an empty collection may answer with no envelope
    auto envelope = parse_json(reply.body, error);
    if (!envelope) return std::nullopt;
    if (!envelope->is_object()) {
        error = "the answer is not a TAXII envelope (not a JSON object)";
        return std::nullopt;
    }
    if (const auto objects = envelope->find("objects"); objects != envelope->end()) {
        if (!objects->is_array()) {
            error = "the envelope's 'objects' is not a list";
            return std::nullopt;
        }
        for (auto& object : *objects) {
            if (object.is_object())
                page.objects.push_back(std::move(object));
            else
                ++page.dropped;
        }
    }
    if (const auto more = envelope->find("more"); more != envelope->end() && more->is_boolean())
        page.more = more->get<bool>();
    if (const auto next = envelope->find("next"); next != envelope->end() && next->is_string())
        page.next = next->get<std::string>();
    const std::string last = reply.header("x-taxii-date-added-last");
    if (!last.empty() && parse_rfc3339(last, true))
        page.date_added_last = last;
    else if (!last.empty())
        messages.warn(
            fmt::format("tocsin: warning: ignoring X-TAXII-Date-Added-Last '{}' (not a "
                        "timestamp)",
                        messages.clean(last, 100)));
    return page;
}

// The later of two timestamps as text (an empty or unreadable `current` loses).
std::string later_of(const std::string& current, const std::string& candidate) {
    if (candidate.empty()) return current;
    const auto a = parse_rfc3339(current, true);
    const auto b = parse_rfc3339(candidate, true);
    if (!a || (b && *b > *a)) return candidate;
    return current;
}

std::string now_text() {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return format_rfc3339(Timestamp::from_micros(us), 3);
}

// Page files of a folder: "page-<digits>.json" -> the number.
std::optional<std::uint64_t> page_number(const std::string& file_name) {
    constexpr std::string_view kPrefix = "page-";
    constexpr std::string_view kSuffix = ".json";
    if (!file_name.starts_with(kPrefix) || !file_name.ends_with(kSuffix)) return std::nullopt;
    const std::string_view digits(file_name.data() + kPrefix.size(),
                                  file_name.size() - kPrefix.size() - kSuffix.size());
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    std::uint64_t number = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return number;
}

std::uint64_t highest_page(const std::filesystem::path& folder) {
    std::uint64_t highest = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (const auto n = page_number(entry.path().filename().string()))
            highest = std::max(highest, *n);
    return highest;
}

// Removes what an interrupted pull left that its state does not account for: temporary files,
// and pages written after the last state update (the pull fetches them again).
void tidy_folder(const std::filesystem::path& folder, std::uint64_t next_file,
                 const Messages& messages) {
    std::error_code ec;
    std::vector<std::filesystem::path> stale;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        const auto n = page_number(name);
        const bool temporary = name.starts_with(".page-") && name.ends_with(".json.tmp");
        if (temporary || (n && *n >= next_file)) stale.push_back(entry.path());
    }
    for (const auto& path : stale) {
        messages.warn(
            fmt::format("tocsin: removing {} (left by an interrupted pull; it is fetched "
                        "again)",
                        path.string()));
        std::filesystem::remove(path, ec);
    }
}

std::optional<PullState> load_state(const std::filesystem::path& path, const ApiRoot& root,
                                    const std::string& collection,
                                    const std::filesystem::path& folder, const Messages& messages,
                                    std::string& error) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        PullState fresh;
        fresh.api_root = root.endpoint.url();
        fresh.collection = collection;
        fresh.next_file = highest_page(folder) + 1;
        if (fresh.next_file > 1)
            messages.warn(
                fmt::format("tocsin: {} is missing; fetching the whole collection again "
                            "into new page files after the existing ones",
                            path.string()));
        // The state exists before the first page does: a pull killed after writing its first
        // page then resumes from this state (which drops that page and fetches it again)
        // instead of taking the page for an older pull's and fetching everything after it.
        if (!write_file_durably(path, format_pull_state(fresh), error)) return std::nullopt;
        return fresh;
    }
    auto text = read_file_bounded(path, kMaxStateBytes, error);
    if (!text) return std::nullopt;
    auto state = parse_pull_state(*text, error);
    if (!state) {
        error = fmt::format("{}: {} (remove it to fetch the whole collection again)", path.string(),
                            error);
        return std::nullopt;
    }
    if (state->api_root != root.endpoint.url() || state->collection != collection) {
        error = fmt::format("{} belongs to {} collection {}, not to this pull", path.string(),
                            state->api_root, state->collection);
        return std::nullopt;
    }
    return state;
}

class Puller {
  public:
    Puller(const PullOptions& options, const Messages& messages, TaxiiClient& client,
           const ApiRoot& root, std::filesystem::path folder, std::filesystem::path state_path)
        : options_(options),
          messages_(messages),
          client_(client),
          objects_path_(root.endpoint.path + "collections/" +
                        encode_path_segment(options.collection) + "/objects/"),
          folder_(std::move(folder)),
          state_path_(std::move(state_path)) {}

    PullResult run(PullState state);

  private:
    enum class Step { more, done, failed };

    Step fetch_one(PullState& state, PullResult& result);
    bool store(PullState& state, const Page& page, PullResult& result);
    bool advance(PullState& state, const Page& page, const std::string& asked_after);

    const PullOptions& options_;
    const Messages& messages_;
    TaxiiClient& client_;
    std::string objects_path_;
    std::filesystem::path folder_;
    std::filesystem::path state_path_;
    std::string error_;
    bool abandoned_token_ = false;
    bool warned_no_date_ = false;
    int empty_in_a_row_ = 0;
};

PullResult Puller::run(PullState state) {
    PullResult result;
    result.folder = folder_;
    for (unsigned requests = 0;; ++requests) {
        if (options_.max_pages != 0 && requests >= options_.max_pages) {
            messages_.say(
                fmt::format("tocsin: stopping after {} pages (--max-pages); the next "
                            "pull continues from there",
                            requests));
            break;
        }
        const Step step = fetch_one(state, result);
        if (step == Step::failed) return failed(std::move(result), error_);
        if (step == Step::done) break;
    }
    result.ok = true;
    return result;
}

Puller::Step Puller::fetch_one(PullState& state, PullResult& result) {
    const std::string asked_after = state.next.empty() ? state.added_after : state.next_added_after;
    QueryParameters query{{"limit", std::to_string(options_.limit)}};
    if (!asked_after.empty()) query.emplace_back("added_after", asked_after);
    if (!state.next.empty()) query.emplace_back("next", state.next);
    const HttpReply reply = client_.get(objects_path_, query);
    if (!reply.ok()) {
        // A paging token from an earlier run may have expired; the time resume point is exact.
        if (!state.next.empty() && !abandoned_token_ &&
            (reply.status == 400 || reply.status == 404)) {
            messages_.warn(fmt::format(
                "tocsin: the server refused the saved paging token ({}); "
                "continuing with the objects added after {}",
                reply.error, state.added_after.empty() ? "the start" : state.added_after));
            abandoned_token_ = true;
            state.next.clear();
            state.next_added_after.clear();
            return Step::more;
        }
        error_ = fmt::format("{}: {}", client_.server().url_of(objects_path_), reply.error);
        return Step::failed;
    }
    std::string parse_error;
    const auto page = parse_page(reply, messages_, parse_error);
    if (!page) {
        error_ = fmt::format("{}: {}", client_.server().url_of(objects_path_),
                             messages_.clean(parse_error, 300));
        return Step::failed;
    }
    PullState next_state = state;
    if (!store(next_state, *page, result) || !advance(next_state, *page, asked_after))
        return Step::failed;
    if (next_state != state &&
        !write_file_durably(state_path_, format_pull_state(next_state), error_))
        return Step::failed;
    state = std::move(next_state);
    return page->more ? Step::more : Step::done;
}

// Writes the page's objects (if any) as the next page file.
bool Puller::store(PullState& state, const Page& page, PullResult& result) {
    if (page.dropped != 0)
        messages_.warn(
            fmt::format("tocsin: warning: {} entries of the page were not STIX objects "
                        "and were left out",
                        page.dropped));
    if (page.objects.empty()) return true;
    const auto path = folder_ / page_file_name(state.next_file);
    if (!write_file_durably(path, make_bundle(page.objects), error_)) return false;
    ++state.next_file;
    state.objects += page.objects.size();
    ++result.pages;
    result.objects += page.objects.size();
    messages_.say(fmt::format("tocsin: {} objects -> {}", page.objects.size(), path.string()));
    return true;
}

// Moves the paging position past `page`.
bool Puller::advance(PullState& state, const Page& page, const std::string& asked_after) {
    if (page.date_added_last.empty() && !page.objects.empty() && !warned_no_date_) {
        messages_.warn(
            "tocsin: warning: the server sent no X-TAXII-Date-Added-Last; a later pull "
            "cannot start after these objects and fetches them again");
        warned_no_date_ = true;
    }
    const std::string after = later_of(state.added_after, page.date_added_last);
    const bool progressed = page.objects.size() != 0 || after != state.added_after;
    empty_in_a_row_ = progressed ? 0 : empty_in_a_row_ + 1;
    if (page.more && empty_in_a_row_ >= kMaxEmptyPagesInARow) {
        error_ = fmt::format("the server sent {} pages in a row without objects", empty_in_a_row_);
        return false;
    }
    if (page.more && !page.next.empty()) {
        if (page.next == state.next) {
            error_ = "the server sent the same paging token ('next') again";
            return false;
        }
        state.next = page.next;
        state.next_added_after = asked_after;
    } else if (page.more) {
        // No token: TAXII's other way, added_after the last object's date_added.
        if (after == asked_after || page.date_added_last.empty()) {
            error_ =
                "the server says there is more but gives neither 'next' nor a later "
                "X-TAXII-Date-Added-Last to continue from";
            return false;
        }
        state.next.clear();
        state.next_added_after.clear();
    } else {
        state.next.clear();
        state.next_added_after.clear();
    }
    state.added_after = after;
    return true;
}

}  // namespace

std::string page_file_name(std::uint64_t number) {
    return fmt::format("page-{:010}.json", number);
}

std::string format_pull_state(const PullState& state) {
    Json json = Json::object();
    json["format"] = kStateFormat;
    json["api_root"] = state.api_root;
    json["collection"] = state.collection;
    json["next_file"] = state.next_file;
    json["objects"] = state.objects;
    if (!state.added_after.empty()) json["added_after"] = state.added_after;
    if (!state.next.empty()) {
        json["next"] = state.next;
        json["next_added_after"] = state.next_added_after;
    }
    json["updated"] = now_text();
    return json.dump(2) + "\n";
}

std::optional<PullState> parse_pull_state(std::string_view text, std::string& error) {
    const auto json = parse_json(text, error);
    if (!json) return std::nullopt;
    if (!json->is_object() || json->value("format", "") != kStateFormat) {
        error = fmt::format("not a {} state file", kStateFormat);
        return std::nullopt;
    }
    PullState state;
    try {
        state.api_root = json->at("api_root").get<std::string>();
        state.collection = json->at("collection").get<std::string>();
        state.next_file = json->at("next_file").get<std::uint64_t>();
        state.objects = json->at("objects").get<std::uint64_t>();
        state.added_after = json->value("added_after", "");
        state.next = json->value("next", "");
        state.next_added_after = json->value("next_added_after", "");
    } catch (const Json::exception& e) {
        error = fmt::format("damaged state ({})", e.what());
        return std::nullopt;
    }
    if (state.next_file == 0 ||
        (!state.added_after.empty() && !parse_rfc3339(state.added_after, true))) {
        error = "damaged state (next_file or added_after)";
        return std::nullopt;
    }
    return state;
}

PullResult pull_collection(const PullOptions& options, const Messages& messages) {
    PullResult result;
    std::string error;
    const auto url = parse_endpoint(options.url, error);
    if (!url) return failed(std::move(result), fmt::format("{}: {}", options.url, error));
    if (auto refusal = insecure_transport_refusal(*url, options.transport.allow_insecure_http))
        return failed(std::move(result), *refusal);
    if (options.collection.empty()) return failed(std::move(result), "no collection given");
    if (options.limit == 0) return failed(std::move(result), "the page limit must be at least 1");

    TaxiiClient client(*url, options.credentials, options.transport, messages);
    const auto root = open_api_root(client, *url, messages, error);
    if (!root) return failed(std::move(result), error);

    const std::string name = local_name(root->endpoint, options.collection);
    const auto folder = options.store / name;
    // Hidden, so the intel loader (which reads every other file under STORE) never takes it
    // for intelligence.
    const auto state_path = options.store / ("." + name + ".pull-state");
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec)
        return failed(std::move(result), fmt::format("{}: cannot create the folder ({})",
                                                     folder.string(), ec.message()));
    const auto lock = FolderLock::acquire(folder, error);
    if (!lock) return failed(std::move(result), error);
    auto state = load_state(state_path, *root, options.collection, folder, messages, error);
    if (!state) return failed(std::move(result), error);
    tidy_folder(folder, state->next_file, messages);

    Puller puller(options, messages, client, *root, folder, state_path);
    return puller.run(std::move(*state));
}

}  // namespace tocsin::share
