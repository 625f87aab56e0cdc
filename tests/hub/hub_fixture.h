// An in-process hub for tests: a temporary folder with hub.yaml and the database, the server
// on 127.0.0.1 with an ephemeral port in a thread, partners made directly in the store, and
// an httplib client per request.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "hub/server.h"

namespace tocsin::hub::testing {

struct TestPartner {
    std::string name;
    std::string organisation;
    std::string identity;
    std::string key;  // "<key-id>.<secret>"
};

// A temporary folder removed with the object.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

class TestHub {
  public:
    // `yaml`: a whole hub.yaml; "database" and "listen" are added (port 0 on 127.0.0.1).
    explicit TestHub(const std::string& yaml);
    ~TestHub();

    TestPartner add_partner(const std::string& name, const std::string& organisation,
                            const std::vector<std::string>& read,
                            const std::vector<std::string>& write);

    httplib::Result get(const TestPartner& who, const std::string& path,
                        const httplib::Headers& headers = {});
    httplib::Result post(const TestPartner& who, const std::string& path, const std::string& body,
                         const std::string& content_type = "application/taxii+json;version=2.1");
    httplib::Result del(const TestPartner& who, const std::string& path);
    std::unique_ptr<httplib::Client> client() const;

    // POSTs {"objects": objects} and returns the status resource (checks 202).
    nlohmann::json post_objects(const TestPartner& who, const std::string& collection_path,
                                const nlohmann::json& objects);

    int port() const { return port_; }
    HubServer& server() { return *server_; }
    const std::filesystem::path& dir() const { return dir_.path(); }

  private:
    TempDir dir_;
    std::unique_ptr<HubServer> server_;
    std::thread thread_;
    int port_ = 0;
};

// "indicator--<uuid>" from two numbers (a valid RFC 4122 version 4 UUID).
std::string stix_id(const std::string& type, unsigned a, unsigned b = 0);

// A valid indicator; `markings` become object_marking_refs when not empty.
nlohmann::json indicator(const std::string& id, const std::string& modified,
                         const std::vector<std::string>& markings = {});

// The ids of a list of objects or manifest records.
std::vector<std::string> ids_of(const nlohmann::json& list);

}  // namespace tocsin::hub::testing
