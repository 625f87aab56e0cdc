#include "hub/server.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "hub/auth.h"
#include "hub/stix.h"
#include "hub/taxii.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;

constexpr std::string_view kRealm = "tocsin-hub";

enum class Resource {
    discovery,
    api_root,
    status,
    collections,
    collection,
    objects,
    object,
    versions,
    manifest
};

struct Route {
    Resource resource = Resource::discovery;
    const ApiRootConfig* root = nullptr;
    std::string collection_id;  // lower case, as hub.yaml ids are kept
    std::string object_id;
    std::string status_id;
};

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

// Maps a request path onto a TAXII resource. Paths end with '/' in TAXII; a missing final
// slash is tolerated. Empty inner segments ("//") match nothing.
std::optional<Route> resolve(const HubConfig& config, std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    path.remove_prefix(1);
    if (path.ends_with('/')) path.remove_suffix(1);
    if (path == "taxii2") return Route{};
    const auto segments = split_path(path);
    if (std::find(segments.begin(), segments.end(), std::string_view{}) != segments.end())
        return std::nullopt;
    Route route;
    std::size_t root_length = 0;
    for (const auto& root : config.api_roots) {
        const auto root_segments = split_path(root.path);
        if (root_segments.size() <= segments.size() && root_segments.size() > root_length &&
            std::equal(root_segments.begin(), root_segments.end(), segments.begin())) {
            route.root = &root;
            root_length = root_segments.size();
        }
    }
    if (!route.root) return std::nullopt;
    const std::vector<std::string_view> rest(segments.begin() + static_cast<long>(root_length),
                                             segments.end());
    const auto n = rest.size();
    if (n == 0) {
        route.resource = Resource::api_root;
    } else if (rest[0] == "status" && n == 2) {
        route.resource = Resource::status;
        route.status_id = rest[1];
    } else if (rest[0] != "collections") {
        return std::nullopt;
    } else if (n == 1) {
        route.resource = Resource::collections;
    } else {
        route.collection_id = lower(rest[1]);
        if (n == 2) {
            route.resource = Resource::collection;
        } else if (n == 3 && rest[2] == "objects") {
            route.resource = Resource::objects;
        } else if (n == 3 && rest[2] == "manifest") {
            route.resource = Resource::manifest;
        } else if (n >= 4 && n <= 5 && rest[2] == "objects") {
            route.object_id = rest[3];
            if (n == 4)
                route.resource = Resource::object;
            else if (rest[4] == "versions")
                route.resource = Resource::versions;
            else
                return std::nullopt;
        } else {
            return std::nullopt;
        }
    }
    return route;
}

std::string_view allowed_methods(Resource resource) {
    switch (resource) {
        case Resource::objects:
            return "GET, HEAD, POST";
        case Resource::object:
            return "GET, HEAD, DELETE";
        default:
            return "GET, HEAD";
    }
}

bool method_allowed(Resource resource, std::string_view method) {
    if (method == "GET" || method == "HEAD") return true;
    if (method == "POST") return resource == Resource::objects;
    if (method == "DELETE") return resource == Resource::object;
    return false;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 413:
            return "Payload Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Range Not Satisfiable";
        case 422:
            return "Unprocessable Entity";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return status >= 500 ? "Server Error" : "Client Error";
    }
}

void send_json(httplib::Response& res, int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), std::string(kTaxiiMediaType).c_str());
}

void send_error(httplib::Response& res, int status, std::string_view description,
                std::string_view error_id) {
    send_json(res, status, error_body(status, reason_phrase(status), description, error_id));
}

// A request path as it may appear in the log: control characters and non-ASCII bytes escaped,
// at most 200 characters (a path is partner input).
std::string printable(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 200)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f)
            out += fmt::format("\\x{:02x}", u);
        else
            out += c;
    }
    return out;
}

// Host header values we are willing to reflect into discovery URLs.
bool plausible_host(std::string_view host) {
    return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

enum class Need { any, read, write, read_and_write };

struct Call {
    const httplib::Request& req;
    httplib::Response& res;
    const PartnerRecord& partner;
    const Route& route;
};

constexpr unsigned kObjectsParams =
    kAddedAfter | kLimit | kNext | kMatchId | kMatchType | kMatchVersion | kMatchSpecVersion;
constexpr unsigned kObjectParams = kAddedAfter | kLimit | kNext | kMatchVersion | kMatchSpecVersion;
constexpr unsigned kVersionsParams = kAddedAfter | kLimit | kNext | kMatchSpecVersion;
constexpr unsigned kDeleteParams = kMatchVersion | kMatchSpecVersion;

VersionSelection last_version() {
    VersionSelection s;
    s.last = true;
    return s;
}

VersionSelection all_versions() {
    VersionSelection s;
    s.all = true;
    return s;
}

void set_date_headers(httplib::Response& res, const VersionPage& page) {
    if (page.rows.empty()) return;
    res.set_header("X-TAXII-Date-Added-First", format_date_added(page.rows.front().date_added_us));
    res.set_header("X-TAXII-Date-Added-Last", format_date_added(page.rows.back().date_added_us));
}

// The `next` token of a page with `more`: where the following page starts.
std::string next_of(const VersionPage& page) {
    return next_token(page.rows.back().date_added_us);
}

// The envelope (section 3.7): bodies are stored as compact JSON and copied in verbatim.
std::string envelope(const VersionPage& page) {
    if (page.rows.empty()) return "{}";  // "the response is an empty object"
    std::string out =
        page.more ? R"({"more":true,"next":")" + next_of(page) + "\"" : R"({"more":false)";
    out += R"(,"objects":[)";
    for (std::size_t i = 0; i < page.rows.size(); ++i) {
        if (i) out += ',';
        out += page.rows[i].body;
    }
    out += "]}";
    return out;
}

// cpp-httplib 0.11 listens with a backlog of 5: with tens of partners (or benchmark
// connections) connecting at once, the kernel's accept queue overflows, handshakes stall for
// seconds and some connections are reset. listen() again on the bound socket raises it.
template <class Base>
class WideBacklog : public Base {
  public:
    using Base::Base;
    void widen_backlog() { ::listen(this->svr_sock_, SOMAXCONN); }
};

// The spec's manifest and versions resources list only `more`, but their endpoints take the
// `next` URL parameter as objects does, the OASIS reference server (medallion) returns `next`
// in them, and the OASIS taxii2-client's as_pages pages every endpoint by `next` alone:
// without it that client asks for the first page again and again.
void add_next(json& body, const VersionPage& page) {
    if (page.more) body["next"] = next_of(page);
}

}  // namespace

std::string refusal_reason(const HubConfig& config) {
    if (config.tls() || is_loopback_address(config.listen_address)) return "";
    return fmt::format(
        "refusing to serve plain HTTP on {}: partners' API keys would cross the network in "
        "clear. Set tls.certificate and tls.key in hub.yaml, or listen on a loopback address "
        "(127.0.0.1, ::1) behind a TLS-terminating proxy.",
        config.listen_address);
}

class HubServer::Impl {
  public:
    explicit Impl(HubConfig config)
        : config_(std::move(config)), store_(config_.database), auth_(store_) {}

    int bind();
    bool serve() { return http_ && http_->listen_after_bind(); }
    void stop() {
        if (http_) http_->stop();
    }

    HubConfig config_;
    Store store_;
    Authenticator auth_;
    std::unique_ptr<httplib::Server> http_;

  private:
    void handle(const httplib::Request& req, httplib::Response& res);

    void discovery(Call& call);
    void api_root(Call& call);
    void status(Call& call);
    void collections(Call& call);
    void collection(Call& call);
    void get_objects(Call& call);
    void post_objects(Call& call);
    void get_object(Call& call);
    void delete_object(Call& call);
    void versions(Call& call);
    void manifest(Call& call);
    // The page GET objects and the manifest answer (with or without the objects themselves);
    // nullopt when an error was already sent.
    std::optional<VersionPage> collection_page(Call& call, bool with_objects);

    const CollectionConfig* collection_access(Call& call, Need need);
    bool root_visible(const PartnerRecord& partner, const ApiRootConfig& root) const;
    ReaderContext reader_for(const PartnerRecord& partner, const CollectionConfig& c) const;
    std::optional<Filters> filters(Call& call, unsigned accepted, const VersionSelection& dflt);
    std::string base_url(const httplib::Request& req) const;
    json collection_resource(const PartnerRecord& partner, const CollectionConfig& c) const;
};

int HubServer::Impl::bind() {
    if (const auto reason = refusal_reason(config_); !reason.empty()) throw HubStartError(reason);
    std::function<void()> widen_backlog;
    if (config_.tls()) {
        auto server = std::make_unique<WideBacklog<httplib::SSLServer>>(
            config_.tls_certificate.c_str(), config_.tls_key.c_str());
        if (!server->is_valid())
            throw HubStartError(fmt::format(
                "cannot load the TLS certificate {} and key {} (missing, unreadable, or not a "
                "matching PEM pair)",
                config_.tls_certificate, config_.tls_key));
        SSL_CTX_set_min_proto_version(server->ssl_context(), TLS1_2_VERSION);
        widen_backlog = [s = server.get()] { s->widen_backlog(); };
        http_ = std::move(server);
    } else {
        auto server = std::make_unique<WideBacklog<httplib::Server>>();
        widen_backlog = [s = server.get()] { s->widen_backlog(); };
        http_ = std::move(server);
    }
    // httplib serves a keep-alive connection on one pool thread until it closes, so the pool
    // must hold as many threads as connections we expect to keep open at once (64 partners or
    // benchmark connections by default); fewer threads would leave connections queued, unserved.
    // httplib takes ownership of the queue it is handed (its API needs the raw pointer).
    const std::size_t threads = config_.threads;
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http_->set_keep_alive_max_count(10000);
    http_->set_keep_alive_timeout(10);
    http_->set_read_timeout(10, 0);
    http_->set_write_timeout(10, 0);
    http_->set_tcp_nodelay(true);
    http_->set_payload_max_length(config_.max_content_length);
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle(req, res);
    };
    // Every path and method reaches handle(), which routes, so unknown paths and methods get
    // TAXII answers (404, 405 with Allow) after authentication like everything else.
    const char* const any_path = ".*";
    http_->Get(any_path, handler);
    http_->Post(any_path, handler);
    http_->Put(any_path, handler);
    http_->Patch(any_path, handler);
    http_->Delete(any_path, handler);
    http_->Options(any_path, handler);
    // Errors httplib raises itself (oversized body, malformed request line) get the TAXII
    // error body too.
    http_->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            send_error(res, res.status, res.status == 413 ? "the request body is too large" : "",
                       res.status == 413 ? "too-large" : "http-error");
            return httplib::Server::HandlerResponse::Handled;
        }));
    http_->set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
            std::string what = "unknown exception";
            try {
                if (error) std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            fmt::print(stderr, "tocsin hub: {} {}: {}\n", req.method, printable(req.path), what);
            send_error(res, 500, "the server failed to handle the request; nothing was stored",
                       "internal");
        });
    int port = config_.port;
    if (port == 0) {
        port = http_->bind_to_any_port(config_.listen_address);
        if (port < 0) port = 0;
    } else if (!http_->bind_to_port(config_.listen_address, port)) {
        port = 0;
    }
    if (port == 0)
        throw HubStartError(
            fmt::format("cannot listen on {} port {}", config_.listen_address, config_.port));
    widen_backlog();
    return port;
}

void HubServer::Impl::handle(const httplib::Request& req, httplib::Response& res) {
    // Everything, discovery included, needs a partner: deny by default.
    const auto partner = auth_.authenticate(req.get_header_value("Authorization"));
    if (!partner) {
        res.set_header("WWW-Authenticate",
                       fmt::format(R"(Basic realm="{}", charset="UTF-8")", kRealm));
        res.set_header("WWW-Authenticate", fmt::format(R"(Bearer realm="{}")", kRealm));
        send_error(res, 401,
                   "present a partner API key: HTTP Basic (partner name, key) or "
                   "'Authorization: Bearer <key>'",
                   "unauthenticated");
        return;
    }
    const auto route = resolve(config_, req.path);
    if (!route) return send_error(res, 404, "no TAXII resource at this path", "unknown-path");
    if (!method_allowed(route->resource, req.method)) {
        res.set_header("Allow", std::string(allowed_methods(route->resource)));
        return send_error(res, 405, fmt::format("{} is not allowed here", req.method),
                          "method-not-allowed");
    }
    const auto accept = req.has_header("Accept")
                            ? std::optional<std::string>(req.get_header_value("Accept"))
                            : std::nullopt;
    if (!accepts_taxii(accept))
        return send_error(res, 406, fmt::format("this server answers with {}", kTaxiiMediaType),
                          "not-acceptable");
    Call call{req, res, *partner, *route};
    switch (route->resource) {
        case Resource::discovery:
            return discovery(call);
        case Resource::api_root:
            return api_root(call);
        case Resource::status:
            return status(call);
        case Resource::collections:
            return collections(call);
        case Resource::collection:
            return collection(call);
        case Resource::objects:
            return req.method == "POST" ? post_objects(call) : get_objects(call);
        case Resource::object:
            return req.method == "DELETE" ? delete_object(call) : get_object(call);
        case Resource::versions:
            return versions(call);
        case Resource::manifest:
            return manifest(call);
    }
}

bool HubServer::Impl::root_visible(const PartnerRecord& partner, const ApiRootConfig& root) const {
    return std::any_of(root.collections.begin(), root.collections.end(), [&](const auto& c) {
        return partner.can_read(c.id) || partner.can_write(c.id);
    });
}

std::string HubServer::Impl::base_url(const httplib::Request& req) const {
    if (!config_.public_url.empty()) return config_.public_url;
    const auto host = req.get_header_value("Host");
    const std::string scheme = config_.tls() ? "https" : "http";
    if (plausible_host(host)) return scheme + "://" + host;
    return fmt::format("{}://{}:{}", scheme, config_.listen_address, config_.port);
}

// Collections a partner holds no right on answer 404, as if they did not exist (TAXII 2.1
// section 5.2 allows either; 404 reveals nothing). Once the partner can see the collection, a
// missing right is 403.
const CollectionConfig* HubServer::Impl::collection_access(Call& call, Need need) {
    const auto* c = config_.find_collection(*call.route.root, call.route.collection_id);
    const bool can_read = c && call.partner.can_read(c->id);
    const bool can_write = c && call.partner.can_write(c->id);
    if (!can_read && !can_write) {
        send_error(call.res, 404, "no such collection in this API root", "unknown-collection");
        return nullptr;
    }
    if ((need == Need::read || need == Need::read_and_write) && !can_read) {
        send_error(call.res, 403, "this partner may not read this collection", "no-read-access");
        return nullptr;
    }
    if ((need == Need::write || need == Need::read_and_write) && !can_write) {
        send_error(call.res, 403, "this partner may not write to this collection",
                   "no-write-access");
        return nullptr;
    }
    return c;
}

ReaderContext HubServer::Impl::reader_for(const PartnerRecord& partner,
                                          const CollectionConfig& c) const {
    return {partner.identity, partner.organisation, config_.in_community(c, partner.organisation),
            c.default_tlp};
}

std::optional<Filters> HubServer::Impl::filters(Call& call, unsigned accepted,
                                                const VersionSelection& dflt) {
    const FilterLimits limits{config_.page_default_limit, config_.page_max_limit, 100};
    auto parsed = parse_filters(call.req.params, accepted, dflt, limits);
    if (!parsed.error.empty()) {
        send_error(call.res, 400, parsed.error, "bad-filter");
        return std::nullopt;
    }
    return std::move(parsed.filters);
}

json HubServer::Impl::collection_resource(const PartnerRecord& partner,
                                          const CollectionConfig& c) const {
    json r = {{"id", c.id}, {"title", c.title}};
    if (!c.description.empty()) r["description"] = c.description;
    if (!c.alias.empty()) r["alias"] = c.alias;
    r["can_read"] = partner.can_read(c.id);
    r["can_write"] = partner.can_write(c.id);
    r["media_types"] = json::array({kStixMediaType});
    return r;
}

void HubServer::Impl::discovery(Call& call) {
    json body = {{"title", config_.title}};
    if (!config_.description.empty()) body["description"] = config_.description;
    if (!config_.contact.empty()) body["contact"] = config_.contact;
    const auto base = base_url(call.req);
    json roots = json::array();
    for (const auto& root : config_.api_roots) {
        if (!root_visible(call.partner, root)) continue;
        const auto url = fmt::format("{}/{}/", base, root.path);
        if (root.path == config_.default_api_root) body["default"] = url;
        roots.push_back(url);
    }
    if (!roots.empty()) body["api_roots"] = std::move(roots);
    send_json(call.res, 200, body.dump());
}

void HubServer::Impl::api_root(Call& call) {
    if (!root_visible(call.partner, *call.route.root))
        return send_error(call.res, 404, "no such API root", "unknown-api-root");
    json body = {{"title", call.route.root->title}};
    if (!call.route.root->description.empty()) body["description"] = call.route.root->description;
    body["versions"] = json::array({kTaxiiMediaType});
    body["max_content_length"] = config_.max_content_length;
    send_json(call.res, 200, body.dump());
}

void HubServer::Impl::status(Call& call) {
    // A status belongs to the partner that posted: others are told it does not exist.
    if (!root_visible(call.partner, *call.route.root))
        return send_error(call.res, 404, "no such API root", "unknown-api-root");
    const auto body = store_.status(call.route.root->path, call.route.status_id, call.partner.name);
    if (!body) return send_error(call.res, 404, "no such status resource", "unknown-status");
    send_json(call.res, 200, *body);
}

void HubServer::Impl::collections(Call& call) {
    if (!root_visible(call.partner, *call.route.root))
        return send_error(call.res, 404, "no such API root", "unknown-api-root");
    json list = json::array();
    for (const auto& c : call.route.root->collections)
        if (call.partner.can_read(c.id) || call.partner.can_write(c.id))
            list.push_back(collection_resource(call.partner, c));
    json body = json::object();
    if (!list.empty()) body["collections"] = std::move(list);
    send_json(call.res, 200, body.dump());
}

void HubServer::Impl::collection(Call& call) {
    if (const auto* c = collection_access(call, Need::any))
        send_json(call.res, 200, collection_resource(call.partner, *c).dump());
}

std::optional<VersionPage> HubServer::Impl::collection_page(Call& call, bool with_objects) {
    const auto* c = collection_access(call, Need::read);
    if (!c) return std::nullopt;
    const auto f = filters(call, kObjectsParams, last_version());
    if (!f) return std::nullopt;
    VersionPage page;
    if (f->spec_version_matches) {
        VersionQuery q{c->id,       reader_for(call.partner, *c),
                       f->ids,      f->types,
                       f->versions, f->added_after_us,
                       f->limit,    with_objects};
        page = store_.find_versions(q);
    }
    set_date_headers(call.res, page);
    return page;
}

void HubServer::Impl::get_objects(Call& call) {
    if (const auto page = collection_page(call, true)) send_json(call.res, 200, envelope(*page));
}

void HubServer::Impl::manifest(Call& call) {
    const auto found = collection_page(call, false);
    if (!found) return;
    const VersionPage& page = *found;
    json body = json::object();
    if (!page.rows.empty()) {
        body["more"] = page.more;
        json records = json::array();
        for (const auto& row : page.rows)
            records.push_back({{"id", row.object_id},
                               {"date_added", format_date_added(row.date_added_us)},
                               {"version", row.version_text},
                               {"media_type", kStixMediaType}});
        body["objects"] = std::move(records);
        add_next(body, page);
    }
    send_json(call.res, 200, body.dump());
}

void HubServer::Impl::get_object(Call& call) {
    const auto* c = collection_access(call, Need::read);
    if (!c) return;
    const auto f = filters(call, kObjectParams, last_version());
    if (!f) return;
    const auto reader = reader_for(call.partner, *c);
    VersionPage page;
    if (f->spec_version_matches) {
        VersionQuery q{c->id,    reader, {call.route.object_id}, {}, f->versions, f->added_after_us,
                       f->limit, true};
        page = store_.find_versions(q);
    }
    if (page.rows.empty() && !store_.object_visible(c->id, call.route.object_id, reader))
        return send_error(call.res, 404, "no such object in this collection", "unknown-object");
    set_date_headers(call.res, page);
    send_json(call.res, 200, envelope(page));
}

void HubServer::Impl::versions(Call& call) {
    const auto* c = collection_access(call, Need::read);
    if (!c) return;
    const auto f = filters(call, kVersionsParams, all_versions());
    if (!f) return;
    const auto reader = reader_for(call.partner, *c);
    VersionPage page;
    if (f->spec_version_matches) {
        VersionQuery q{c->id,    reader,         {call.route.object_id},
                       {},       all_versions(), f->added_after_us,
                       f->limit, false};
        page = store_.find_versions(q);
    }
    if (page.rows.empty() && !store_.object_visible(c->id, call.route.object_id, reader))
        return send_error(call.res, 404, "no such object in this collection", "unknown-object");
    set_date_headers(call.res, page);
    json body = json::object();
    if (!page.rows.empty()) {
        body["more"] = page.more;
        json list = json::array();
        for (const auto& row : page.rows) list.push_back(row.version_text);
        body["versions"] = std::move(list);
        add_next(body, page);
    }
    send_json(call.res, 200, body.dump());
}

void HubServer::Impl::delete_object(Call& call) {
    // Deleting needs both rights: a partner deletes only what it may read and write.
    const auto* c = collection_access(call, Need::read_and_write);
    if (!c) return;
    const auto f = filters(call, kDeleteParams, all_versions());
    if (!f) return;
    const auto reader = reader_for(call.partner, *c);
    if (!store_.object_visible(c->id, call.route.object_id, reader))
        return send_error(call.res, 404, "no such object in this collection", "unknown-object");
    const std::size_t deleted =
        f->spec_version_matches
            ? store_.delete_versions(c->id, call.route.object_id, reader, f->versions)
            : 0;
    if (deleted == 0)
        return send_error(call.res, 404, "no version of this object matches the filters",
                          "no-matching-version");
    send_json(call.res, 200, "");
}

void HubServer::Impl::post_objects(Call& call) {
    const auto* c = collection_access(call, Need::write);
    if (!c) return;
    if (!is_taxii_content_type(call.req.get_header_value("Content-Type")))
        return send_error(call.res, 415, fmt::format("POST an envelope as {}", kTaxiiMediaType),
                          "unsupported-media-type");
    const auto& text = call.req.body;
    if (text.size() > config_.max_content_length)
        return send_error(call.res, 413,
                          fmt::format("the body exceeds max_content_length ({} bytes)",
                                      config_.max_content_length),
                          "too-large");
    if (json_depth(text, config_.max_json_depth) > config_.max_json_depth)
        return send_error(call.res, 422,
                          fmt::format("JSON nested deeper than {} levels", config_.max_json_depth),
                          "too-deep");
    json envelope_json = json::parse(text, nullptr, false);
    if (envelope_json.is_discarded())
        return send_error(call.res, 400, "the body is not valid JSON", "malformed-json");
    if (!envelope_json.is_object() || !envelope_json.contains("objects") ||
        !envelope_json["objects"].is_array())
        return send_error(call.res, 422, "expected a TAXII envelope: {\"objects\": [...]}",
                          "not-an-envelope");
    const auto& objects = envelope_json["objects"];
    if (objects.size() > config_.max_objects_per_post)
        return send_error(
            call.res, 413,
            fmt::format("an envelope holds at most {} objects", config_.max_objects_per_post),
            "too-many-objects");

    // Every object is checked before the database is touched; then one transaction stores all
    // the valid ones with the status, or nothing when the database fails.
    std::vector<StixCheck> checks;
    std::vector<NewVersion> versions;
    checks.reserve(objects.size());
    versions.reserve(objects.size());
    for (const auto& object : objects) {
        checks.push_back(check_stix_object(object));
        NewVersion v;
        if (const auto& info = checks.back().info) {
            v.object_id = info->id;
            v.type = info->type;
            v.version_us = info->version_us;
            v.version_text = info->version_text;
            v.tlp = info->tlp;
            v.body = object.dump();
        }
        versions.push_back(std::move(v));
    }
    const auto status_id = random_uuid();
    const Creator creator{call.partner.name, call.partner.identity, call.partner.organisation};
    std::string status_body;
    store_.write([&](StoreWriter& writer) {
        json successes = json::array(), failures = json::array();
        for (std::size_t i = 0; i < checks.size(); ++i) {
            if (!checks[i].info) {
                failures.push_back({{"id", checks[i].reported_id},
                                    {"version", checks[i].reported_version},
                                    {"message", checks[i].error}});
                continue;
            }
            // An id and version already present is a success and is not stored twice; the
            // answer is the same either way, so it reveals nothing about invisible objects.
            const auto outcome = writer.insert_version(c->id, creator, versions[i]);
            successes.push_back({{"id", versions[i].object_id}, {"version", outcome.version_text}});
        }
        json status = {{"id", status_id},
                       {"status", "complete"},
                       {"request_timestamp", format_date_added(store_.now_us())},
                       {"total_count", checks.size()},
                       {"success_count", successes.size()},
                       {"failure_count", failures.size()},
                       {"pending_count", 0}};
        if (!successes.empty()) status["successes"] = std::move(successes);
        if (!failures.empty()) status["failures"] = std::move(failures);
        status_body = status.dump();
        writer.save_status(status_id, call.route.root->path, call.partner.name, status_body);
    });
    send_json(call.res, 202, status_body);
}

HubServer::HubServer(HubConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
HubServer::~HubServer() = default;

int HubServer::bind() {
    return impl_->bind();
}

bool HubServer::serve() {
    return impl_->serve();
}

void HubServer::stop() {
    impl_->stop();
}

Store& HubServer::store() {
    return impl_->store_;
}

const HubConfig& HubServer::config() const {
    return impl_->config_;
}

}  // namespace tocsin::hub
