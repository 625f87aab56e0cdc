// Threat intelligence in the sensor: indicators from STIX 2.1 bundles, MISP feeds and CSV,
// compiled into one immutable set that every worker matches against without locks.
//
// Contract with the pipeline (src/pipeline/worker.cpp): a worker builds an `Observation` for a
// flow (addresses, ports, protocols) or for one observable of a transaction (a domain, a URL, a
// file hash, a JA3...) together with the flow's facts, and calls `IntelSet::match`. Which
// indicators fired is the set's business; when to ask and how often to alert is the worker's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"

namespace tocsin::intel {

// TLP 2.0, most open first (a larger value is more restrictive).
enum class Tlp : std::uint8_t { none, clear, green, amber, amber_strict, red };
std::string_view tlp_name(Tlp tlp);  // "clear", "green", "amber", "amber+strict", "red", ""

// What an alert and a sighting say about the indicator that fired.
struct IndicatorInfo {
    std::string id;       // "indicator--<uuid>", or a stable id made for MISP/CSV entries
    std::string name;     // STIX name, MISP event info + attribute, CSV description
    std::string source;   // the file (or TAXII collection) it came from, as loaded
    std::string pattern;  // the STIX pattern (MISP/CSV: the equivalent pattern Tocsin made)
    std::vector<std::string> types;  // indicator_types / MISP category
    Tlp tlp = Tlp::none;
    std::int64_t valid_from_us = 0;   // micros since the epoch; 0: no lower bound
    std::int64_t valid_until_us = 0;  // 0: no upper bound
};

// The kinds of values a transaction shows (applayer::Observable mirrors this list).
enum class ObservableKind : std::uint8_t {
    none,
    domain,  // DNS query name, TLS SNI, HTTP Host (no port); matched with its parents
    url,     // "http://host[:port]/path?query" as requested
    md5,     // lower-case hex digests of a transferred file
    sha1,
    sha256,
    ja3,  // JA3 / JA3S md5, JA4 string of a TLS handshake
    ja3s,
    ja4,
    x509_sha1,  // certificate fingerprint, lower-case hex without separators
};

// Facts about one flow (oriented client -> server) and optionally one observable of it.
struct Observation {
    IpAddress client;  // family 0: not an IP flow
    IpAddress server;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    std::uint8_t ip_proto = 0;                   // 6 tcp, 17 udp, 1/58 icmp
    std::string_view app_proto;                  // "http", "tls", "dns"...; empty: not known (yet)
    ObservableKind kind = ObservableKind::none;  // none: a flow-level observation
    std::string_view value;                      // the observable (kind != none)
    Timestamp time;  // packet time; validity windows are checked against it
};

// Indices of the indicators that fired, into IntelSet::indicator(); deduplicated per call.
using Hits = std::vector<std::uint32_t>;

class IntelSet {
  public:
    virtual ~IntelSet() = default;

    // Appends to `hits` every indicator whose pattern the observation satisfies. Flow-level
    // observations evaluate address, port and protocol patterns (an ipv4-addr indicator
    // matches client or server); observable ones evaluate patterns on that observable (and
    // compound patterns combining it with the flow's facts). No allocation when nothing fires.
    virtual void match(const Observation& observation, Hits& hits) const = 0;

    virtual const IndicatorInfo& indicator(std::uint32_t index) const = 0;
    virtual std::size_t size() const = 0;

    // Which observables any indicator needs: the worker skips the rest (and file hashing).
    virtual bool wants(ObservableKind kind) const = 0;
    virtual bool wants_flows() const = 0;  // any address/port/protocol pattern
};

}  // namespace tocsin::intel
