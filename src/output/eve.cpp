#include "output/eve.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tocsin::output {
namespace {

using Json = nlohmann::ordered_json;

void add_endpoints(Json& j, const IpAddress& src, std::uint16_t sport, const IpAddress& dst,
                   std::uint16_t dport, std::uint8_t proto, bool ported) {
    j["src_ip"] = src.to_string();
    if (ported) j["src_port"] = sport;
    j["dest_ip"] = dst.to_string();
    if (ported) j["dest_port"] = dport;
    j["proto"] = proto_name(proto);
}

bool has_ports(std::uint8_t proto) {
    return proto == kProtoTcp || proto == kProtoUdp || proto == 132;  // 132: SCTP
}

void add_vlan(Json& j, const std::uint16_t vlan[2]) {
    if (vlan[0] == 0 && vlan[1] == 0) return;
    Json ids = Json::array();
    ids.push_back(vlan[0]);
    if (vlan[1] != 0) ids.push_back(vlan[1]);
    j["vlan"] = ids;
}

std::string hex_flags(std::uint8_t flags) { return fmt::format("{:02x}", flags); }

Json tcp_object(const flow::Flow& f) {
    Json tcp;
    const std::uint8_t all = f.tcp_flags[0] | f.tcp_flags[1];
    tcp["tcp_flags"] = hex_flags(all);
    tcp["tcp_flags_ts"] = hex_flags(f.tcp_flags[0]);
    tcp["tcp_flags_tc"] = hex_flags(f.tcp_flags[1]);
    if (all & kTcpSyn) tcp["syn"] = true;
    if (all & kTcpFin) tcp["fin"] = true;
    if (all & kTcpRst) tcp["rst"] = true;
    if (all & kTcpPsh) tcp["psh"] = true;
    if (all & kTcpAck) tcp["ack"] = true;
    if (all & kTcpUrg) tcp["urg"] = true;
    if (all & kTcpEce) tcp["ecn"] = true;
    if (all & kTcpCwr) tcp["cwr"] = true;
    if (const stream::TcpSession* s = stream::TcpTracker::session(f)) {
        tcp["state"] = stream::tcp_state_name(s->state);
        if (s->midstream) tcp["midstream"] = true;
    }
    return tcp;
}

}  // namespace

std::string proto_name(std::uint8_t proto) {
    switch (proto) {
        case kProtoTcp:
            return "TCP";
        case kProtoUdp:
            return "UDP";
        case kProtoIcmp:
            return "ICMP";
        case kProtoIcmpv6:
            return "IPv6-ICMP";
        case kProtoGre:
            return "GRE";
        case 50:
            return "ESP";
        case 51:
            return "AH";
        case 132:
            return "SCTP";
        default:
            return std::to_string(proto);
    }
}

std::string flow_event(const flow::Flow& f, flow::EndReason reason, Timestamp now) {
    Json j;
    j["timestamp"] = format_eve_time(now);
    j["flow_id"] = f.flow_id;
    j["event_type"] = "flow";
    add_vlan(j, f.key.vlan);
    add_endpoints(j, f.client_addr, f.client_port, f.server_addr, f.server_port, f.proto,
                  has_ports(f.proto));
    if (f.proto == kProtoIcmp || f.proto == kProtoIcmpv6) {
        if (f.pkts[0] > 0) {
            j["icmp_type"] = f.icmp_type[0];
            j["icmp_code"] = f.icmp_code[0];
        }
        if (f.pkts[1] > 0) {
            j["response_icmp_type"] = f.icmp_type[1];
            j["response_icmp_code"] = f.icmp_code[1];
        }
    }
    if (!f.app_proto.empty()) j["app_proto"] = f.app_proto;
    Json flow;
    flow["pkts_toserver"] = f.pkts[0];
    flow["pkts_toclient"] = f.pkts[1];
    flow["bytes_toserver"] = f.bytes[0];
    flow["bytes_toclient"] = f.bytes[1];
    flow["start"] = format_eve_time(f.start);
    flow["end"] = format_eve_time(f.last);
    flow["age"] = f.last.sec - f.start.sec;
    flow["state"] = flow::flow_state_name(f.state);
    flow["reason"] = flow::end_reason_name(reason);
    flow["alerted"] = f.alerted;
    j["flow"] = std::move(flow);
    if (f.proto == kProtoTcp) j["tcp"] = tcp_object(f);
    return j.dump();
}

std::string anomaly_event(const Packet& pkt, Anomaly anomaly, const flow::Flow* flow,
                          std::string_view pcap_filename) {
    Json j;
    j["timestamp"] = format_eve_time(pkt.ts);
    if (flow != nullptr) j["flow_id"] = flow->flow_id;
    if (!pcap_filename.empty()) j["pcap_filename"] = std::string(pcap_filename);
    j["pcap_cnt"] = pkt.pcap_cnt;
    j["event_type"] = "anomaly";
    add_vlan(j, pkt.vlan);
    if (pkt.ip_version != 0) {
        add_endpoints(j, pkt.src, pkt.sport, pkt.dst, pkt.dport, pkt.ip_proto,
                      pkt.has_l4 && has_ports(pkt.ip_proto));
    }
    j["pkt_src"] = "wire/pcap";
    Json a;
    a["type"] = anomaly_kind_name(anomaly);
    // Suricata prefixes decoder events with "decoder."; stream events already carry "stream.".
    if (anomaly_kind(anomaly) == AnomalyKind::decode) {
        a["event"] = "decoder." + std::string(anomaly_name(anomaly));
    } else {
        a["event"] = std::string(anomaly_name(anomaly));
    }
    j["anomaly"] = std::move(a);
    return j.dump();
}

std::string stats_event(const RunStats& s, Timestamp now) {
    const auto& d = s.decode;
    Json decoder;
    decoder["pkts"] = d.packets;
    decoder["bytes"] = d.bytes;
    decoder["invalid"] = d.invalid;
    decoder["ipv4"] = d.ipv4;
    decoder["ipv6"] = d.ipv6;
    decoder["ethernet"] = d.ethernet;
    decoder["sll"] = d.sll;
    decoder["null"] = d.null;
    decoder["raw"] = d.raw;
    decoder["tcp"] = d.tcp;
    decoder["udp"] = d.udp;
    decoder["icmpv4"] = d.icmpv4;
    decoder["icmpv6"] = d.icmpv6;
    decoder["gre"] = d.gre;
    decoder["vlan"] = d.vlan;
    decoder["vlan_qinq"] = d.vlan_qinq;
    decoder["vxlan"] = d.vxlan;
    decoder["mpls"] = d.mpls;
    decoder["pppoe"] = d.pppoe;
    decoder["ipv4_in_ipv6"] = d.ipv4_in_ipv6;
    decoder["ipv6_in_ipv6"] = d.ipv6_in_ipv6;
    decoder["ipv6_in_ipv4"] = d.ipv6_in_ipv4;
    decoder["ipv4_in_ipv4"] = d.ipv4_in_ipv4;
    decoder["not_ip"] = d.not_ip;
    decoder["checksum_errors"] = d.checksum_errors;
    decoder["max_pkt_size"] = d.max_packet_size;
    Json events = Json::object();
    for (std::size_t i = 0; i < kAnomalyCount; ++i) {
        if (d.anomalies[i] == 0) continue;
        events[std::string(anomaly_name(static_cast<Anomaly>(i)))] = d.anomalies[i];
    }
    decoder["event"] = std::move(events);

    Json defrag;
    defrag["ipv4"] = {{"fragments", s.defrag.ipv4_fragments},
                      {"reassembled", s.defrag.ipv4_reassembled}};
    defrag["ipv6"] = {{"fragments", s.defrag.ipv6_fragments},
                      {"reassembled", s.defrag.ipv6_reassembled}};
    defrag["timeouts"] = s.defrag.timeouts;
    defrag["memcap_drops"] = s.defrag.memcap_drops;
    defrag["overlaps"] = s.defrag.overlaps;
    defrag["memuse_peak"] = s.defrag_memory_peak;

    Json flow;
    flow["total"] = s.flow.created;
    flow["tcp"] = s.flow.tcp;
    flow["udp"] = s.flow.udp;
    flow["icmp"] = s.flow.icmp;
    flow["other"] = s.flow.other;
    flow["end"] = {{"timeout", s.flow.ended_timeout},
                   {"forced", s.flow.ended_forced},
                   {"shutdown", s.flow.ended_shutdown}};
    flow["memcap_evictions"] = s.flow.memcap_evictions;
    flow["memcap_refused"] = s.flow.memcap_refused;
    flow["active_peak"] = s.flow.peak_active;
    flow["memuse_peak"] = s.flow_memory_peak;

    const auto& t = s.stream;
    Json tcp;
    tcp["sessions"] = t.sessions;
    tcp["midstream_pickups"] = t.midstream_pickups;
    tcp["syn"] = t.syn;
    tcp["synack"] = t.synack;
    tcp["rst"] = t.rst;
    tcp["fin"] = t.fin;
    tcp["segments"] = t.segments;
    tcp["ooo_segments"] = t.ooo_segments;
    tcp["retransmissions"] = t.retransmissions;
    tcp["overlap"] = t.overlaps;
    tcp["overlap_diff_data"] = t.overlaps_different_data;
    tcp["reassembly_gap"] = t.gaps;
    tcp["reassembly_gap_bytes"] = t.gap_bytes;
    tcp["reassembly_memcap_drops"] = t.memcap_drops;
    tcp["reassembly_depth_reached"] = t.depth_reached;
    tcp["reassembled_bytes"] = t.bytes_delivered;
    tcp["reassembly_memuse_peak"] = t.peak_memory;
    tcp["port_reuse"] = t.reuse;

    Json run;
    run["files"] = s.files;
    run["file_errors"] = s.file_errors;
    run["elapsed_sec"] = s.elapsed_sec;
    const double secs = s.elapsed_sec > 0 ? s.elapsed_sec : 1e-9;
    run["pkts_per_sec"] = static_cast<std::uint64_t>(static_cast<double>(d.packets) / secs);
    run["gbit_per_sec"] = static_cast<double>(d.bytes) * 8 / secs / 1e9;
    run["anomaly_events"] = s.anomaly_events;

    Json j;
    j["timestamp"] = format_eve_time(now);
    j["event_type"] = "stats";
    Json stats;
    stats["uptime"] = static_cast<std::uint64_t>(s.elapsed_sec);
    stats["decoder"] = std::move(decoder);
    stats["defrag"] = std::move(defrag);
    stats["flow"] = std::move(flow);
    stats["tcp"] = std::move(tcp);
    stats["tocsin"] = std::move(run);
    j["stats"] = std::move(stats);
    return j.dump();
}

}  // namespace tocsin::output
