#include "share/push.h"

#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "share/endpoint.h"
#include "share/stix.h"
#include "share/storage.h"

namespace tocsin::share {
namespace {

constexpr std::string_view kStateFormat = "tocsin-taxii-push/1";
constexpr std::string_view kSightingsFile = "sightings.json";
constexpr std::size_t kMaxStateBytes = 512u << 20;
constexpr std::size_t kEnvelopeOverhead = 14;  // {"objects":[ and ]}
constexpr std::size_t kMaxShownFailures = 50;

// One object of the bundle, serialised once.
struct Item {
    std::string id;
    std::string version;
    std::string json;
};

using Batch = std::vector<const Item*>;

// One entry of a status resource's successes, failures or pendings.
struct StatusDetail {
    std::string id;
    std::string version;  // empty: the server named none
    std::string message;
};

struct Status {
    std::string id;
    bool complete = false;
    bool lists_successes = false;
    std::vector<StatusDetail> successes;
    std::vector<StatusDetail> failures;
    std::optional<std::uint64_t> failure_count;
    std::optional<std::uint64_t> pending_count;
};

PushResult failed(PushResult result, std::string error) {
    result.ok = false;
    result.error = std::move(error);
    return result;
}

std::string text_of(const Json& object, const char* name) {
    const auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::uint64_t> count_of(const Json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<std::uint64_t>();
}

std::vector<StatusDetail> details_of(const Json& status, const char* name) {
    std::vector<StatusDetail> details;
    const auto list = status.find(name);
    if (list == status.end() || !list->is_array()) return details;
    for (const auto& entry : *list)
        if (entry.is_object())
            details.push_back(
                {text_of(entry, "id"), text_of(entry, "version"), text_of(entry, "message")});
    return details;
}

std::optional<Status> parse_status(const std::string& body, std::string& error) {
    const auto json = parse_json(body, error);
    if (!json) return std::nullopt;
    if (!json->is_object() || text_of(*json, "id").empty() || !json->contains("status")) {
        error = "the answer is not a TAXII status resource";
        return std::nullopt;
    }
    Status status;
    status.id = text_of(*json, "id");
    status.complete = text_of(*json, "status") == "complete";
    status.lists_successes = json->contains("successes");
    status.successes = details_of(*json, "successes");
    status.failures = details_of(*json, "failures");
    status.failure_count = count_of(*json, "failure_count");
    status.pending_count = count_of(*json, "pending_count");
    return status;
}

bool names(const StatusDetail& detail, const Item& item) {
    return detail.id == item.id &&
           (detail.version.empty() || same_version(detail.version, item.version));
}

// The items of `batch` the status acknowledges: those its successes name; or, when it is
// complete without listing successes, all but its failures (if it lists all of them).
std::vector<const Item*> acknowledged_items(const Status& status, const Batch& batch) {
    std::vector<const Item*> acknowledged;
    if (status.lists_successes) {
        for (const Item* item : batch)
            if (std::any_of(status.successes.begin(), status.successes.end(),
                            [&](const StatusDetail& d) { return names(d, *item); }))
                acknowledged.push_back(item);
        return acknowledged;
    }
    const bool failures_complete =
        !status.failure_count || *status.failure_count == status.failures.size();
    const bool nothing_pending = !status.pending_count || *status.pending_count == 0;
    if (!status.complete || !failures_complete || !nothing_pending) return acknowledged;
    for (const Item* item : batch)
        if (std::none_of(status.failures.begin(), status.failures.end(),
                         [&](const StatusDetail& d) { return names(d, *item); }))
            acknowledged.push_back(item);
    return acknowledged;
}

// The bundle's objects as items, each id+version once.
std::optional<std::vector<Item>> read_items(const std::filesystem::path& path,
                                            std::size_t max_bytes, const Messages& messages,
                                            std::string& error) {
    const auto text = read_file_bounded(path, max_bytes, error);
    if (!text) return std::nullopt;
    const auto bundle = parse_json(*text, error);
    if (!bundle) {
        error = fmt::format("{}: {}", path.string(), error);
        return std::nullopt;
    }
    const auto objects = bundle->find("objects");
    if (!bundle->is_object() || text_of(*bundle, "type") != "bundle" || objects == bundle->end() ||
        !objects->is_array()) {
        error = fmt::format("{}: not a STIX 2.1 bundle", path.string());
        return std::nullopt;
    }
    std::vector<Item> items;
    std::set<std::pair<std::string, std::string>> seen;
    std::size_t skipped = 0;
    for (const auto& object : *objects) {
        const std::string id = object.is_object() ? text_of(object, "id") : std::string();
        if (id.empty()) {
            ++skipped;
            continue;
        }
        std::string version = object_version(object);
        if (seen.emplace(id, version).second)
            items.push_back({id, std::move(version), object.dump()});
    }
    if (skipped != 0)
        messages.warn(fmt::format("tocsin: warning: {}: {} entries without an id were skipped",
                                  path.string(), skipped));
    return items;
}

// Reads the journal, or starts one (its header written durably); cuts a line torn by a crash.
std::optional<PushState> open_state(const std::filesystem::path& path, const ApiRoot& root,
                                    const std::string& collection, std::string& error) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        PushState fresh;
        fresh.api_root = root.endpoint.url();
        fresh.collection = collection;
        if (!write_file_durably(path, format_push_state_header(fresh), error)) return std::nullopt;
        return fresh;
    }
    auto text = read_file_bounded(path, kMaxStateBytes, error);
    if (!text) return std::nullopt;
    std::size_t complete_bytes = 0;
    auto state = parse_push_state(*text, error, &complete_bytes);
    if (!state) {
        error = fmt::format("{}: {} (remove it to send every object again)", path.string(), error);
        return std::nullopt;
    }
    if (state->api_root != root.endpoint.url() || state->collection != collection) {
        error = fmt::format("{} belongs to {} collection {}, not to this push", path.string(),
                            state->api_root, state->collection);
        return std::nullopt;
    }
    if (complete_bytes < text->size() && !truncate_durably(path, complete_bytes, error))
        return std::nullopt;
    return state;
}

class Pusher {
  public:
    Pusher(const PushOptions& options, const Messages& messages, TaxiiClient& client,
           const ApiRoot& root, std::filesystem::path state_path, PushState state)
        : options_(options),
          messages_(messages),
          client_(client),
          root_(root),
          state_path_(std::move(state_path)),
          state_(std::move(state)) {}

    PushResult run(const std::vector<Item>& items);

  private:
    std::vector<Batch> make_batches(const std::vector<const Item*>& todo, PushResult& result);
    bool send(const Batch& batch, PushResult& result);
    bool follow(Status& status, const Batch& batch, std::vector<bool>& done, PushResult& result);
    bool record(const Status& status, const Batch& batch, std::vector<bool>& done,
                PushResult& result);
    void report_failures(const Status& status, PushResult& result);
    std::string url_of(const std::string& path) const { return client_.server().url_of(path); }

    const PushOptions& options_;
    const Messages& messages_;
    TaxiiClient& client_;
    const ApiRoot& root_;
    std::filesystem::path state_path_;
    PushState state_;
    std::string error_;
    std::size_t shown_failures_ = 0;
};

PushResult Pusher::run(const std::vector<Item>& items) {
    PushResult result;
    result.total = items.size();
    std::vector<const Item*> todo;
    for (const auto& item : items) {
        if (state_.contains(item.id, item.version))
            ++result.already;
        else
            todo.push_back(&item);
    }
    for (const auto& batch : make_batches(todo, result)) {
        if (!send(batch, result)) return failed(std::move(result), error_);
    }
    result.ok = result.rejected == 0 && result.pending == 0;
    return result;
}

// Groups of at most `batch` objects whose envelope fits the API root's max_content_length.
std::vector<Batch> Pusher::make_batches(const std::vector<const Item*>& todo, PushResult& result) {
    const std::uint64_t max_bytes = root_.max_content_length;
    std::vector<Batch> batches;
    Batch current;
    std::size_t bytes = kEnvelopeOverhead;
    for (const Item* item : todo) {
        if (max_bytes != 0 && item->json.size() + kEnvelopeOverhead > max_bytes) {
            messages_.warn(
                fmt::format("tocsin: {} is larger than the hub accepts ({} bytes); "
                            "not sent",
                            item->id, max_bytes));
            ++result.rejected;
            continue;
        }
        const std::size_t grown = bytes + item->json.size() + (current.empty() ? 0 : 1);
        if (!current.empty() &&
            (current.size() >= options_.batch || (max_bytes != 0 && grown > max_bytes))) {
            batches.push_back(std::move(current));
            current.clear();
            bytes = kEnvelopeOverhead;
        }
        bytes += item->json.size() + (current.empty() ? 0 : 1);
        current.push_back(item);
    }
    if (!current.empty()) batches.push_back(std::move(current));
    return batches;
}

bool Pusher::send(const Batch& batch, PushResult& result) {
    std::string envelope = "{\"objects\":[";
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i != 0) envelope += ',';
        envelope += batch[i]->json;
    }
    envelope += "]}";
    const std::string path = root_.endpoint.path + "collections/" +
                             encode_path_segment(options_.collection) + "/objects/";
    const HttpReply reply = client_.post(path, envelope);
    if (!reply.ok()) {
        error_ = fmt::format("POST {}: {}{}", url_of(path), reply.error,
                             reply.status == 413 ? " (a smaller --batch may fit)" : "");
        return false;
    }
    result.sent += batch.size();
    std::string parse_error;
    auto status = parse_status(reply.body, parse_error);
    if (!status) {
        error_ = fmt::format("POST {}: {}", url_of(path), messages_.clean(parse_error, 300));
        return false;
    }
    std::vector<bool> done(batch.size(), false);
    if (!record(*status, batch, done, result)) return false;
    if (!status->complete && !follow(*status, batch, done, result)) return false;
    if (status->complete) report_failures(*status, result);
    const auto still_open = static_cast<std::size_t>(std::count(done.begin(), done.end(), false));
    if (!status->complete) {
        result.pending += still_open;
        messages_.warn(
            fmt::format("tocsin: {} objects are still pending at the hub (status {}); "
                        "a later push sends them again",
                        still_open, messages_.clean(status->id, 100)));
    }
    return true;
}

// Polls a pending status until it completes or the policy's bound is reached.
bool Pusher::follow(Status& status, const Batch& batch, std::vector<bool>& done,
                    PushResult& result) {
    const std::string path = root_.endpoint.path + "status/" + encode_path_segment(status.id) + "/";
    auto delay = options_.poll.first_delay;
    for (int poll = 0; poll < options_.poll.max_polls && !status.complete; ++poll) {
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, options_.poll.max_delay);
        const HttpReply reply = client_.get(path);
        if (!reply.ok()) {
            error_ = fmt::format("GET {}: {}", url_of(path), reply.error);
            return false;
        }
        std::string parse_error;
        auto next = parse_status(reply.body, parse_error);
        if (!next) {
            error_ = fmt::format("GET {}: {}", url_of(path), messages_.clean(parse_error, 300));
            return false;
        }
        status = std::move(*next);
        if (!record(status, batch, done, result)) return false;
    }
    return true;
}

// Adds what `status` acknowledges to the state, durably, before anything else happens.
bool Pusher::record(const Status& status, const Batch& batch, std::vector<bool>& done,
                    PushResult& result) {
    std::string entries;
    for (const Item* item : acknowledged_items(status, batch)) {
        const auto index =
            static_cast<std::size_t>(std::find(batch.begin(), batch.end(), item) - batch.begin());
        if (done[index]) continue;
        done[index] = true;
        ++result.acknowledged;
        if (state_.acknowledged[item->id].insert(item->version).second)
            entries += format_push_state_entry(item->id, item->version);
    }
    // Failures are final once the status is complete.
    if (status.complete)
        for (std::size_t i = 0; i < batch.size(); ++i)
            if (std::any_of(status.failures.begin(), status.failures.end(),
                            [&](const StatusDetail& d) { return names(d, *batch[i]); }))
                done[i] = true;
    return entries.empty() || append_durably(state_path_, entries, error_);
}

void Pusher::report_failures(const Status& status, PushResult& result) {
    for (const auto& failure : status.failures) {
        ++result.rejected;
        if (shown_failures_++ >= kMaxShownFailures) continue;
        messages_.warn(fmt::format(
            "tocsin: the hub rejected {}{}: {}", messages_.clean(failure.id, 200),
            failure.version.empty() ? std::string()
                                    : " (" + messages_.clean(failure.version, 64) + ")",
            messages_.clean(failure.message.empty() ? "no reason given" : failure.message, 500)));
    }
}

}  // namespace

bool PushState::contains(const std::string& id, const std::string& version) const {
    const auto it = acknowledged.find(id);
    if (it == acknowledged.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& v) { return same_version(v, version); });
}

std::string format_push_state_header(const PushState& state) {
    const Json header = {
        {"format", kStateFormat}, {"api_root", state.api_root}, {"collection", state.collection}};
    return header.dump() + '\n';
}

std::string format_push_state_entry(const std::string& id, const std::string& version) {
    return Json{{"id", id}, {"version", version}}.dump() + '\n';
}

std::optional<PushState> parse_push_state(std::string_view text, std::string& error,
                                          std::size_t* complete_bytes) {
    const std::size_t complete =
        text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1;
    if (complete_bytes != nullptr) *complete_bytes = complete;
    PushState state;
    std::size_t line_number = 0;
    for (std::size_t start = 0; start < complete;) {
        const std::size_t end = text.find('\n', start);
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++line_number;
        const auto json = parse_json(line, error);
        try {
            if (!json || !json->is_object()) throw std::invalid_argument(error);
            if (line_number == 1) {
                if (json->value("format", "") != kStateFormat)
                    throw std::invalid_argument(fmt::format("not a {} journal", kStateFormat));
                state.api_root = json->at("api_root").get<std::string>();
                state.collection = json->at("collection").get<std::string>();
            } else {
                state.acknowledged[json->at("id").get<std::string>()].insert(
                    json->at("version").get<std::string>());
            }
        } catch (const std::exception& e) {
            error = fmt::format("line {} is damaged ({})", line_number, e.what());
            return std::nullopt;
        }
    }
    if (line_number == 0) {
        error = "no header line";
        return std::nullopt;
    }
    return state;
}

PushResult push_sightings(const PushOptions& options, const Messages& messages) {
    PushResult result;
    std::string error;
    const auto url = parse_endpoint(options.url, error);
    if (!url) return failed(std::move(result), fmt::format("{}: {}", options.url, error));
    if (auto refusal = insecure_transport_refusal(*url, options.transport.allow_insecure_http))
        return failed(std::move(result), *refusal);
    if (options.collection.empty()) return failed(std::move(result), "no collection given");
    if (options.batch == 0) return failed(std::move(result), "the batch size must be at least 1");

    const auto items =
        read_items(options.log_dir / kSightingsFile, options.max_bundle_bytes, messages, error);
    if (!items) return failed(std::move(result), error);

    TaxiiClient client(*url, options.credentials, options.transport, messages);
    const auto root = open_api_root(client, *url, messages, error);
    if (!root) return failed(std::move(result), error);

    const auto lock = FolderLock::acquire(options.log_dir, error);
    if (!lock) return failed(std::move(result), error);
    const auto state_path =
        options.log_dir / (local_name(root->endpoint, options.collection) + ".push-state");
    auto state = open_state(state_path, *root, options.collection, error);
    if (!state) return failed(std::move(result), error);

    Pusher pusher(options, messages, client, *root, state_path, std::move(*state));
    return pusher.run(*items);
}

}  // namespace tocsin::share
