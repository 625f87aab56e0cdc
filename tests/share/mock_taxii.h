// An in-process TAXII 2.1 server for the share tests: discovery, one API root ("/api1/"), one
// collection, objects with `added_after`, `limit`, `next`/`more` and the X-TAXII-Date-Added
// headers, add objects with status resources (complete or pending), and faults on demand. It
// keeps its own list of objects with their date_added, so tests compute what a client should
// end up with from the mock's data, never from the client's output.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace tocsin::share::testing {

inline constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

struct StoredObject {
    std::string date_added;  // "2024-03-01T00:00:00.000Z" + n seconds: sorts as text
    nlohmann::json object;
};

struct RecordedRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> params;
    std::string authorization;
    std::string accept;
    std::string content_type;
    std::string body;
};

class MockTaxii {
  public:
    // Plain HTTP on 127.0.0.1, or HTTPS when `server` is an httplib::SSLServer.
    explicit MockTaxii(std::unique_ptr<httplib::Server> server = nullptr);
    ~MockTaxii();
    MockTaxii(const MockTaxii&) = delete;
    MockTaxii& operator=(const MockTaxii&) = delete;

    int port() const { return port_; }
    std::string origin() const;  // "http://127.0.0.1:PORT" (https for an SSLServer)
    std::string api_root_url() const { return origin() + "/api1/"; }
    std::string discovery_url() const { return origin() + "/taxii2/"; }

    // Adds `count` indicator objects, each added one second after the previous one.
    void add_indicators(int count);
    std::vector<StoredObject> objects() const;

    // --- behaviour (thread-safe setters) ---
    void set_paging_by_next(bool by_next);           // false: only more + X-TAXII headers
    void set_required_authorization(std::string v);  // the exact header value; "" = none
    void set_echo_authorization(bool on);            // 401 bodies quote the header received
    // Objects requests answered normally before every further one fails with 503.
    void fail_objects_after(int served);
    void fail_next_requests(int count);  // the next `count` requests of any kind get 503
    void expire_tokens();                // every `next` issued so far becomes unknown (400)
    void set_max_content_length(std::size_t bytes);
    // Add objects: after `served` POSTs every further one fails with 503.
    void fail_posts_after(int served);
    void reject_ids(std::set<std::string> ids);  // listed as failures in the status
    void set_pending_polls(int polls);           // status stays "pending" for this many status GETs
    void heal();                                 // clears every fault
    void set_objects_delay(std::chrono::milliseconds delay);  // before each objects answer

    // --- what the server saw ---
    std::vector<RecordedRequest> requests() const;
    std::vector<RecordedRequest> requests_to(const std::string& path_part) const;
    std::vector<nlohmann::json> posted_objects() const;  // every object of every POST
    void clear_requests();

  private:
    void install_routes();
    bool authorized(const httplib::Request& request, httplib::Response& response);
    void record(const httplib::Request& request);
    void get_objects(const httplib::Request& request, httplib::Response& response);
    void post_objects(const httplib::Request& request, httplib::Response& response);
    void get_status(const httplib::Request& request, httplib::Response& response);
    nlohmann::json status_resource(const std::string& id, bool final) const;

    std::unique_ptr<httplib::Server> server_;
    bool tls_ = false;
    int port_ = 0;
    std::thread thread_;

    mutable std::mutex mutex_;
    std::vector<StoredObject> objects_;
    bool paging_by_next_ = true;
    std::string required_authorization_;
    bool echo_authorization_ = false;
    int objects_served_ = 0;
    int fail_objects_after_ = -1;
    int fail_next_requests_ = 0;
    std::map<std::string, std::size_t> tokens_;  // next token -> offset
    int token_counter_ = 0;
    std::size_t max_content_length_ = 100u << 20;
    int posts_served_ = 0;
    int fail_posts_after_ = -1;
    std::set<std::string> rejected_ids_;
    int pending_polls_ = 0;
    std::chrono::milliseconds objects_delay_{0};
    struct PostedStatus {
        std::vector<std::pair<std::string, std::string>> accepted;  // id, version
        std::vector<std::pair<std::string, std::string>> rejected;
        int polls_left = 0;
    };
    std::map<std::string, PostedStatus> statuses_;
    std::vector<RecordedRequest> requests_;
    std::vector<nlohmann::json> posted_;
};

}  // namespace tocsin::share::testing
