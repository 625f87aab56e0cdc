#include "output/eve.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "capture/link_type.h"
#include "output/json_writer.h"

namespace tocsin::output {
namespace {

bool has_ports(std::uint8_t proto) {
    return proto == kProtoTcp || proto == kProtoUdp || proto == 132;  // 132: SCTP
}

void add_timestamp(JsonWriter& j, std::string_view key, Timestamp ts) {
    std::string& out = j.raw_field(key);
    out.push_back('"');
    append_eve_time(out, ts);
    out.push_back('"');
}

// Suricata writes IPv6 addresses with all eight groups of four digits
// ("2001:0db8:0000:..."), and EVE consumers match on that text.
std::string eve_address(const IpAddress& a) {
    if (a.family != 6) return a.to_string();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(39);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i > 0 && i % 2 == 0) out.push_back(':');
        out.push_back(kHex[a.bytes[i] >> 4]);
        out.push_back(kHex[a.bytes[i] & 0xf]);
    }
    return out;
}

void add_address(JsonWriter& j, std::string_view key, const IpAddress& a) {
    j.field(key, eve_address(a));
}

void add_endpoints(JsonWriter& j, const IpAddress& src, std::uint16_t sport, const IpAddress& dst,
                   std::uint16_t dport, std::uint8_t proto, bool ported) {
    j.field("ip_v", unsigned{src.family});
    add_address(j, "src_ip", src);
    if (ported) j.field("src_port", unsigned{sport});
    add_address(j, "dest_ip", dst);
    if (ported) j.field("dest_port", unsigned{dport});
    j.field("proto", proto_name(proto));
}

// A frame protocol's publisher (GOOSE, applayer's FrameKey): a pseudo flow without IP, whose
// records name MAC addresses ("src_mac", "dest_mac") where others name IP addresses and ports.
const applayer::FrameKey* frame_of(const flow::Flow* f) {
    const applayer::FlowApp* app = f != nullptr ? applayer::AppLayer::state(*f) : nullptr;
    return app != nullptr && app->frame ? &*app->frame : nullptr;
}

void add_macs(JsonWriter& j, const applayer::FrameKey& key) {
    auto text = [](const std::array<std::uint8_t, 6>& mac) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        for (std::size_t i = 0; i < mac.size(); ++i) {
            if (i > 0) out.push_back(':');
            out.push_back(kHex[mac[i] >> 4]);
            out.push_back(kHex[mac[i] & 0xf]);
        }
        return out;
    };
    j.field("src_mac", text(key.src));
    j.field("dest_mac", text(key.dst));
}

void add_vlan(JsonWriter& j, const VlanIds& vlan) {
    std::size_t count = vlan.size();
    while (count > 0 && vlan[count - 1] == 0) --count;
    if (count == 0) return;
    j.begin_array("vlan");
    for (std::size_t i = 0; i < count; ++i) j.element(vlan[i]);
    j.end_array();
}

std::string hex_flags(std::uint8_t flags) {
    static constexpr char kHex[] = "0123456789abcdef";
    return {kHex[flags >> 4], kHex[flags & 0xf]};
}

void add_tcp(JsonWriter& j, const flow::Flow& f) {
    const std::uint8_t all = f.tcp_flags[0] | f.tcp_flags[1];
    j.begin_object("tcp");
    j.field("tcp_flags", hex_flags(all));
    j.field("tcp_flags_ts", hex_flags(f.tcp_flags[0]));
    j.field("tcp_flags_tc", hex_flags(f.tcp_flags[1]));
    if (all & kTcpSyn) j.field("syn", true);
    if (all & kTcpFin) j.field("fin", true);
    if (all & kTcpRst) j.field("rst", true);
    if (all & kTcpPsh) j.field("psh", true);
    if (all & kTcpAck) j.field("ack", true);
    if (all & kTcpUrg) j.field("urg", true);
    if (all & kTcpEce) j.field("ecn", true);
    if (all & kTcpCwr) j.field("cwr", true);
    if (const stream::TcpSession* s = stream::TcpTracker::session(f)) {
        j.field("state", stream::tcp_state_name(s->state));
        if (s->midstream) j.field("midstream", true);
    }
    j.end_object();
}

// The fields every per-packet record starts with. Alerts and drops also name the ICMP type
// and code, as Suricata's do; anomaly records do not.
enum class IcmpFields : bool { omit, write };
void add_packet_header(JsonWriter& j, const Packet& pkt, const flow::Flow* flow,
                       std::string_view event_type, std::string_view pcap_filename,
                       IcmpFields icmp = IcmpFields::write) {
    add_timestamp(j, "timestamp", pkt.ts);
    if (flow != nullptr) j.field("flow_id", flow->flow_id);
    if (!pcap_filename.empty()) j.field("pcap_filename", pcap_filename);
    if (!pkt.flow_end_pseudo) j.field("pcap_cnt", pkt.pcap_cnt);
    j.field("event_type", event_type);
    add_vlan(j, pkt.vlan);
    if (pkt.ip_version != 0) {
        add_endpoints(j, pkt.src, pkt.sport, pkt.dst, pkt.dport, pkt.ip_proto,
                      pkt.has_l4 && has_ports(pkt.ip_proto));
        if (icmp == IcmpFields::write &&
            (pkt.ip_proto == kProtoIcmp || pkt.ip_proto == kProtoIcmpv6)) {
            j.field("icmp_type", unsigned{pkt.icmp_type});
            j.field("icmp_code", unsigned{pkt.icmp_code});
        }
    } else if (const applayer::FrameKey* frame = frame_of(flow)) {
        add_macs(j, *frame);
    }
    j.field("pkt_src", pkt.flow_end_pseudo  ? "stream (flow timeout)"
                       : pkt.is_reassembled ? "defrag"
                                            : "wire/pcap");
}

// Packet and byte counters and the start time of a flow's record or summary.
void add_flow_counters(JsonWriter& j, const flow::Flow& f) {
    j.field("pkts_toserver", f.pkts[0]);
    j.field("pkts_toclient", f.pkts[1]);
    j.field("bytes_toserver", f.bytes[0]);
    j.field("bytes_toclient", f.bytes[1]);
    add_timestamp(j, "start", f.start);
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
        case 2:
            return "IGMP";
        case 4:
            return "IP-in-IP";  // Suricata's name
        case 41:
            return "IPv6";
        case 89:
            return "OSPF";
        case 103:
            return "PIM";
        case 112:
            return "VRRP";
        case 115:
            return "L2TP";
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

namespace {

// The values the flow's entropy keywords computed, as Suricata logs its entropy flow
// variables: "metadata": {"entropy": {"file_data": 4.15}}, the buffer named as Suricata's
// list ("content" for the payload, "file_data" for file.data).
void add_entropy(JsonWriter& j, const flow::Flow& f) {
    const auto* d = static_cast<const detect::FlowDetectState*>(f.detect_state.get());
    if (d == nullptr || d->entropy.empty()) return;
    j.begin_object("metadata");
    j.begin_object("entropy");
    for (const auto& [buffer, value] : d->entropy) {
        const std::string_view name = detect::buffer_spec(buffer).name;
        std::string key = name == "pkt_data" ? std::string("content") : std::string(name);
        std::replace(key.begin(), key.end(), '.', '_');
        j.field(key, value);
    }
    j.end_object();
    j.end_object();
}

// Suricata's traffic/id/NAME and traffic/label/NAME flowbits, when set on the flow:
// "traffic": {"id": ["NAME"], "label": ["NAME"]}.
void add_traffic(JsonWriter& j, const flow::Flow& f) {
    const auto* d = static_cast<const detect::FlowDetectState*>(f.detect_state.get());
    if (d == nullptr || d->traffic_bits == nullptr) return;
    auto is_set = [&](const detect::TrafficBit& t) {
        return t.bit < d->flowbits.size() && d->flowbits[t.bit] != 0;
    };
    bool any_id = false, any_label = false;
    for (const detect::TrafficBit& t : *d->traffic_bits) {
        if (!is_set(t)) continue;
        (t.label ? any_label : any_id) = true;
    }
    if (!any_id && !any_label) return;
    j.begin_object("traffic");
    for (const bool label : {false, true}) {
        if (!(label ? any_label : any_id)) continue;
        j.begin_array(label ? "label" : "id");
        for (const detect::TrafficBit& t : *d->traffic_bits)
            if (t.label == label && is_set(t)) j.element(std::string_view(t.name));
        j.end_array();
    }
    j.end_object();
}

// app_proto, and after a protocol change (an HTTP CONNECT's tunnel) the protocol before it as
// app_proto_orig; "failed" when no protocol claimed the bytes after the change.
void add_app_protocols(JsonWriter& j, const flow::Flow& f) {
    std::string_view proto = f.app_proto;
    const applayer::FlowApp* app = applayer::AppLayer::state(f);
    const applayer::ProtocolSpec* original = app != nullptr ? app->original : nullptr;
    if (original != nullptr && app->probing()) {
        const bool probed = app->failed || app->gave_up[0] || app->gave_up[1] ||
                            !app->held[0].empty() || !app->held[1].empty();
        // Nothing followed the change: still the old protocol.
        proto = probed ? std::string_view("failed") : proto;
        if (!probed) original = nullptr;
    }
    if (!proto.empty()) j.field("app_proto", proto);
    // A direction whose first bytes showed another protocol (a mismatch).
    if (app != nullptr && !proto.empty()) {
        for (const auto& [index, key] :
             {std::pair{0, "app_proto_ts"}, std::pair{1, "app_proto_tc"}}) {
            const applayer::ProtocolSpec* seen =
                app->direction_spec[static_cast<std::size_t>(index)];
            if (seen != nullptr && seen->name != proto) j.field(key, seen->name);
        }
    }
    if (original != nullptr && original->name != proto) j.field("app_proto_orig", original->name);
}

}  // namespace

std::string flow_event(const flow::Flow& f, flow::EndReason reason, Timestamp now) {
    std::string out;
    out.reserve(640);
    JsonWriter j(out);
    j.begin_object();
    add_timestamp(j, "timestamp", now);
    j.field("flow_id", f.flow_id);
    j.field("event_type", "flow");
    add_vlan(j, f.key.vlan);
    add_endpoints(j, f.client_addr, f.client_port, f.server_addr, f.server_port, f.proto,
                  has_ports(f.proto));
    if (f.proto == kProtoIcmp || f.proto == kProtoIcmpv6) {
        if (f.pkts[0] > 0) {
            j.field("icmp_type", unsigned{f.icmp_type[0]});
            j.field("icmp_code", unsigned{f.icmp_code[0]});
        }
        if (f.pkts[1] > 0) {
            j.field("response_icmp_type", unsigned{f.icmp_type[1]});
            j.field("response_icmp_code", unsigned{f.icmp_code[1]});
        }
    }
    add_app_protocols(j, f);
    j.begin_object("flow");
    add_flow_counters(j, f);
    add_timestamp(j, "end", f.last);
    j.field("age", f.last.sec - f.start.sec);
    j.field("state", flow::flow_state_name(f.state));
    j.field("reason", flow::end_reason_name(reason));
    j.field("alerted", f.alerted);
    if (const auto* d = static_cast<const detect::FlowDetectState*>(f.detect_state.get())) {
        if (d->dropped)
            j.field("action", "drop");
        else if (d->passed)
            j.field("action", "pass");
    }
    j.end_object();
    if (f.proto == kProtoTcp) add_tcp(j, f);
    add_traffic(j, f);
    add_entropy(j, f);
    j.end_object();
    return out;
}

std::string anomaly_event(const Packet& pkt, Anomaly anomaly, const flow::Flow* flow,
                          std::string_view pcap_filename) {
    std::string out;
    out.reserve(384);
    JsonWriter j(out);
    j.begin_object();
    add_packet_header(j, pkt, flow, "anomaly", pcap_filename, IcmpFields::omit);
    j.begin_object("anomaly");
    j.field("type", anomaly_kind_name(anomaly));
    // Suricata prefixes decoder events with "decoder."; stream events already carry "stream.".
    if (anomaly_kind(anomaly) == AnomalyKind::decode) {
        j.field("event", "decoder." + std::string(anomaly_name(anomaly)));
    } else {
        j.field("event", anomaly_name(anomaly));
    }
    j.end_object();
    j.end_object();
    return out;
}

namespace {

std::string_view action_name(detect::AlertAction a) {
    return a == detect::AlertAction::blocked ? "blocked" : "allowed";
}

// Suricata groups metadata values by key: "metadata": {"attack_target": ["Client_Endpoint"]}.
void add_metadata(JsonWriter& j, const detect::Signature& sig) {
    if (sig.metadata.empty()) return;
    j.begin_object("metadata");
    std::vector<bool> done(sig.metadata.size(), false);
    for (std::size_t i = 0; i < sig.metadata.size(); ++i) {
        if (done[i]) continue;
        j.begin_array(sig.metadata[i].first);
        for (std::size_t k = i; k < sig.metadata.size(); ++k) {
            if (sig.metadata[k].first != sig.metadata[i].first) continue;
            done[k] = true;
            j.element(std::string_view(sig.metadata[k].second));
        }
        j.end_array();
    }
    j.end_object();
}

std::string base64(ByteSpan bytes) {
    // EVP_EncodeBlock writes 4 characters per 3 bytes and a terminating NUL.
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), bytes.data(),
                                        static_cast<int>(bytes.size()));
    text.resize(written > 0 ? static_cast<std::size_t>(written) : 0);
    return text;
}

// Suricata's printable rendering: printable ASCII, CR and LF kept, every other byte a dot.
std::string printable(ByteSpan bytes) {
    std::string text(bytes.size(), '.');
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned char c = bytes[i];
        if (std::isprint(c) || c == '\n' || c == '\r') text[i] = static_cast<char>(c);
    }
    return text;
}

void add_payload(JsonWriter& j, const Packet& pkt, const AlertExtras& extras) {
    const ByteSpan payload = pkt.payload.first(std::min(pkt.payload.size(), extras.payload_limit));
    if (extras.payload) j.field("payload", base64(payload));
    if (extras.payload_printable) j.field("payload_printable", printable(payload));
    j.field("stream", 0);  // the packet's own payload, not reassembled stream data
}

// The captured frame and its link type. A datagram rebuilt from fragments is logged as the
// last fragment's link header followed by the whole datagram, so it decodes as one packet.
void add_packet_bytes(JsonWriter& j, const Packet& pkt) {
    if (pkt.flow_end_pseudo || pkt.data.empty()) return;
    if (pkt.is_reassembled && !pkt.datagram.empty()) {
        std::vector<std::uint8_t> frame;
        const ByteSpan link =
            pkt.data.first(std::min<std::size_t>(pkt.link_header_len, pkt.data.size()));
        frame.reserve(link.size() + pkt.datagram.size());
        frame.insert(frame.end(), link.begin(), link.end());
        frame.insert(frame.end(), pkt.datagram.begin(), pkt.datagram.end());
        j.field("packet", base64(frame));
    } else {
        j.field("packet", base64(pkt.data));
    }
    j.begin_object("packet_info");
    j.field("linktype", pkt.linktype);
    if (const std::string_view name = capture::link_type_name(pkt.linktype); !name.empty())
        j.field("linktype_name", name);
    j.end_object();
}

void add_flow_summary(JsonWriter& j, const flow::Flow& f) {
    j.begin_object("flow");
    add_flow_counters(j, f);
    add_address(j, "src_ip", f.client_addr);
    add_address(j, "dest_ip", f.server_addr);
    if (has_ports(f.proto)) {
        j.field("src_port", unsigned{f.client_port});
        j.field("dest_port", unsigned{f.server_port});
    }
    j.end_object();
}

}  // namespace

std::string app_anomaly_event(const Packet& pkt, const flow::Flow& flow, std::string_view event,
                              const applayer::Transaction* tx, std::string_view pcap_filename) {
    std::string out;
    out.reserve(384);
    JsonWriter j(out);
    j.begin_object();
    add_packet_header(j, pkt, &flow, "anomaly", pcap_filename, IcmpFields::omit);
    if (tx != nullptr) j.field("tx_id", tx->id);
    j.begin_object("anomaly");
    j.field("app_proto", flow.app_proto);
    j.field("type", "applayer");
    // Events are named "proto.event" for rules; the record names the event alone, in upper
    // case for the protocols whose Suricata parser does so.
    const std::size_t dot = event.find('.');
    std::string name(dot == std::string_view::npos ? event : event.substr(dot + 1));
    const applayer::FlowApp* app = applayer::AppLayer::state(flow);
    // Protocol detection's own events ("applayer_mismatch_protocol_both_directions") are upper
    // case for every protocol, in Suricata's proto_detect layer.
    const bool detection = event.starts_with("applayer_");
    if (detection ||
        (app != nullptr && app->spec != nullptr && app->spec->upper_case_event_records))
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    j.field("event", name);
    j.field("layer", detection ? "proto_detect" : "proto_parser");
    j.end_object();
    j.end_object();
    return out;
}

AlertExtras AlertExtras::from_config(const Config& config) {
    AlertExtras extras;
    extras.payload = config.get_bool("outputs.eve.alert.payload");
    extras.payload_printable = config.get_bool("outputs.eve.alert.payload-printable");
    extras.packet = config.get_bool("outputs.eve.alert.packet");
    extras.payload_limit = config.get_size("outputs.eve.alert.payload-buffer-size");
    return extras;
}

std::string alert_event(const Packet& pkt, const flow::Flow* flow, flow::Direction dir,
                        const detect::Alert& alert, std::string_view pcap_filename,
                        const AlertExtras& extras) {
    const detect::Signature& sig = *alert.sig;
    std::string out;
    out.reserve(768);
    JsonWriter j(out);
    j.begin_object();
    add_packet_header(j, pkt, flow, "alert", pcap_filename);
    if (flow != nullptr)
        j.field("direction", dir == flow::Direction::to_server ? "to_server" : "to_client");
    j.begin_object("alert");
    j.field("action", action_name(alert.action));
    j.field("gid", sig.gid);
    j.field("signature_id", sig.sid);
    j.field("rev", sig.rev);
    j.field("signature", sig.msg);
    j.field("category", sig.category);
    j.field("severity", sig.priority);
    add_metadata(j, sig);
    if (!alert.context.empty()) {
        // json datasets that matched (datajson): each set's object under its context key.
        j.begin_object("context");
        for (const detect::AlertContext& c : alert.context) j.raw_field(c.key) += c.json;
        j.end_object();
    }
    j.end_object();
    if (alert.tx != nullptr && alert.protocol != nullptr) {
        j.field("tx_id", alert.tx->id);
        if (alert.protocol->write_alert != nullptr) alert.protocol->write_alert(*alert.tx, j);
    }
    if (flow != nullptr) {
        if (!flow->app_proto.empty()) j.field("app_proto", flow->app_proto);
        if (frame_of(flow) == nullptr) add_flow_summary(j, *flow);
        add_traffic(j, *flow);
        add_entropy(j, *flow);
    }
    if (extras.payload || extras.payload_printable) add_payload(j, pkt, extras);
    if (extras.packet) add_packet_bytes(j, pkt);
    j.end_object();
    return out;
}

std::string transaction_event(const flow::Flow& flow, const applayer::ProtocolSpec& protocol,
                              const applayer::Transaction& tx, std::size_t record,
                              const Packet* pkt, Timestamp now, std::string_view pcap_filename) {
    const applayer::RecordHead head = protocol.record_head(tx, record);
    std::string out;
    out.reserve(512);
    JsonWriter j(out);
    j.begin_object();
    add_timestamp(j, "timestamp", pkt != nullptr ? pkt->ts : now);
    j.field("flow_id", flow.flow_id);
    if (!pcap_filename.empty()) j.field("pcap_filename", pcap_filename);
    if (pkt != nullptr) j.field("pcap_cnt", pkt->pcap_cnt);
    j.field("event_type", head.event_type);
    // At flow end the flow's VLAN ids stand in for a packet's, as on Suricata's pseudo packets.
    add_vlan(j, pkt != nullptr ? pkt->vlan : flow.key.vlan);
    const bool to_server = head.dir == flow::Direction::to_server;
    if (const applayer::FrameKey* frame = frame_of(&flow))
        add_macs(j, *frame);
    else
        add_endpoints(j, to_server ? flow.client_addr : flow.server_addr,
                      to_server ? flow.client_port : flow.server_port,
                      to_server ? flow.server_addr : flow.client_addr,
                      to_server ? flow.server_port : flow.client_port, flow.proto,
                      has_ports(flow.proto));
    const char* source = pkt == nullptr        ? "stream (flow timeout)"
                         : pkt->is_reassembled ? "defrag"
                                               : "wire/pcap";
    j.field("pkt_src", source);
    j.field("tx_id", tx.id);
    protocol.write_record(tx, record, j);
    j.field("app_proto", flow.app_proto);
    add_entropy(j, flow);
    j.end_object();
    return out;
}

std::string drop_event(const Packet& pkt, const flow::Flow* flow, bool by_rule,
                       std::string_view pcap_filename) {
    std::string out;
    out.reserve(512);
    JsonWriter j(out);
    j.begin_object();
    add_packet_header(j, pkt, flow, "drop", pcap_filename);
    j.begin_object("drop");
    j.field("len", unsigned{pkt.wire_len});
    j.field("ttl", unsigned{pkt.ttl});
    j.field("ipid", unsigned{pkt.ip_id});
    if (pkt.ip_proto == kProtoTcp && pkt.has_l4) {
        j.field("tcpseq", std::uint64_t{pkt.tcp.seq});
        j.field("tcpack", std::uint64_t{pkt.tcp.ack});
        j.field("tcpwin", unsigned{pkt.tcp.window});
        j.field("syn", (pkt.tcp.flags & kTcpSyn) != 0);
        j.field("ack", (pkt.tcp.flags & kTcpAck) != 0);
        j.field("psh", (pkt.tcp.flags & kTcpPsh) != 0);
        j.field("rst", (pkt.tcp.flags & kTcpRst) != 0);
        j.field("urg", (pkt.tcp.flags & kTcpUrg) != 0);
        j.field("fin", (pkt.tcp.flags & kTcpFin) != 0);
    }
    j.field("reason", by_rule ? "rules" : "flow drop");
    j.end_object();
    j.end_object();
    return out;
}

std::string stats_event(const RunStats& s, Timestamp now) {
    std::string out;
    JsonWriter j(out);
    j.begin_object();
    add_timestamp(j, "timestamp", now);
    j.field("event_type", "stats");
    j.begin_object("stats");
    j.field("uptime", static_cast<std::uint64_t>(s.elapsed_sec));
    j.begin_object("capture");
    j.field("kernel_packets", s.kernel_packets);
    j.field("kernel_drops", s.kernel_drops);
    j.end_object();

    const auto& d = s.decode;
    j.begin_object("decoder");
    j.field("pkts", d.packets);
    j.field("bytes", d.bytes);
    j.field("invalid", d.invalid);
    j.field("ipv4", d.ipv4);
    j.field("ipv6", d.ipv6);
    j.field("ethernet", d.ethernet);
    j.field("sll", d.sll);
    j.field("null", d.null);
    j.field("raw", d.raw);
    j.field("tcp", d.tcp);
    j.field("udp", d.udp);
    j.field("icmpv4", d.icmpv4);
    j.field("icmpv6", d.icmpv6);
    j.field("gre", d.gre);
    j.field("vlan", d.vlan);
    j.field("vlan_qinq", d.vlan_qinq);
    j.field("vxlan", d.vxlan);
    j.field("geneve", d.geneve);
    j.field("erspan", d.erspan);
    j.field("mpls", d.mpls);
    j.field("pppoe", d.pppoe);
    j.field("nsh", d.nsh);
    j.field("ipv4_in_ipv6", d.ipv4_in_ipv6);
    j.field("ipv6_in_ipv6", d.ipv6_in_ipv6);
    j.field("ipv6_in_ipv4", d.ipv6_in_ipv4);
    j.field("ipv4_in_ipv4", d.ipv4_in_ipv4);
    j.field("not_ip", d.not_ip);
    j.field("checksum_errors", d.checksum_errors);
    j.field("max_pkt_size", d.max_packet_size);
    // Nested by layer as Suricata writes them: "event": {"ipv4": {"trunc_pkt": 2}}. The
    // table lists each layer's events together, so one pass groups them.
    j.begin_object("event");
    std::string_view open_layer;
    for (std::size_t i = 0; i < kAnomalyCount; ++i) {
        const auto a = static_cast<Anomaly>(i);
        if (d.anomalies[i] == 0 || anomaly_kind(a) != AnomalyKind::decode) continue;
        const std::string_view name = anomaly_name(a);
        const auto dot = name.find('.');
        const std::string_view layer = name.substr(0, dot);
        if (layer != open_layer) {
            if (!open_layer.empty()) j.end_object();
            j.begin_object(layer);
            open_layer = layer;
        }
        j.field(name.substr(dot + 1), d.anomalies[i]);
    }
    if (!open_layer.empty()) j.end_object();
    j.end_object();
    j.end_object();

    j.begin_object("defrag");
    j.begin_object("ipv4");
    j.field("fragments", s.defrag.ipv4_fragments);
    j.field("reassembled", s.defrag.ipv4_reassembled);
    j.end_object();
    j.begin_object("ipv6");
    j.field("fragments", s.defrag.ipv6_fragments);
    j.field("reassembled", s.defrag.ipv6_reassembled);
    j.end_object();
    j.field("timeouts", s.defrag.timeouts);
    j.field("memcap_drops", s.defrag.memcap_drops);
    j.field("overlaps", s.defrag.overlaps);
    j.field("too_large", s.defrag.too_large);
    j.field("memuse_peak", s.defrag_memory_peak);
    j.end_object();

    j.begin_object("flow");
    j.field("total", s.flow.created);
    j.field("tcp", s.flow.tcp);
    j.field("udp", s.flow.udp);
    j.field("icmp", s.flow.icmp);
    j.field("other", s.flow.other);
    j.begin_object("end");
    j.field("timeout", s.flow.ended_timeout);
    j.field("forced", s.flow.ended_forced);
    j.field("shutdown", s.flow.ended_shutdown);
    j.end_object();
    j.field("memcap_evictions", s.flow.memcap_evictions);
    j.field("memcap_refused", s.flow.memcap_refused);
    j.field("active_peak", s.flow.peak_active);
    j.field("memuse_peak", s.flow_memory_peak);
    j.end_object();

    // Suricata's app_layer counters: flows claimed per protocol, failed detections,
    // transactions per protocol.
    j.begin_object("app_layer");
    j.begin_object("flow");
    for (const auto& [name, n] : s.app.flows) j.field(name, n);
    j.field("failed_tcp", s.app.failed_tcp);
    j.field("failed_udp", s.app.failed_udp);
    j.end_object();
    j.begin_object("tx");
    for (const auto& [name, n] : s.app.transactions) j.field(name, n);
    j.end_object();
    j.field("tx_dropped", s.app.transactions_dropped);
    j.end_object();

    const auto& t = s.stream;
    j.begin_object("tcp");
    j.field("sessions", t.sessions);
    j.field("midstream_pickups", t.midstream_pickups);
    j.field("syn", t.syn);
    j.field("synack", t.synack);
    j.field("rst", t.rst);
    j.field("fin", t.fin);
    j.field("segments", t.segments);
    j.field("ooo_segments", t.ooo_segments);
    j.field("retransmissions", t.retransmissions);
    j.field("overlap", t.overlaps);
    j.field("overlap_diff_data", t.overlaps_different_data);
    j.field("reassembly_gap", t.gaps);
    j.field("reassembly_gap_bytes", t.gap_bytes);
    j.field("reassembly_memcap_drops", t.memcap_drops);
    j.field("reassembly_depth_reached", t.depth_reached);
    j.field("reassembled_bytes", t.bytes_delivered);
    j.field("reassembly_memuse_peak", t.peak_memory);
    j.field("port_reuse", t.reuse);
    j.end_object();

    const double secs = s.elapsed_sec > 0 ? s.elapsed_sec : 1e-9;
    j.begin_object("tocsin");
    j.field("files", s.files);
    j.field("file_errors", s.file_errors);
    j.field("elapsed_sec", s.elapsed_sec);
    j.field("cpu_sec", s.cpu_sec);
    j.field("pkts_per_sec", static_cast<std::uint64_t>(static_cast<double>(d.packets) / secs));
    j.field("gbit_per_sec", static_cast<double>(d.bytes) * 8 / secs / 1e9);
    j.field("anomaly_events", s.anomaly_events);
    j.end_object();

    j.end_object();
    j.end_object();
    return out;
}

}  // namespace tocsin::output
