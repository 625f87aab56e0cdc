#include "hub_fixture.h"

#include <stdlib.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hub/auth.h"

namespace tocsin::hub::testing {

TempDir::TempDir() {
    const auto base = std::filesystem::temp_directory_path() / "tocsin-hub-test-XXXXXX";
    std::string pattern = base.string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

TestHub::TestHub(const std::string& yaml) {
    const auto full = fmt::format("database: {}\nlisten:\n  address: 127.0.0.1\n  port: 0\n{}",
                                  (dir_.path() / "hub.db").string(), yaml);
    server_ = std::make_unique<HubServer>(parse_hub_config(full));
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->serve(); });
    // listen_after_bind starts accepting at once; a request made before that waits in the
    // socket backlog, so no readiness wait is needed.
}

TestHub::~TestHub() {
    server_->stop();
    thread_.join();
}

TestPartner TestHub::add_partner(const std::string& name, const std::string& organisation,
                                 const std::vector<std::string>& read,
                                 const std::vector<std::string>& write) {
    const auto key = issue_api_key();
    PartnerRecord p;
    p.name = name;
    p.organisation = organisation;
    p.identity = new_identity_id();
    p.key_id = key.key_id;
    p.secret_hash = hash_secret(key.secret);
    p.created_us = 1;
    for (const auto& c : read) p.grants.push_back({c, true, false});
    for (const auto& c : write) {
        bool merged = false;
        for (auto& g : p.grants)
            if (g.collection == c) merged = g.write = true;
        if (!merged) p.grants.push_back({c, false, true});
    }
    server_->store().add_partner(p);
    return {name, organisation, p.identity, key.text()};
}

std::unique_ptr<httplib::Client> TestHub::client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_connection_timeout(5);
    c->set_read_timeout(30);
    return c;
}

httplib::Result TestHub::get(const TestPartner& who, const std::string& path,
                             const httplib::Headers& headers) {
    auto c = client();
    if (!who.name.empty()) c->set_basic_auth(who.name, who.key);
    httplib::Headers h = headers;
    if (h.find("Accept") == h.end()) h.emplace("Accept", "application/taxii+json;version=2.1");
    return c->Get(path, h);
}

httplib::Result TestHub::post(const TestPartner& who, const std::string& path,
                              const std::string& body, const std::string& content_type) {
    auto c = client();
    if (!who.name.empty()) c->set_basic_auth(who.name, who.key);
    return c->Post(path, {{"Accept", "application/taxii+json;version=2.1"}}, body, content_type);
}

httplib::Result TestHub::del(const TestPartner& who, const std::string& path) {
    auto c = client();
    if (!who.name.empty()) c->set_basic_auth(who.name, who.key);
    return c->Delete(path, {{"Accept", "application/taxii+json;version=2.1"}});
}

nlohmann::json TestHub::post_objects(const TestPartner& who, const std::string& collection_path,
                                     const nlohmann::json& objects) {
    // A braced single object ({o}) reaches here as the object itself, not a list of one.
    const auto list = objects.is_array() ? objects : nlohmann::json::array({objects});
    const auto res =
        post(who, collection_path + "objects/", nlohmann::json{{"objects", list}}.dump());
    if (!res) {
        ADD_FAILURE() << "POST failed: " << httplib::to_string(res.error());
        return {};
    }
    EXPECT_EQ(res->status, 202) << res->body;
    return nlohmann::json::parse(res->body, nullptr, false);
}

std::string stix_id(const std::string& type, unsigned a, unsigned b) {
    return fmt::format("{}--{:08x}-{:04x}-4000-8000-{:012x}", type, a, b & 0xffff, 0xabcdefu + a);
}

nlohmann::json indicator(const std::string& id, const std::string& modified,
                         const std::vector<std::string>& markings) {
    nlohmann::json o = {{"type", "indicator"},
                        {"spec_version", "2.1"},
                        {"id", id},
                        {"created", "2024-01-01T00:00:00.000Z"},
                        {"modified", modified},
                        {"name", "test indicator"},
                        {"pattern", "[ipv4-addr:value = '198.51.100.7']"},
                        {"pattern_type", "stix"},
                        {"valid_from", "2024-01-01T00:00:00Z"}};
    if (!markings.empty()) o["object_marking_refs"] = markings;
    return o;
}

std::vector<std::string> ids_of(const nlohmann::json& list) {
    std::vector<std::string> out;
    if (!list.is_array()) return out;
    for (const auto& o : list) out.push_back(o.value("id", ""));
    return out;
}

}  // namespace tocsin::hub::testing
