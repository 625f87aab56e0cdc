#include "proto/bacnet/transaction.h"

#include <string>

#include "proto/bacnet/names.h"

namespace tocsin::proto::bacnet {

namespace {

constexpr std::uint16_t kDeviceObject = 8;

// Device object properties that identify a device (clause 12.11), by inventory key.
std::string_view identity_key(std::uint32_t property) {
    switch (property) {
        case 121:
            return "vendor";  // vendor-name
        case 120:
            return "vendor_id";  // vendor-identifier
        case 70:
            return "model";  // model-name
        case 44:
            return "firmware";  // firmware-revision
        case 77:
            return "name";  // object-name
        case 58:
            return "location";
        case 485:
            return "serial";  // serial-number
        default:
            return {};
    }
}

// The first value of a property as inventory text.
std::string text_of(const Value& v) {
    switch (v.kind) {
        case Value::Kind::character_string:
            return v.text;
        case Value::Kind::unsigned_int:
        case Value::Kind::enumerated:
            return std::to_string(v.u);
        case Value::Kind::object_id:
            return std::to_string(v.object.instance);
        default:
            return {};
    }
}

void add(applayer::DeviceFacts::Fields& side, std::string_view key, std::string value) {
    if (value.empty()) return;
    for (auto& [k, v] : side)
        if (k == key) return;  // the first one seen in the transaction
    side.emplace_back(key, std::move(value));
}

// An I-Am names its sender: the device instance and vendor.
void i_am(const Apdu& a, applayer::DeviceFacts::Fields& side) {
    if (a.objects.empty()) return;
    add(side, "object_id", std::to_string(a.objects.front().id.instance));
    for (const Param& p : a.params) {
        if (p.name == "vendor_id") add(side, "vendor_id", std::to_string(p.number));
        if (p.name == "vendor_name") add(side, "vendor", p.text);
    }
}

// A readProperty(Multiple) ACK on the device object names its sender.
void device_properties(const Apdu& a, applayer::DeviceFacts::Fields& side) {
    for (const ObjectRef& o : a.objects) {
        if (o.id.type != kDeviceObject) continue;
        if (o.id.instance != kWildcardInstance)
            add(side, "object_id", std::to_string(o.id.instance));
        for (const Property& p : o.properties) {
            if (p.values.empty() || p.array_index) continue;
            const Value& v = p.values.front();
            if (p.id == 75 && v.kind == Value::Kind::object_id) {  // object-identifier
                add(side, "object_id", std::to_string(v.object.instance));
                continue;
            }
            const std::string_view key = identity_key(p.id);
            if (key.empty()) continue;
            add(side, key, text_of(v));
            if (key == "vendor_id") {
                if (const auto name = vendor_name(static_cast<std::uint32_t>(v.u)); !name.empty())
                    add(side, "vendor", std::string(name));
            }
        }
    }
}

}  // namespace

// Roles: writeProperty(Multiple) and writeGroup from the client are control; reinitializeDevice,
// deviceCommunicationControl, atomicWriteFile (a program or configuration download),
// createObject and deleteObject (they change the device's configuration) are engineering.
void BacnetTransaction::describe_devices(applayer::DeviceFacts& out) const {
    for (const Entry& e : messages) {
        if (!e.message.apdu) continue;
        const Apdu& a = *e.message.apdu;
        auto& sender = e.dir == applayer::Direction::to_server ? out.client : out.server;
        if (a.type == PduType::unconfirmed_request && a.service == 0) i_am(a, sender);
        if (a.type == PduType::complex_ack && (a.service == 12 || a.service == 14))
            device_properties(a, sender);
        if (e.dir != applayer::Direction::to_server || !a.service) continue;
        const std::uint8_t s = *a.service;
        if (a.type == PduType::confirmed_request) {
            if (s == 15 || s == 16) out.control = true;
            if (s == 7 || s == 10 || s == 11 || s == 17 || s == 20) out.engineering = true;
        }
        if (a.type == PduType::unconfirmed_request && s == 10) out.control = true;  // writeGroup
    }
}

}  // namespace tocsin::proto::bacnet
