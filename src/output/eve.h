// EVE JSON records, field for field as Suricata writes them, so existing consumers work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "applayer/applayer.h"
#include "applayer/protocol.h"
#include "core/config.h"
#include "core/packet.h"
#include "decode/decoder.h"
#include "detect/engine.h"
#include "flow/flow.h"
#include "stream/tcp.h"

namespace tocsin::output {

// "TCP", "UDP", "ICMP", "IPv6-ICMP", ... or the number.
std::string proto_name(std::uint8_t proto);

// A flow that ended; `now` is the packet time at which it ended.
std::string flow_event(const flow::Flow& flow, flow::EndReason reason, Timestamp now);

// One anomaly found on a packet; `flow` may be null (no flow: not IP, truncated, ...).
std::string anomaly_event(const Packet& pkt, Anomaly anomaly, const flow::Flow* flow,
                          std::string_view pcap_filename);

// An application-layer event (malformed or evasive traffic a parser saw) raised on `tx`, or
// on the flow when `tx` is null: Suricata's anomaly record of type "applayer".
std::string app_anomaly_event(const Packet& pkt, const flow::Flow& flow, std::string_view event,
                              const applayer::Transaction* tx, std::string_view pcap_filename);

// What alerts carry besides the rule, the transaction and the flow: Suricata's eve-log alert
// options (outputs.eve.alert.*, or suricata.yaml's "- alert: {payload: yes, packet: yes}").
struct AlertExtras {
    bool payload = false;              // "payload": the packet's payload, base64
    bool payload_printable = false;    // "payload_printable": its printable characters
    bool packet = false;               // "packet" (the frame, base64) and "packet_info"
    std::size_t payload_limit = 4096;  // payload-buffer-size: payload bytes logged at most

    static AlertExtras from_config(const Config& config);
};

// A rule's alert on a packet; `flow` may be null.
std::string alert_event(const Packet& pkt, const flow::Flow* flow, flow::Direction dir,
                        const detect::Alert& alert, std::string_view pcap_filename,
                        const AlertExtras& extras = {});

// Record `record` of an application-layer transaction (http, dns, tls, fileinfo...): the
// common header oriented as the record's direction, then the protocol's members. `pkt` is the
// packet that completed it, null when the flow's end did.
std::string transaction_event(const flow::Flow& flow, const applayer::ProtocolSpec& protocol,
                              const applayer::Transaction& tx, std::size_t record,
                              const Packet* pkt, Timestamp now, std::string_view pcap_filename);

// A packet dropped in IPS mode (--simulate-ips): by a rule, or as part of a dropped flow.
std::string drop_event(const Packet& pkt, const flow::Flow* flow, bool by_rule,
                       std::string_view pcap_filename);

// Everything counted in a run, for the stats event and the summary.
struct RunStats {
    decode::DecodeStats decode;
    decode::DefragStats defrag;
    flow::FlowStats flow;
    stream::StreamStats stream;
    applayer::AppStats app;
    std::uint64_t events_written = 0;
    std::uint64_t anomaly_events = 0;
    std::uint64_t alerts = 0;
    std::uint64_t drops = 0;
    std::uint64_t files = 0;
    std::uint64_t file_errors = 0;
    std::uint64_t kernel_packets = 0;  // live: seen by the kernel
    std::uint64_t kernel_drops = 0;    // live: lost before Tocsin could read them
    double elapsed_sec = 0;
    double cpu_sec = 0;  // CPU time of every thread while inspecting (loading excluded)
    std::uint64_t flow_memory_peak = 0;
    std::uint64_t defrag_memory_peak = 0;
};

std::string stats_event(const RunStats& stats, Timestamp now);

}  // namespace tocsin::output
