// What the sensor saw of its intelligence, as STIX 2.1 sightings for the hub: per indicator
// that fired, how often and when first and last (packet time), in a bundle with the sensor's
// own identity object. Ids are name-based UUIDs, so re-running a capture yields the same
// sighting ids (with a newer `modified`).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/timestamp.h"
#include "intel/intel.h"

namespace tocsin::intel {

struct SensorIdentity {
    std::string id;    // "identity--<uuid>"
    std::string name;  // sensor.name, else the host name

    // sensor.name (default: gethostname) and sensor.identity (default:
    // identity--<uuidv5(Tocsin namespace, name)>); throws ConfigError on a malformed id.
    static SensorIdentity from_config(const Config& config);
    static SensorIdentity named(std::string_view name);
};

class SightingLog {
  public:
    struct Entry {
        std::uint64_t count = 0;
        Timestamp first_seen;
        Timestamp last_seen;
    };

    void add(std::uint32_t indicator, Timestamp ts);
    void merge(const SightingLog& other);
    std::size_t size() const { return entries_.size(); }  // indicators sighted
    const std::map<std::uint32_t, Entry>& entries() const { return entries_; }

    // A STIX 2.1 bundle: the identity (identity_class "system"), then one sighting per
    // indicator in index order. `created` is when the bundle is made (wall clock).
    std::string bundle_json(const IntelSet& set, const SensorIdentity& identity,
                            Timestamp created) const;

  private:
    std::map<std::uint32_t, Entry> entries_;  // ordered: the same bundle for the same input
};

}  // namespace tocsin::intel
