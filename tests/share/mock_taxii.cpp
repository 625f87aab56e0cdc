#include "share/mock_taxii.h"

#include <cstdio>
#include <stdexcept>

namespace tocsin::share::testing {
namespace {

constexpr const char* kMediaType = "application/taxii+json;version=2.1";

std::string date_added_of(int n) {
    char text[40];
    std::snprintf(text, sizeof text, "2024-03-01T%02d:%02d:%02d.000Z", n / 3600, n / 60 % 60,
                  n % 60);
    return text;
}

void reply_json(httplib::Response& response, int status, const nlohmann::json& body) {
    response.status = status;
    response.set_content(body.dump(), kMediaType);
}

void reply_error(httplib::Response& response, int status, const std::string& title,
                 const std::string& description) {
    reply_json(response, status,
               {{"title", title},
                {"description", description},
                {"error_id", "mock-" + std::to_string(status)},
                {"http_status", std::to_string(status)}});
}

}  // namespace

MockTaxii::MockTaxii(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {
    tls_ = server_ != nullptr;
    if (!server_) server_ = std::make_unique<httplib::Server>();
    install_routes();
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("mock TAXII server: cannot bind");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // httplib's stop() does nothing before the accept loop runs: wait for it, or a test that
    // ends at once would hang in the destructor.
    for (int i = 0; i < 5000 && !server_->is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MockTaxii::~MockTaxii() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

std::string MockTaxii::origin() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

void MockTaxii::add_indicators(int count) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < count; ++i) {
        const int n = static_cast<int>(objects_.size()) + 1;
        char uuid[64];
        std::snprintf(uuid, sizeof uuid, "indicator--00000000-0000-4000-8000-%012d", n);
        nlohmann::json object = {
            {"type", "indicator"},
            {"spec_version", "2.1"},
            {"id", uuid},
            {"created", "2024-01-01T00:00:00.000Z"},
            {"modified", "2024-01-01T00:00:00.000Z"},
            {"name", "bad host " + std::to_string(n)},
            {"pattern", "[ipv4-addr:value = '198.51.100." + std::to_string(n % 250) + "']"},
            {"pattern_type", "stix"},
            {"valid_from", "2024-01-01T00:00:00Z"},
            {"labels", {"c2", "unicode \u00e9\u4e2d"}}};
        objects_.push_back({date_added_of(n), std::move(object)});
    }
}

std::vector<StoredObject> MockTaxii::objects() const {
    std::lock_guard lock(mutex_);
    return objects_;
}

void MockTaxii::set_paging_by_next(bool by_next) {
    std::lock_guard lock(mutex_);
    paging_by_next_ = by_next;
}

void MockTaxii::set_required_authorization(std::string value) {
    std::lock_guard lock(mutex_);
    required_authorization_ = std::move(value);
}

void MockTaxii::set_echo_authorization(bool on) {
    std::lock_guard lock(mutex_);
    echo_authorization_ = on;
}

void MockTaxii::fail_objects_after(int served) {
    std::lock_guard lock(mutex_);
    fail_objects_after_ = served;
    objects_served_ = 0;
}

void MockTaxii::fail_next_requests(int count) {
    std::lock_guard lock(mutex_);
    fail_next_requests_ = count;
}

void MockTaxii::expire_tokens() {
    std::lock_guard lock(mutex_);
    tokens_.clear();
}

void MockTaxii::set_max_content_length(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    max_content_length_ = bytes;
}

void MockTaxii::fail_posts_after(int served) {
    std::lock_guard lock(mutex_);
    fail_posts_after_ = served;
    posts_served_ = 0;
}

void MockTaxii::reject_ids(std::set<std::string> ids) {
    std::lock_guard lock(mutex_);
    rejected_ids_ = std::move(ids);
}

void MockTaxii::set_pending_polls(int polls) {
    std::lock_guard lock(mutex_);
    pending_polls_ = polls;
}

void MockTaxii::heal() {
    std::lock_guard lock(mutex_);
    fail_objects_after_ = -1;
    fail_next_requests_ = 0;
    fail_posts_after_ = -1;
    rejected_ids_.clear();
}

void MockTaxii::set_objects_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    objects_delay_ = delay;
}

std::vector<RecordedRequest> MockTaxii::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<RecordedRequest> MockTaxii::requests_to(const std::string& path_part) const {
    std::vector<RecordedRequest> out;
    for (auto& r : requests())
        if (r.path.find(path_part) != std::string::npos) out.push_back(r);
    return out;
}

std::vector<nlohmann::json> MockTaxii::posted_objects() const {
    std::lock_guard lock(mutex_);
    return posted_;
}

void MockTaxii::clear_requests() {
    std::lock_guard lock(mutex_);
    requests_.clear();
    posted_.clear();
}

void MockTaxii::record(const httplib::Request& request) {
    RecordedRequest r{request.method,
                      request.path,
                      {},
                      request.get_header_value("Authorization"),
                      request.get_header_value("Accept"),
                      request.get_header_value("Content-Type"),
                      request.body};
    for (const auto& [name, value] : request.params) r.params[name] = value;
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(r));
}

bool MockTaxii::authorized(const httplib::Request& request, httplib::Response& response) {
    std::string required;
    bool echo = false;
    {
        std::lock_guard lock(mutex_);
        required = required_authorization_;
        echo = echo_authorization_;
    }
    const std::string given = request.get_header_value("Authorization");
    if (required.empty() || given == required) return true;
    reply_error(
        response, 401, "Unauthorized",
        echo ? "the credentials '" + given + "' are not valid here" : "unknown or missing API key");
    return false;
}

void MockTaxii::install_routes() {
    server_->set_pre_routing_handler(
        [this](const httplib::Request& request, httplib::Response& response) {
            record(request);
            if (!authorized(request, response)) return httplib::Server::HandlerResponse::Handled;
            std::lock_guard lock(mutex_);
            if (fail_next_requests_ > 0) {
                --fail_next_requests_;
                reply_error(response, 503, "Service Unavailable", "try again later");
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
    server_->Get("/taxii2/", [](const httplib::Request&, httplib::Response& response) {
        reply_json(response, 200,
                   {{"title", "Mock hub"}, {"default", "/api1/"}, {"api_roots", {"/api1/"}}});
    });
    server_->Get("/api1/", [this](const httplib::Request&, httplib::Response& response) {
        std::lock_guard lock(mutex_);
        reply_json(response, 200,
                   {{"title", "Mock API root"},
                    {"versions", {kMediaType}},
                    {"max_content_length", max_content_length_}});
    });
    server_->Get(R"(/api1/collections/([^/]+)/objects/)",
                 [this](const httplib::Request& q, httplib::Response& r) { get_objects(q, r); });
    server_->Post(R"(/api1/collections/([^/]+)/objects/)",
                  [this](const httplib::Request& q, httplib::Response& r) { post_objects(q, r); });
    server_->Get(R"(/api1/status/([^/]+)/)",
                 [this](const httplib::Request& q, httplib::Response& r) { get_status(q, r); });
}

void MockTaxii::get_objects(const httplib::Request& request, httplib::Response& response) {
    if (request.matches[1] != kCollection) {
        reply_error(response, 404, "Not Found", "no such collection");
        return;
    }
    std::chrono::milliseconds delay;
    {
        std::lock_guard lock(mutex_);
        delay = objects_delay_;
    }
    std::this_thread::sleep_for(delay);
    std::lock_guard lock(mutex_);
    if (fail_objects_after_ >= 0 && objects_served_ >= fail_objects_after_) {
        reply_error(response, 503, "Service Unavailable", "the hub is restarting");
        return;
    }
    ++objects_served_;
    const std::size_t limit =
        request.has_param("limit") ? std::stoul(request.get_param_value("limit")) : 100;
    const std::string after = request.get_param_value("added_after");
    std::vector<const StoredObject*> matching;
    for (const auto& stored : objects_)
        if (after.empty() || stored.date_added > after) matching.push_back(&stored);
    std::size_t offset = 0;
    if (request.has_param("next")) {
        const auto token = tokens_.find(request.get_param_value("next"));
        if (token == tokens_.end()) {
            reply_error(response, 400, "Bad Request", "unknown or expired next token");
            return;
        }
        offset = token->second;
    }
    nlohmann::json envelope = nlohmann::json::object();
    nlohmann::json page = nlohmann::json::array();
    for (std::size_t i = offset; i < matching.size() && i < offset + limit; ++i)
        page.push_back(matching[i]->object);
    const bool more = offset + limit < matching.size();
    envelope["more"] = more;
    if (more && paging_by_next_) {
        const std::string token = "token-" + std::to_string(++token_counter_);
        tokens_[token] = offset + limit;
        envelope["next"] = token;
    }
    if (!page.empty()) {
        envelope["objects"] = page;
        response.set_header("X-TAXII-Date-Added-First", matching[offset]->date_added);
        response.set_header("X-TAXII-Date-Added-Last",
                            matching[std::min(matching.size(), offset + limit) - 1]->date_added);
    }
    reply_json(response, 200, envelope);
}

nlohmann::json MockTaxii::status_resource(const std::string& id, bool final) const {
    const PostedStatus& posted = statuses_.at(id);
    nlohmann::json successes = nlohmann::json::array();
    nlohmann::json failures = nlohmann::json::array();
    nlohmann::json pendings = nlohmann::json::array();
    // While pending, the first half of the accepted objects is done, the rest waits.
    const std::size_t done = final ? posted.accepted.size() : posted.accepted.size() / 2;
    for (std::size_t i = 0; i < posted.accepted.size(); ++i) {
        const auto& [object_id, version] = posted.accepted[i];
        (i < done ? successes : pendings).push_back({{"id", object_id}, {"version", version}});
    }
    for (const auto& [object_id, version] : posted.rejected) {
        if (final)
            failures.push_back(
                {{"id", object_id}, {"version", version}, {"message", "rejected by policy"}});
        else
            pendings.push_back({{"id", object_id}, {"version", version}});
    }
    const std::size_t total = posted.accepted.size() + posted.rejected.size();
    return {{"id", id},
            {"status", final ? "complete" : "pending"},
            {"request_timestamp", "2024-03-02T00:00:00.000Z"},
            {"total_count", total},
            {"success_count", successes.size()},
            {"successes", successes},
            {"failure_count", failures.size()},
            {"failures", failures},
            {"pending_count", pendings.size()},
            {"pendings", pendings}};
}

void MockTaxii::post_objects(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    if (request.body.size() > max_content_length_) {
        reply_error(response, 413, "Payload Too Large", "the envelope is too large");
        return;
    }
    if (fail_posts_after_ >= 0 && posts_served_ >= fail_posts_after_) {
        reply_error(response, 503, "Service Unavailable", "the hub is restarting");
        return;
    }
    ++posts_served_;
    // The body is read after the pre-routing handler recorded the request: add it now.
    for (auto it = requests_.rbegin(); it != requests_.rend(); ++it) {
        if (it->method == "POST" && it->path == request.path) {
            it->body = request.body;
            break;
        }
    }
    const auto envelope = nlohmann::json::parse(request.body, nullptr, false);
    if (envelope.is_discarded() || !envelope.contains("objects")) {
        reply_error(response, 400, "Bad Request", "not an envelope");
        return;
    }
    PostedStatus posted;
    for (const auto& object : envelope["objects"]) {
        posted_.push_back(object);
        const std::pair<std::string, std::string> entry{object.value("id", ""),
                                                        object.value("modified", "")};
        (rejected_ids_.count(entry.first) ? posted.rejected : posted.accepted).push_back(entry);
    }
    posted.polls_left = pending_polls_;
    const std::string id = "status-" + std::to_string(statuses_.size() + 1);
    statuses_[id] = posted;
    reply_json(response, 202, status_resource(id, posted.polls_left == 0));
}

void MockTaxii::get_status(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex_);
    const auto it = statuses_.find(request.matches[1]);
    if (it == statuses_.end()) {
        reply_error(response, 404, "Not Found", "no such status");
        return;
    }
    if (it->second.polls_left > 0) --it->second.polls_left;
    reply_json(response, 200, status_resource(it->first, it->second.polls_left == 0));
}

}  // namespace tocsin::share::testing
