#include "assets/inventory.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace tocsin::assets {
namespace {

struct PlcRead : applayer::Transaction {
    applayer::DeviceFacts facts;
    void describe_devices(applayer::DeviceFacts& out) const override { out = facts; }
};

applayer::ProtocolSpec plc_protocol() {
    applayer::ProtocolSpec spec;
    spec.name = "modbus";
    spec.client_role = "modbus client";
    spec.server_role = "modbus server";
    return spec;
}

flow::Flow make_flow(const char* client, const char* server) {
    flow::Flow f;
    f.client_addr = *IpAddress::parse(client);
    f.server_addr = *IpAddress::parse(server);
    f.flow_id = 42;
    return f;
}

InventoryOptions no_registry() {
    InventoryOptions o;
    o.oui_folder = "";
    return o;
}

Timestamp at(std::int64_t sec) {
    Timestamp t;
    t.sec = sec;
    return t;
}

// Applies what a transaction shows, as the writer does: the records it yields.
std::vector<std::string> observe(Inventory& inv, Timestamp ts, const flow::Flow& flow,
                                 const applayer::ProtocolSpec& spec,
                                 const applayer::Transaction& tx) {
    std::vector<std::string> records;
    for (const Sighting& s : transaction_sightings(ts, flow, spec, tx))
        if (auto r = inv.record(s)) records.push_back(*r);
    return records;
}

TEST(Inventory, TransactionsGiveRolesProtocolsAndIdentity) {
    Inventory inv(no_registry());
    const applayer::ProtocolSpec spec = plc_protocol();
    const flow::Flow flow = make_flow("10.0.0.5", "10.0.0.9");
    PlcRead tx;
    tx.facts.server = {{"vendor", "Schneider Electric"}, {"product_code", "BMX P34 2020"}};
    std::vector<std::string> records = observe(inv, at(100), flow, spec, tx);
    ASSERT_EQ(records.size(), 2u);  // both ends are new
    const auto client = nlohmann::json::parse(records[0]);
    EXPECT_EQ(client["event_type"], "asset");
    EXPECT_EQ(client["change"], "new");
    EXPECT_EQ(client["flow_id"], 42);
    EXPECT_EQ(client["asset"]["ip"], "10.0.0.5");
    EXPECT_EQ(client["asset"]["roles"], nlohmann::json::array({"modbus client"}));
    const auto server = nlohmann::json::parse(records[1]);
    EXPECT_EQ(server["asset"]["identity"]["vendor"], "Schneider Electric");
    EXPECT_EQ(server["asset"]["protocols"], nlohmann::json::array({"modbus"}));

    // The same facts again change nothing and write nothing.
    EXPECT_TRUE(observe(inv, at(101), flow, spec, tx).empty());

    // A write makes the client an HMI and the server a PLC: one "changed" record each.
    tx.facts.control = true;
    records = observe(inv, at(102), flow, spec, tx);
    ASSERT_EQ(records.size(), 2u);
    const auto changed = nlohmann::json::parse(records[0]);
    EXPECT_EQ(changed["change"], "changed");
    EXPECT_EQ(changed["changed"], nlohmann::json::array({"roles"}));
    EXPECT_EQ(changed["asset"]["roles"], nlohmann::json::array({"hmi", "modbus client"}));
    EXPECT_EQ(nlohmann::json::parse(records[1])["asset"]["roles"],
              nlohmann::json::array({"modbus server", "plc"}));

    // Programming: engineering workstation.
    tx.facts.control = false;
    tx.facts.engineering = true;
    records = observe(inv, at(103), flow, spec, tx);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(nlohmann::json::parse(records[0])["asset"]["roles"],
              nlohmann::json::array({"engineering workstation", "hmi", "modbus client"}));

    const std::vector<Asset> all = inv.snapshot();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].key(), "10.0.0.5");
    EXPECT_EQ(all[0].first_seen.sec, 100);
    EXPECT_EQ(all[0].last_seen.sec, 103);
}

TEST(Inventory, ProtocolsWithoutRolesAreIgnored) {
    Inventory inv(no_registry());
    applayer::ProtocolSpec http;
    http.name = "http";
    PlcRead tx;
    EXPECT_TRUE(observe(inv, at(1), make_flow("10.0.0.1", "10.0.0.2"), http, tx).empty());
    EXPECT_EQ(inv.size(), 0u);
}

TEST(Inventory, AddressesOutsideTheNetworksOnlyUpdateKnownDevices) {
    InventoryOptions o = no_registry();
    o.is_local = [](const IpAddress& ip) { return ip.to_string().starts_with("192.168."); };
    Inventory inv(o);
    const MacAddress mac{0x00, 0x1d, 0x9c, 0x01, 0x02, 0x03};
    EXPECT_FALSE(inv.record(address_sighting(at(1), *IpAddress::parse("8.8.8.8"), &mac, 1)));
    auto rec = inv.record(address_sighting(at(1), *IpAddress::parse("192.168.1.7"), &mac, 1));
    ASSERT_TRUE(rec);
    EXPECT_EQ(nlohmann::json::parse(*rec)["asset"]["mac"], "00:1d:9c:01:02:03");
    EXPECT_EQ(inv.size(), 1u);
    // A multicast source MAC never becomes the device's MAC.
    const MacAddress group{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    EXPECT_FALSE(inv.record(address_sighting(at(2), *IpAddress::parse("192.168.1.7"), &group, 1)));
    // An industrial peer is a device wherever its address lies.
    PlcRead tx;
    EXPECT_EQ(observe(inv, at(3), make_flow("192.168.1.7", "8.8.4.4"), plc_protocol(), tx).size(),
              2u);
}

TEST(Inventory, BoundedDevicesAndFields) {
    InventoryOptions o = no_registry();
    o.max_devices = 3;
    Inventory inv(o);
    for (int i = 1; i <= 5; ++i)
        inv.record(
            address_sighting(at(i), *IpAddress::parse("10.1.1." + std::to_string(i)), nullptr, 1));
    EXPECT_EQ(inv.size(), 3u);
    EXPECT_EQ(inv.dropped(), 2u);

    Inventory fields(no_registry());
    PlcRead tx;
    std::vector<std::string> names;
    for (int i = 0; i < 100; ++i) names.push_back("field" + std::to_string(i));
    for (const std::string& n : names) tx.facts.server.emplace_back(n, std::string(1000, 'x'));
    observe(fields, at(1), make_flow("10.0.0.1", "10.0.0.2"), plc_protocol(), tx);
    const std::vector<Asset> all = fields.snapshot();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].identity.size(), 32u);
    EXPECT_EQ(all[1].identity.begin()->second.size(), 256u);
}

TEST(Inventory, JsonFileAndTable) {
    Inventory inv(no_registry());
    PlcRead tx;
    tx.facts.server = {{"vendor", "Siemens"}, {"serial", "S C-X4U421302009"}};
    observe(inv, at(1), make_flow("10.0.0.1", "10.0.0.2"), plc_protocol(), tx);
    Sighting publisher;
    publisher.ts = at(2);
    publisher.mac = MacAddress{0x00, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
    publisher.protocol = "goose";
    publisher.roles = {"goose publisher"};
    publisher.industrial = true;
    inv.record(publisher);
    const auto doc = nlohmann::json::parse(inv.to_json());
    EXPECT_EQ(doc["count"], 3);
    ASSERT_EQ(doc["devices"].size(), 3u);
    EXPECT_EQ(doc["devices"][0]["ip"], "10.0.0.1");
    EXPECT_EQ(doc["devices"][2]["mac"], "00:0a:0b:0c:0d:0e");
    EXPECT_FALSE(doc["devices"][2].contains("ip"));

    std::string error;
    const std::string table = format_asset_table(inv.to_json(), error);
    EXPECT_EQ(error, "");
    EXPECT_NE(table.find("10.0.0.2"), std::string::npos);
    EXPECT_NE(table.find("serial=S C-X4U421302009 vendor=Siemens"), std::string::npos);
    EXPECT_NE(table.find("goose publisher"), std::string::npos);
    EXPECT_NE(table.find("3 devices"), std::string::npos);
    format_asset_table("{\"nope\":1}", error);
    EXPECT_NE(error, "");
}

}  // namespace
}  // namespace tocsin::assets
