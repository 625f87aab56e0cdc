#include "intel/sightings.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/rfc3339.h"
#include "intel/uuid.h"

namespace tocsin::intel {

namespace {

// The identity never changes for a given name, so its single version has a fixed creation
// time: the Unix epoch.
constexpr Timestamp kIdentityCreated{0, 0};
constexpr std::uint64_t kMaxCount = 999'999'999;  // STIX 2.1 sighting count maximum

// STIX created/modified are given to the millisecond.
Timestamp to_millis(Timestamp ts) {
    return {ts.sec, ts.usec / 1000 * 1000};
}

}  // namespace

SensorIdentity SensorIdentity::named(std::string_view name) {
    SensorIdentity identity;
    identity.name = std::string(name);
    identity.id = derived_stix_id("identity", name);
    return identity;
}

SensorIdentity SensorIdentity::from_config(const Config& config) {
    std::string name = config.get_string("sensor.name");
    if (name.empty()) {
        char host[256] = {};
        if (gethostname(host, sizeof host - 1) == 0) name = host;
    }
    if (name.empty()) name = "tocsin";
    SensorIdentity identity = named(name);
    if (const std::string id = config.get_string("sensor.identity"); !id.empty()) {
        if (!is_stix_id(id) || id.rfind("identity--", 0) != 0)
            throw ConfigError(
                fmt::format("sensor.identity: '{}' is not a STIX id identity--<uuid>", id));
        identity.id = id;
    }
    return identity;
}

void SightingLog::add(std::uint32_t indicator, Timestamp ts) {
    auto [it, fresh] = entries_.try_emplace(indicator, Entry{0, ts, ts});
    Entry& e = it->second;
    ++e.count;
    if (!fresh) {
        e.first_seen = std::min(e.first_seen, ts);
        e.last_seen = std::max(e.last_seen, ts);
    }
}

void SightingLog::merge(const SightingLog& other) {
    for (const auto& [indicator, o] : other.entries_) {
        auto [it, fresh] = entries_.try_emplace(indicator, o);
        if (fresh) continue;
        Entry& e = it->second;
        e.count += o.count;
        e.first_seen = std::min(e.first_seen, o.first_seen);
        e.last_seen = std::max(e.last_seen, o.last_seen);
    }
}

std::string SightingLog::bundle_json(const IntelSet& set, const SensorIdentity& identity,
                                     Timestamp created) const {
    using json = nlohmann::ordered_json;
    json objects = json::array();
    objects.push_back({
        {"type", "identity"},
        {"spec_version", "2.1"},
        {"id", identity.id},
        {"created", format_rfc3339(kIdentityCreated, 3)},
        {"modified", format_rfc3339(kIdentityCreated, 3)},
        {"name", identity.name},
        {"identity_class", "system"},
    });
    for (const auto& [index, e] : entries_) {
        if (index >= set.size()) continue;
        const IndicatorInfo& info = set.indicator(index);
        const std::string indicator_id =
            is_stix_id(info.id) ? info.id : derived_stix_id("indicator", info.id);
        const std::string first_seen = format_rfc3339(e.first_seen, 6);
        const Timestamp sighting_created = to_millis(e.first_seen);
        const Timestamp modified = std::max(to_millis(created), sighting_created);
        objects.push_back({
            {"type", "sighting"},
            {"spec_version", "2.1"},
            {"id", derived_stix_id("sighting",
                                   fmt::format("{}|{}|{}", identity.id, indicator_id, first_seen))},
            {"created", format_rfc3339(sighting_created, 3)},
            {"modified", format_rfc3339(modified, 3)},
            {"created_by_ref", identity.id},
            {"sighting_of_ref", indicator_id},
            {"count", std::min(e.count, kMaxCount)},
            {"first_seen", first_seen},
            {"last_seen", format_rfc3339(e.last_seen, 6)},
            {"where_sighted_refs", json::array({identity.id})},
        });
    }
    json bundle = {
        {"type", "bundle"},
        {"id", derived_stix_id("bundle", fmt::format("{}|{}|{}", identity.id,
                                                     format_rfc3339(created, 6), entries_.size()))},
        {"objects", std::move(objects)},
    };
    return bundle.dump() + "\n";
}

}  // namespace tocsin::intel
