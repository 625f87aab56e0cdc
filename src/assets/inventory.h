// Passive asset inventory: every device seen on the wire, keyed by IP address (or by MAC for
// devices without IP, such as GOOSE publishers), with its MAC addresses and their vendor, the
// roles it plays (Modbus server, DNP3 master, PLC, HMI, engineering workstation...), the
// protocols it speaks and the identity its protocols reveal (Modbus device identification, CIP
// ListIdentity, S7 SZL module data, BACnet device object, MMS identify).
//
// Workers describe what they see as Sightings (a flow direction's first packet gives an address
// and its MAC; a transaction of a protocol with asset roles gives roles and identity); the
// writer thread applies them in capture order. Memory is bounded: at most `max_devices`
// devices, and a bounded number of MACs, roles, protocols and identity fields per device.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "applayer/protocol.h"
#include "assets/oui.h"
#include "core/address.h"
#include "core/config.h"
#include "core/timestamp.h"
#include "flow/flow.h"

namespace tocsin::output {
class JsonWriter;
}

namespace tocsin::assets {

struct Asset {
    std::optional<IpAddress> ip;   // none: a device seen only at layer 2
    std::vector<MacAddress> macs;  // most recent first
    std::string vendor;            // of the most recent MAC with a registered vendor
    std::set<std::string> roles;
    std::set<std::string> protocols;
    std::map<std::string, std::string> identity;
    Timestamp first_seen;
    Timestamp last_seen;

    std::string key() const;  // the IP address text, or "mac:" + MAC for layer-2 devices
};

struct InventoryOptions {
    bool enabled = true;
    std::size_t max_devices = 65536;
    std::string oui_folder = "/usr/share/ieee-data";
    // Which addresses become devices by being seen alone (a flow's endpoint with its MAC);
    // devices that speak an industrial protocol always do. Default: every address.
    std::function<bool(const IpAddress&)> is_local;

    static InventoryOptions from_config(const Config& config);
};

// One thing seen about one device, made by a worker from a packet or a transaction and applied
// to the inventory by the thread that writes EVE, in capture order: the inventory and its
// records are the same whatever the number of workers, and need no lock.
struct Sighting {
    Timestamp ts;
    std::optional<IpAddress> ip;  // none: a layer-2 device, keyed by `mac`
    std::optional<MacAddress> mac;
    std::string protocol;
    std::vector<std::string> roles;
    applayer::DeviceFacts::Fields identity;
    std::uint64_t flow_id = 0;
    bool industrial = false;  // a peer of a protocol with asset roles: a device wherever it is
};

// A packet from `ip` in an Ethernet frame from `mac` (null: not Ethernet, or tunnelled).
Sighting address_sighting(Timestamp ts, const IpAddress& ip, const MacAddress* mac,
                          std::uint64_t flow_id);
// Both ends of a transaction of `spec` on `flow`: roles, protocol, identity. None when the
// protocol has no asset roles (HTTP, DNS...).
std::vector<Sighting> transaction_sightings(Timestamp ts, const flow::Flow& flow,
                                            const applayer::ProtocolSpec& spec,
                                            const applayer::Transaction& tx);

class Inventory {
  public:
    explicit Inventory(InventoryOptions options);

    // Applies a sighting; the device's EVE `asset` record when it appeared or changed.
    std::optional<std::string> record(const Sighting& sighting);

    std::vector<Asset> snapshot() const;  // sorted: IPv4, IPv6, then layer-2 devices
    std::size_t size() const { return devices_.size(); }
    std::uint64_t dropped() const { return dropped_; }
    bool enabled() const { return options_.enabled; }

    // assets.json: {"devices": [...], "count": N, "dropped": N}.
    std::string to_json() const;

  private:
    InventoryOptions options_;
    OuiTable oui_;
    std::unordered_map<std::string, Asset> devices_;
    std::uint64_t dropped_ = 0;
};

// The `asset` member of an EVE record (an assets.json entry is its value).
void write_asset(const Asset& asset, output::JsonWriter& out);

// Reads assets.json and formats the table `tocsin assets LOGDIR` prints; error text on failure
// (returned through `error`).
std::string format_asset_table(const std::string& assets_json, std::string& error);

}  // namespace tocsin::assets
