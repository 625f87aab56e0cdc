#include "decode/decoder.h"

#include <algorithm>
#include <sstream>

#include "core/overlap_policy.h"
#include "decode/checksum.h"

namespace tocsin::decode {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinq = 0x88a8;
constexpr std::uint16_t kEtherQinqOld = 0x9100;
constexpr std::uint16_t kEtherMplsUnicast = 0x8847;
constexpr std::uint16_t kEtherMplsMulticast = 0x8848;
constexpr std::uint16_t kEtherPppoeDiscovery = 0x8863;
constexpr std::uint16_t kEtherPppoeSession = 0x8864;
constexpr std::uint16_t kEtherTransparentBridging = 0x6558;
constexpr std::uint16_t kEtherErspan = 0x88be;
constexpr std::uint16_t kEtherErspanType3 = 0x22eb;
constexpr std::uint16_t kEtherNsh = 0x894f;

constexpr std::uint8_t kIpProtoIpv4 = 4;
constexpr std::uint8_t kIpProtoIpv6 = 41;
constexpr std::uint8_t kIpProtoSctp = 132;
constexpr std::uint8_t kIp6HopByHop = 0;
constexpr std::uint8_t kIp6Routing = 43;
constexpr std::uint8_t kIp6Fragment = 44;
constexpr std::uint8_t kIp6Esp = 50;
constexpr std::uint8_t kIp6Auth = 51;
constexpr std::uint8_t kIp6NoNext = 59;
constexpr std::uint8_t kIp6DestOpts = 60;
constexpr std::uint8_t kIp6Mobility = 135;

bool is_ipv4_option_known(std::uint8_t type) {
    switch (type) {
        case 7:    // record route
        case 68:   // timestamp
        case 130:  // security
        case 131:  // loose source route
        case 133:  // extended security
        case 134:  // commercial security (CIPSO)
        case 136:  // stream id
        case 137:  // strict source route
        case 148:  // router alert
        case 25:   // quick-start
            return true;
        default:
            return false;
    }
}

// The ipopts keyword's bit for an IPv4 option type.
std::uint16_t ipv4_option_bit(std::uint8_t type) {
    switch (type) {
        case 0:
            return kIpOptEol;
        case 1:
            return kIpOptNop;
        case 7:
            return kIpOptRr;
        case 25:
            return kIpOptQs;
        case 68:
            return kIpOptTs;
        case 130:
            return kIpOptSec;
        case 131:
            return kIpOptLsrr;
        case 133:
            return kIpOptEsec;
        case 134:
            return kIpOptCipso;
        case 136:
            return kIpOptSatid;
        case 137:
            return kIpOptSsrr;
        case 148:
            return kIpOptRtrAlt;
        default:
            return kIpOptOther;
    }
}

// +1: an ICMP query (echo, timestamp, information, address mask request), -1: its reply,
// 0: anything else.
int icmp_query_role(const Packet& pkt) {
    if (!pkt.has_l4) return 0;
    if (pkt.ip_proto == kProtoIcmp) {
        switch (pkt.icmp_type) {
            case 8:
            case 13:
            case 15:
            case 17:
                return 1;
            case 0:
            case 14:
            case 16:
            case 18:
                return -1;
            default:
                return 0;
        }
    }
    if (pkt.ip_proto == kProtoIcmpv6) {
        if (pkt.icmp_type == 128) return 1;
        if (pkt.icmp_type == 129) return -1;
    }
    return 0;
}

// The outermost IP layer starts `data`, the rest of the captured frame: what precedes it is the
// link header an alert's `packet` keeps in front of a rebuilt datagram.
void note_link_header(Packet& p, ByteSpan data) {
    if (p.ip_version != 0 || p.tunnel_depth != 0 || p.is_reassembled) return;
    if (data.size() <= p.data.size())
        p.link_header_len = static_cast<std::uint32_t>(p.data.size() - data.size());
}

}  // namespace

bool link_type_supported(std::uint32_t linktype) {
    switch (linktype) {
        case kLinkNull:
        case kLinkEthernet:
        case kLinkPpp:
        case kLinkPppSerial:
        case kLinkRaw:
        case kLinkRawAlt:
        case kLinkLoop:
        case kLinkSll:
        case kLinkIpv4:
        case kLinkIpv6:
        case kLinkSll2:
            return true;
        default:
            return false;
    }
}

DecodeOptions DecodeOptions::from_config(const Config& config) {
    DecodeOptions o;
    o.validate_checksums = config.get_string("checksum-validation") == "auto" ||
                           config.get_bool("checksum-validation");
    o.max_layers = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(config.get_int("decoder.max-layers"), 1, 64));
    o.vxlan = config.get_bool("decoder.vxlan.enabled");
    o.vxlan_ports.clear();
    std::stringstream ports(config.get_string("decoder.vxlan.ports"));
    for (std::string port; std::getline(ports, port, ',');) {
        auto n = parse_size(port);
        if (!n || *n == 0 || *n > 65535)
            throw ConfigError("decoder.vxlan.ports: '" + port + "' is not a port");
        o.vxlan_ports.push_back(static_cast<std::uint16_t>(*n));
    }
    o.gre = config.get_bool("decoder.gre.enabled");
    o.recursion_in_flow_key = config.get_bool("decoder.recursion-level.use-for-tracking");
    o.geneve = config.get_bool("decoder.geneve.enabled");
    auto geneve_port = parse_size(config.get_string("decoder.geneve.ports"));
    if (!geneve_port || *geneve_port == 0 || *geneve_port > 65535)
        throw ConfigError("decoder.geneve.ports: not a port");
    o.geneve_port = static_cast<std::uint16_t>(*geneve_port);
    o.defrag.memcap = config.get_size("defrag.memcap");
    o.defrag.timeout_sec = config.get_seconds("defrag.timeout");
    o.defrag.max_trackers = static_cast<std::size_t>(config.get_int("defrag.trackers"));
    auto policy = parse_overlap_policy(config.get_string("defrag.policy"));
    if (!policy)
        throw ConfigError("defrag.policy: unknown policy '" + config.get_string("defrag.policy") +
                          "'");
    o.defrag.policy = *policy;
    return o;
}

void DecodeStats::merge(const DecodeStats& o) {
    packets += o.packets;
    bytes += o.bytes;
    ethernet += o.ethernet;
    vlan += o.vlan;
    vlan_qinq += o.vlan_qinq;
    mpls += o.mpls;
    pppoe += o.pppoe;
    sll += o.sll;
    null += o.null;
    raw += o.raw;
    ipv4 += o.ipv4;
    ipv6 += o.ipv6;
    tcp += o.tcp;
    udp += o.udp;
    icmpv4 += o.icmpv4;
    icmpv6 += o.icmpv6;
    other_ip += o.other_ip;
    gre += o.gre;
    nsh += o.nsh;
    vxlan += o.vxlan;
    geneve += o.geneve;
    erspan += o.erspan;
    ipv4_in_ipv6 += o.ipv4_in_ipv6;
    ipv6_in_ipv4 += o.ipv6_in_ipv4;
    ipv4_in_ipv4 += o.ipv4_in_ipv4;
    ipv6_in_ipv6 += o.ipv6_in_ipv6;
    not_ip += o.not_ip;
    invalid += o.invalid;
    checksum_errors += o.checksum_errors;
    for (std::size_t i = 0; i < anomalies.size(); ++i) anomalies[i] += o.anomalies[i];
    max_packet_size = std::max(max_packet_size, o.max_packet_size);
}

struct Decoder::Layer {
    Packet& pkt;
    std::vector<std::uint8_t>& reassembled;
    Packet* outer = nullptr;
    IpAddress checksum_dst{};  // pseudo-header destination: the final one (RFC 8200 8.1)
    std::uint32_t depth = 0;
    bool reassembly_used = false;
    bool outer_taken = false;
    // Tunnel depth and carried length when the innermost IP header was decoded: a tunnel that
    // carries no IP (ARP over VXLAN) leaves the packet belonging to its carrier.
    std::uint8_t ip_depth = 0;
    std::uint32_t ip_inner_len = 0;

    void anomaly(Anomaly a) { pkt.anomalies.add(a); }
};

Decoder::Decoder(const DecodeOptions& options) : options_(options), defrag_(options.defrag) {}

bool Decoder::decode(std::uint32_t linktype, Packet& pkt, std::vector<std::uint8_t>& reassembled,
                     Packet* outer) {
    stats_.packets++;
    stats_.bytes += pkt.data.size();
    stats_.max_packet_size = std::max<std::uint64_t>(stats_.max_packet_size, pkt.data.size());
    Layer l{pkt, reassembled, outer};
    pkt.linktype = linktype;
    switch (linktype) {
        case kLinkEthernet:
            link_ethernet(l, pkt.data);
            break;
        case kLinkSll:
            link_sll(l, pkt.data);
            break;
        case kLinkSll2:
            link_sll2(l, pkt.data);
            break;
        case kLinkNull:
            link_null(l, pkt.data, false);
            break;
        case kLinkLoop:
            link_null(l, pkt.data, true);
            break;
        case kLinkPpp:
        case kLinkPppSerial:
            link_ppp(l, pkt.data);
            break;
        case kLinkRaw:
        case kLinkRawAlt:
        case kLinkIpv4:
        case kLinkIpv6:
            stats_.raw++;
            raw_ip(l, pkt.data);
            break;
        default:
            break;
    }
    if (pkt.ip_version == 0) stats_.not_ip++;
    if (!pkt.anomalies.empty()) {
        stats_.invalid++;
        for (Anomaly a : pkt.anomalies.items()) stats_.anomalies[static_cast<std::size_t>(a)]++;
    }
    if (pkt.checksum_bad) stats_.checksum_errors++;
    pkt.tunnel_depth = l.ip_depth;
    pkt.inner_len = l.ip_inner_len;
    // No IP inside the tunnel: the packet is the carrier's, counted once, in its flow.
    const bool separate_carrier = l.outer_taken && l.ip_depth > 0;
    set_flow_key(pkt);
    return separate_carrier;
}

void Decoder::enter_tunnel(Layer& l, ByteSpan inner) {
    l.pkt.tunnel_depth++;
    l.pkt.inner_len = static_cast<std::uint32_t>(inner.size());
    // Like Suricata, only UDP carriers (VXLAN, Geneve) get a flow of their own.
    if (l.outer == nullptr || l.outer_taken || l.pkt.ip_proto != kProtoUdp || !l.pkt.has_l4) return;
    // Snapshot the carrier before inner headers overwrite the packet's fields.
    *l.outer = l.pkt;
    l.outer->anomalies.clear();
    l.outer->tunnel_depth = 0;
    set_flow_key(*l.outer);
    l.outer_taken = true;
}

void Decoder::set_flow_key(Packet& pkt) {
    // A frame without IP (GOOSE) has no flow, but its MAC addresses and VLANs pick the worker,
    // so one publisher's frames meet the same state (applayer's publisher table).
    if (pkt.ip_version == 0 && pkt.ether_type != 0 && pkt.ether_header.size() >= 12) {
        std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
        for (std::uint8_t b : pkt.ether_header.first(12)) h = (h ^ b) * 1099511628211ULL;
        for (std::uint16_t v : pkt.vlan) h = (h ^ v) * 1099511628211ULL;
        pkt.flow_hash = h ^ (h >> 33);
        return;
    }
    // Fragments wait for reassembly; the rebuilt datagram carries the flow.
    if (pkt.ip_version == 0 || pkt.is_fragment) return;
    const bool ported = pkt.has_l4 && (pkt.ip_proto == kProtoTcp || pkt.ip_proto == kProtoUdp);
    if ((pkt.ip_proto == kProtoTcp || pkt.ip_proto == kProtoUdp) && !pkt.has_l4) return;
    if (const int role = icmp_query_role(pkt); role != 0) {
        // An ICMP query and its reply form one flow per requester, responder and identifier,
        // so two hosts pinging each other are two flows (as in Suricata).
        const bool request = role > 0;
        pkt.flow_key = FlowKey{};
        pkt.flow_key.lo_addr = request ? pkt.src : pkt.dst;
        pkt.flow_key.hi_addr = request ? pkt.dst : pkt.src;
        pkt.flow_key.lo_port = pkt.icmp_id;
        pkt.flow_key.hi_port = 0xffff;  // marks a query key; never a symmetric one
        pkt.flow_key.vlan = pkt.vlan;
        pkt.flow_key.proto = pkt.ip_proto;
        pkt.key_swapped = !request;
    } else {
        pkt.flow_key =
            FlowKey::make(pkt.src, ported ? pkt.sport : 0, pkt.dst, ported ? pkt.dport : 0,
                          pkt.ip_proto, pkt.vlan, pkt.key_swapped);
    }
    if (options_.recursion_in_flow_key) pkt.flow_key.recursion = pkt.tunnel_depth;
    pkt.flow_hash = pkt.flow_key.hash();
    pkt.has_flow_key = true;
}

bool Decoder::enter_layer(Layer& l) {
    if (++l.depth > options_.max_layers) {
        l.anomaly(Anomaly::DecoderTooManyLayers);
        return false;
    }
    return true;
}

// ---- Link layer ---------------------------------------------------------------------------

void Decoder::link_ethernet(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    c.skip(12);  // destination and source MAC
    const std::uint16_t type = c.u16be();
    if (!c.ok()) {
        l.anomaly(Anomaly::EthernetPktTooSmall);
        return;
    }
    stats_.ethernet++;
    l.pkt.ether_header = data.first(14);  // the ether.hdr rule buffer
    by_ethertype(l, type, c.rest());
}

void Decoder::by_ethertype(Layer& l, std::uint16_t type, ByteSpan data) {
    if (!enter_layer(l)) return;
    switch (type) {
        case kEtherIpv4:
            ipv4(l, data);
            break;
        case kEtherIpv6:
            ipv6(l, data);
            break;
        case kEtherVlan:
        case kEtherQinq:
        case kEtherQinqOld:
            vlan(l, data);
            break;
        case kEtherMplsUnicast:
        case kEtherMplsMulticast:
            mpls(l, data);
            break;
        case kEtherPppoeSession:
            pppoe_session(l, data);
            break;
        case kEtherPppoeDiscovery:
            stats_.pppoe++;
            break;
        case kEtherNsh:
            nsh(l, data);
            break;
        case kEtherArp:
        default:
            // Not IP: nothing to decode further; frame protocols (GOOSE) read what follows.
            l.pkt.ether_type = type;
            l.pkt.l2_payload = data;
            break;
    }
}

void Decoder::link_sll(Layer& l, ByteSpan data) {
    // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
    ByteCursor c(data);
    c.skip(14);
    const std::uint16_t protocol = c.u16be();
    if (!c.ok()) {
        l.anomaly(Anomaly::SllPktTooSmall);
        return;
    }
    stats_.sll++;
    by_ethertype(l, protocol, c.rest());
}

void Decoder::link_sll2(Layer& l, ByteSpan data) {
    // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
    ByteCursor c(data);
    const std::uint16_t protocol = c.u16be();
    c.skip(18);
    if (!c.ok()) {
        l.anomaly(Anomaly::SllPktTooSmall);
        return;
    }
    stats_.sll++;
    by_ethertype(l, protocol, c.rest());
}

void Decoder::link_null(Layer& l, ByteSpan data, bool network_order) {
    // A 4-byte address family, in the capturing host's byte order for DLT_NULL.
    ByteCursor c(data);
    const std::uint32_t family = network_order ? c.u32be() : c.u32le();
    if (!c.ok()) {
        l.anomaly(Anomaly::NullPktTooSmall);
        return;
    }
    stats_.null++;
    const std::uint32_t swapped = __builtin_bswap32(family);
    auto is = [&](std::uint32_t af) { return family == af || (!network_order && swapped == af); };
    if (is(2)) {
        ipv4(l, c.rest());
    } else if (is(24) || is(28) || is(30) || is(10)) {
        ipv6(l, c.rest());
    } else {
        l.anomaly(Anomaly::NullUnsupportedType);
    }
}

void Decoder::link_ppp(Layer& l, ByteSpan data) {
    // RFC 1662 HDLC-like framing: address 0xff and control 0x03 may precede the protocol.
    ByteCursor c(data);
    if (c.peek_u8(0) == 0xff && c.peek_u8(1) == 0x03) c.skip(2);
    ppp(l, c.rest());
}

void Decoder::raw_ip(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    const std::uint8_t version = c.peek_u8() >> 4;
    if (version == 4) {
        ipv4(l, data);
    } else if (version == 6) {
        ipv6(l, data);
    } else {
        l.anomaly(Anomaly::RawInvalidIpVersion);
    }
}

void Decoder::vlan(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    const std::uint16_t tci = c.u16be();
    const std::uint16_t type = c.u16be();
    if (!c.ok()) {
        l.anomaly(Anomaly::VlanHeaderTooSmall);
        return;
    }
    Packet& p = l.pkt;
    if (p.vlan_count >= kMaxVlans) {
        l.anomaly(Anomaly::VlanTooManyLayers);
        return;
    }
    p.vlan[p.vlan_count++] = tci & 0x0fff;
    stats_.vlan++;
    if (p.vlan_count == 2) stats_.vlan_qinq++;
    by_ethertype(l, type, c.rest());
}

void Decoder::mpls(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    stats_.mpls++;
    // Label stack entries: label(20) tc(3) bottom-of-stack(1) ttl(8).
    while (true) {
        const std::uint32_t entry = c.u32be();
        if (!c.ok()) {
            l.anomaly(Anomaly::MplsHeaderTooSmall);
            return;
        }
        const std::uint32_t label = entry >> 12;
        if (label == 1 || (label >= 4 && label <= 15 && label != 13))
            l.anomaly(Anomaly::MplsBadLabelReserved);
        if (entry & 0x100) break;
        if (!enter_layer(l)) return;
    }
    // No type field follows MPLS: guess from the first nibble, as routers' peers do.
    const std::uint8_t nibble = c.peek_u8() >> 4;
    if (c.empty()) {
        l.anomaly(Anomaly::MplsPktTooSmall);
    } else if (nibble == 4) {
        ipv4(l, c.rest());
    } else if (nibble == 6) {
        ipv6(l, c.rest());
    } else if (nibble == 0) {
        // Ethernet pseudowire with a 4-byte control word.
        c.skip(4);
        if (!c.ok()) {
            l.anomaly(Anomaly::MplsPktTooSmall);
            return;
        }
        link_ethernet(l, c.rest());
    } else {
        l.anomaly(Anomaly::MplsUnknownPayloadType);
    }
}

void Decoder::nsh(Layer& l, ByteSpan data) {
    // RFC 8300 Network Service Header: version(2) O(1) U(1) TTL(6) length(6, in 4-byte
    // words, the whole header) | unassigned(4) MD type(4) | next protocol(8), then the
    // service path header SPI(24) SI(8) and context headers. Like VLAN, NSH adds a layer in
    // front of the packet rather than a tunnel.
    stats_.nsh++;
    ByteCursor c(data);
    const std::uint16_t version_length = c.u16be();
    const std::uint8_t md_type = c.u8();
    const std::uint8_t next_protocol = c.u8();
    c.skip(4);  // service path header
    if (!c.ok()) {
        l.anomaly(Anomaly::NshHeaderTooSmall);
        return;
    }
    if ((version_length >> 14) != 0) {
        l.anomaly(Anomaly::NshUnsupportedVersion);
        return;
    }
    const std::size_t length = (version_length & 0x3f) * 4u;
    if (length >= data.size()) {  // the header must be followed by something
        l.anomaly(Anomaly::NshBadHeaderLength);
        return;
    }
    if (md_type == 0 || md_type == 0x0f) {
        l.anomaly(Anomaly::NshReservedType);
        return;
    }
    if (md_type == 1 && length != 24) {  // MD type 1: four fixed 4-byte context headers
        l.anomaly(Anomaly::NshBadHeaderLength);
        return;
    }
    if (md_type != 1 && md_type != 2) {
        l.anomaly(Anomaly::NshUnsupportedType);
        return;
    }
    if (length < 8) {  // shorter than the base and service path headers just read
        l.anomaly(Anomaly::NshBadHeaderLength);
        return;
    }
    const ByteSpan inner = data.subspan(length);
    switch (next_protocol) {
        case 1:
            ipv4(l, inner);
            break;
        case 2:
            ipv6(l, inner);
            break;
        case 3:
            link_ethernet(l, inner);
            break;
        case 5:
            mpls(l, inner);
            break;
        default:  // 4 (NSH in NSH) included, as Suricata
            l.anomaly(Anomaly::NshUnknownPayload);
            break;
    }
}

void Decoder::pppoe_session(Layer& l, ByteSpan data) {
    // version/type(1) code(1) session id(2) length(2), then PPP
    ByteCursor c(data);
    c.u8();
    const std::uint8_t code = c.u8();
    c.u16be();
    const std::uint16_t length = c.u16be();
    if (!c.ok()) {
        l.anomaly(Anomaly::PppoePktTooSmall);
        return;
    }
    stats_.pppoe++;
    if (code != 0) {
        l.anomaly(Anomaly::PppoeWrongCode);
        return;
    }
    ByteSpan body = c.rest();
    if (length < body.size()) body = body.first(length);
    ppp(l, body);
}

void Decoder::ppp(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    // Protocol-Field-Compression (RFC 1661 6.5): protocol numbers have an even first and an odd
    // last octet, so an odd first octet is a one-octet field with the leading zero left out.
    std::uint16_t protocol = c.u8();
    if (c.ok() && (protocol & 1) == 0)
        protocol = static_cast<std::uint16_t>(protocol << 8 | c.u8());
    if (!c.ok()) {
        l.anomaly(Anomaly::PppPktTooSmall);
        return;
    }
    if (protocol == 0x0021) {
        ipv4(l, c.rest());
    } else if (protocol == 0x0057) {
        ipv6(l, c.rest());
    } else if (protocol < 0xc000) {
        // Control protocols (LCP, IPCP, ...) are normal; unknown data protocols are not.
        if (protocol != 0x8021 && protocol != 0x8057 && protocol != 0x00fd && protocol != 0x80fd)
            l.anomaly(Anomaly::PppUnsupProto);
    }
}

// ---- IPv4 ---------------------------------------------------------------------------------

void Decoder::ipv4(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    note_link_header(p, data);
    ByteCursor c(data);
    if (!c.has(20)) {
        l.anomaly(Anomaly::Ipv4PktTooSmall);
        return;
    }
    const std::uint8_t version_ihl = c.u8();
    const std::uint8_t tos = c.u8();
    const std::uint16_t total_length = c.u16be();
    const std::uint16_t id = c.u16be();
    const std::uint16_t flags_offset = c.u16be();
    const std::uint8_t ttl = c.u8();
    const std::uint8_t proto = c.u8();
    c.skip(2);  // header checksum, checked over the whole header below
    ByteSpan src = c.bytes(4);
    ByteSpan dst = c.bytes(4);

    if (version_ihl >> 4 != 4) {
        l.anomaly(Anomaly::Ipv4WrongIpVersion);
        return;
    }
    const std::size_t header_len = (version_ihl & 0x0f) * 4u;
    if (header_len < 20) {
        l.anomaly(Anomaly::Ipv4HlenTooSmall);
        return;
    }
    if (total_length < header_len) {
        l.anomaly(Anomaly::Ipv4IplenSmallerThanHlen);
        return;
    }
    if (data.size() < total_length) {
        l.anomaly(Anomaly::Ipv4TruncPkt);
        return;
    }
    stats_.ipv4++;
    // A tunnelled header replaces the outer one: flows follow the innermost addresses.
    p.ip_version = 4;
    l.ip_depth = p.tunnel_depth;
    l.ip_inner_len = p.inner_len;
    p.src = IpAddress::v4(src.first<4>());
    p.dst = IpAddress::v4(dst.first<4>());
    l.checksum_dst = p.dst;
    p.ip_proto = proto;
    p.ttl = ttl;
    p.ip_id = id;
    p.ip_tos = tos;
    p.frag_flags = static_cast<std::uint8_t>(flags_offset >> 13);  // RB, DF, MF
    p.frag_offset = flags_offset & 0x1fff;
    p.ipv6_frag_header = false;
    p.ipv4_options = 0;
    p.l4_header = {};
    p.has_l4 = false;
    p.sport = p.dport = 0;
    p.payload = {};
    p.ip_header = data.first(header_len);
    p.ip_payload = data.subspan(header_len, total_length - header_len);

    if (header_len > 20) ipv4_options(l, data.subspan(20, header_len - 20));
    if (options_.validate_checksums && !ipv4_header_checksum_ok(p.ip_header)) p.checksum_bad = true;

    const std::uint32_t frag_offset = (flags_offset & 0x1fff) * 8u;
    const bool more_fragments = flags_offset & 0x2000;
    if (frag_offset != 0 || more_fragments) {
        Fragment f;
        f.ip_version = 4;
        f.src = p.src;
        f.dst = p.dst;
        f.id = id;
        f.proto = proto;
        f.vlan = p.vlan;
        f.offset = frag_offset;
        f.more_fragments = more_fragments;
        f.data = p.ip_payload;
        f.unfragmentable = p.ip_header;
        fragment(l, f);
        return;
    }
    ip_payload(l, proto, p.ip_payload);
}

void Decoder::ipv4_options(Layer& l, ByteSpan options) {
    // RFC 791 only needs the options padded to 32 bits, which the header length guarantees.
    // Suricata flags option areas that are not a multiple of 8 bytes, and decoder-event rules
    // written for it count on that, so Tocsin raises the same event.
    if (options.size() % 8 != 0) l.anomaly(Anomaly::Ipv4OptPadRequired);
    ByteCursor c(options);
    std::uint32_t seen[8] = {};  // bitmap of option types, for duplicates
    while (!c.empty()) {
        const std::uint8_t type = c.u8();
        if (type <= 1) l.pkt.ipv4_options |= ipv4_option_bit(type);
        if (type == 0) return;    // end of option list; what follows is padding
        if (type == 1) continue;  // no-operation
        if (c.empty()) {
            l.anomaly(Anomaly::Ipv4OptEolRequired);
            return;
        }
        const std::uint8_t length = c.u8();
        if (length < 2 || length - 2u > c.remaining()) {
            l.anomaly(Anomaly::Ipv4OptInvalidLen);
            return;
        }
        ByteCursor body = c.sub(length - 2u);
        l.pkt.ipv4_options |= ipv4_option_bit(type);
        if (seen[type / 32] & (1u << (type % 32))) l.anomaly(Anomaly::Ipv4OptDuplicate);
        seen[type / 32] |= 1u << (type % 32);
        switch (type) {
            case 7:
            case 131:
            case 137: {  // route options: pointer >= 4, data a list of addresses
                const std::uint8_t pointer = body.u8();
                if (length < 3 || (length - 3) % 4 != 0) {
                    l.anomaly(Anomaly::Ipv4OptInvalidLen);
                } else if (pointer < 4 || pointer % 4 != 0) {
                    l.anomaly(Anomaly::Ipv4OptMalformed);
                }
                break;
            }
            case 68:  // timestamp: pointer(1) overflow/flags(1), then entries
                if (length < 4) {
                    l.anomaly(Anomaly::Ipv4OptInvalidLen);
                } else if (body.u8() < 5) {
                    l.anomaly(Anomaly::Ipv4OptMalformed);
                }
                break;
            case 130:  // basic security, RFC 1108: fixed length 11
                if (length != 11) l.anomaly(Anomaly::Ipv4OptInvalidLen);
                break;
            case 134:  // CIPSO: DOI(4) and at least one tag
                if (length < 10) l.anomaly(Anomaly::Ipv4OptInvalidLen);
                break;
            case 136:  // stream id
            case 148:  // router alert
                if (length != 4) l.anomaly(Anomaly::Ipv4OptInvalidLen);
                break;
            default:
                if (!is_ipv4_option_known(type)) l.anomaly(Anomaly::Ipv4OptUnknown);
                break;
        }
    }
}

// ---- IPv6 ---------------------------------------------------------------------------------

void Decoder::ipv6(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    note_link_header(p, data);
    ByteCursor c(data);
    if (!c.has(40)) {
        l.anomaly(Anomaly::Ipv6PktTooSmall);
        return;
    }
    const std::uint32_t vtf = c.u32be();
    const std::uint16_t payload_length = c.u16be();
    std::uint8_t next = c.u8();
    const std::uint8_t hop_limit = c.u8();
    ByteSpan src = c.bytes(16);
    ByteSpan dst = c.bytes(16);
    if (vtf >> 28 != 6) {
        l.anomaly(Anomaly::Ipv6WrongIpVersion);
        return;
    }
    if (c.remaining() < payload_length) {
        l.anomaly(Anomaly::Ipv6TruncPkt);
        return;
    }
    stats_.ipv6++;
    p.ip_version = 6;
    l.ip_depth = p.tunnel_depth;
    l.ip_inner_len = p.inner_len;
    p.src = IpAddress::v6(src.first<16>());
    p.dst = IpAddress::v6(dst.first<16>());
    l.checksum_dst = p.dst;
    p.ttl = hop_limit;
    p.ip_tos = static_cast<std::uint8_t>(vtf >> 20);  // traffic class
    p.frag_flags = 0;
    p.frag_offset = 0;
    p.ipv6_frag_header = false;
    p.ipv4_options = 0;
    p.l4_header = {};
    p.has_l4 = false;
    p.sport = p.dport = 0;
    p.payload = {};
    p.ip_header = data.first(40);
    p.ip_payload = data.subspan(40, payload_length);

    // Walk the extension headers. next_header_at tracks the byte that names the current
    // header, which defragmentation rewrites.
    ByteCursor ext(p.ip_payload);
    std::size_t next_header_at = 6;
    bool seen_hop = false, seen_route = false, seen_frag = false, seen_auth = false,
         seen_esp = false;
    int dest_opts = 0;
    bool after_ext = false;  // an extension header has been walked
    while (true) {
        // Whatever follows an extension header, another one or the upper-layer header, must
        // have at least two bytes; with fewer the chain is truncated (as in Suricata).
        if (after_ext && next != kIp6NoNext && ext.remaining() < 2) {
            p.ip_proto = next;
            l.anomaly(Anomaly::Ipv6TruncExthdr);
            return;
        }
        after_ext = true;
        switch (next) {
            case kIp6HopByHop:
            case kIp6DestOpts:
            case kIp6Routing:
            case kIp6Mobility: {
                const std::size_t here = 40 + ext.offset();
                const std::uint8_t nh = ext.peek_u8(0);
                const std::size_t len = (ext.peek_u8(1) + 1u) * 8u;
                if (!ext.has(len)) {
                    l.anomaly(Anomaly::Ipv6TruncExthdr);
                    return;
                }
                ByteCursor hdr = ext.sub(len);
                hdr.skip(2);
                if (next == kIp6HopByHop) {
                    if (seen_hop) l.anomaly(Anomaly::Ipv6ExthdrDuplHh);
                    seen_hop = true;
                } else if (next == kIp6DestOpts) {
                    if (++dest_opts > 2) l.anomaly(Anomaly::Ipv6ExthdrDuplDh);
                } else if (next == kIp6Routing) {
                    if (seen_route) l.anomaly(Anomaly::Ipv6ExthdrDuplRh);
                    seen_route = true;
                    const std::uint8_t type = hdr.peek_u8();
                    if (type == 0) l.anomaly(Anomaly::Ipv6RhType0);
                    // In transit, transport checksums cover the final destination: the last
                    // address of types 0 and 2, Segment List[0] of a Segment Routing header.
                    const ByteSpan rest = hdr.peek_rest();  // from the routing type on
                    if (hdr.peek_u8(1) != 0 && rest.size() >= 6 + 16) {
                        if (type == 0 || type == 2) {
                            l.checksum_dst = IpAddress::v6(rest.last<16>());
                        } else if (type == 4) {
                            l.checksum_dst = IpAddress::v6(rest.subspan<6, 16>());
                        }
                    }
                }
                if (next == kIp6HopByHop || next == kIp6DestOpts)
                    ipv6_options(l, next == kIp6HopByHop, hdr.peek_rest());
                next_header_at = here;
                next = nh;
                continue;
            }
            case kIp6Fragment: {
                const std::size_t here = 40 + ext.offset();
                const std::uint8_t nh = ext.u8();
                const std::uint8_t reserved = ext.u8();
                const std::uint16_t offset_flags = ext.u16be();
                const std::uint32_t id = ext.u32be();
                if (!ext.ok()) {
                    l.anomaly(Anomaly::Ipv6TruncExthdr);
                    return;
                }
                if (seen_frag) {
                    l.anomaly(Anomaly::Ipv6ExthdrDuplFh);
                    return;
                }
                seen_frag = true;
                if (reserved != 0 || (offset_flags & 0x0006) != 0)
                    l.anomaly(Anomaly::Ipv6FhNonZeroReservedField);
                const std::uint32_t offset = (offset_flags >> 3) * 8u;
                const bool more = offset_flags & 1;
                p.ipv6_frag_header = true;
                p.frag_offset = static_cast<std::uint16_t>(offset_flags >> 3);
                p.frag_flags = more ? kIpFragMf : 0;
                if (offset == 0 && !more) {
                    // An atomic fragment: legal but pointless; decode what follows.
                    l.anomaly(Anomaly::Ipv6ExthdrUselessFh);
                    next = nh;
                    continue;
                }
                ByteSpan body = ext.rest();
                if (more && body.size() % 8 != 0) {
                    l.anomaly(Anomaly::Ipv6FragInvalidLength);
                    return;
                }
                p.ip_proto = nh;
                Fragment f;
                f.ip_version = 6;
                f.src = p.src;
                f.dst = p.dst;
                f.id = id;
                f.proto = nh;
                f.vlan = p.vlan;
                f.offset = offset;
                f.more_fragments = more;
                f.data = body;
                f.unfragmentable = data.first(here);
                f.next_header_at = next_header_at;
                fragment(l, f);
                return;
            }
            case kIp6Auth: {
                // RFC 4302: next header(1) payload length(1, in 4-byte words minus 2)
                // reserved(2, must be zero) SPI(4) sequence(4) ICV.
                const std::uint8_t nh = ext.peek_u8(0);
                // A length of 0 cannot even hold the fixed fields: read as the minimum, 12.
                const std::size_t len = std::max<std::size_t>((ext.peek_u8(1) + 2u) * 4u, 12);
                const std::uint16_t reserved = ext.peek_u16be(2);
                if (!ext.skip(len)) {
                    l.anomaly(Anomaly::Ipv6TruncExthdr);
                    return;
                }
                if (reserved != 0) l.anomaly(Anomaly::Ipv6ExthdrAhResNotNull);
                if (seen_auth) l.anomaly(Anomaly::Ipv6ExthdrDuplAh);
                seen_auth = true;
                next_header_at = 40 + ext.offset() - len;
                next = nh;
                continue;
            }
            case kIp6Esp:
                if (seen_esp) l.anomaly(Anomaly::Ipv6ExthdrDuplEh);
                seen_esp = true;
                p.ip_proto = kIp6Esp;
                stats_.other_ip++;
                return;  // encrypted from here on
            case kIp6NoNext:
                p.ip_proto = kIp6NoNext;
                if (!ext.empty()) l.anomaly(Anomaly::Ipv6DataAfterNoneHeader);
                return;
            default:
                p.ip_proto = next;
                ip_payload(l, next, ext.rest());
                return;
        }
    }
}

void Decoder::ipv6_options(Layer& l, bool hop_by_hop, ByteSpan options) {
    // TLV options (RFC 8200 4.2). Flags malformed lengths, options the decoder does not know
    // and headers of nothing but padding, as Suricata's decoder events do.
    constexpr std::uint8_t kPad1 = 0x00, kPadN = 0x01, kRouterAlert = 0x05, kJumbo = 0xc2,
                           kHomeAddress = 0xc9;
    ByteCursor c(options);
    bool padding = false, other = false, unknown = false;
    while (!c.empty()) {
        const std::uint8_t type = c.u8();
        if (type == kPad1) {
            padding = true;
            continue;
        }
        const std::uint8_t length = c.u8();
        ByteCursor body = c.sub(length);
        if (!c.ok()) {
            l.anomaly(Anomaly::Ipv6ExthdrInvalidOptlen);
            break;
        }
        // Smallest body each known option can have: RFC 2711, RFC 2675, RFC 6275.
        std::size_t minimum = 0;
        switch (type) {
            case kPadN:
                padding = true;
                if (length == 0) l.anomaly(Anomaly::Ipv6ZeroLenPadn);
                break;
            case kRouterAlert:
                minimum = 2;
                other = true;
                break;
            case kJumbo:
                minimum = 4;  // a payload length, not an option carrying data
                break;
            case kHomeAddress:
                minimum = 16;
                other = true;
                break;
            default:
                other = true;
                if (!unknown)
                    l.anomaly(hop_by_hop ? Anomaly::Ipv6HopoptsUnknownOpt
                                         : Anomaly::Ipv6DstoptsUnknownOpt);
                unknown = true;
                break;
        }
        if (body.remaining() < minimum) {
            l.anomaly(Anomaly::Ipv6ExthdrInvalidOptlen);
            break;
        }
    }
    if (padding && !other)
        l.anomaly(hop_by_hop ? Anomaly::Ipv6HopoptsOnlyPadding : Anomaly::Ipv6DstoptsOnlyPadding);
}

// ---- Between IP and transport -------------------------------------------------------------

void Decoder::ip_payload(Layer& l, std::uint8_t proto, ByteSpan data) {
    Packet& p = l.pkt;
    p.ip_proto = proto;
    const bool v6 = p.ip_version == 6;
    switch (proto) {
        case kProtoTcp:
            tcp(l, data);
            break;
        case kProtoUdp:
            udp(l, data);
            break;
        case kProtoIcmp:
            if (v6) l.anomaly(Anomaly::Ipv6Icmpv4);
            icmpv4(l, data);
            break;
        case kProtoIcmpv6:
            if (!v6) l.anomaly(Anomaly::Ipv4Icmpv6);
            icmpv6(l, data);
            break;
        case kProtoGre:
            if (options_.gre && enter_layer(l)) {
                gre(l, data);
            } else {
                stats_.other_ip++;
            }
            break;
        case kIpProtoIpv4:
            if (!enter_layer(l)) return;
            if (data.size() < 20) {
                l.anomaly(v6 ? Anomaly::Ipv4InIpv6TooSmall : Anomaly::Ipv4PktTooSmall);
                return;
            }
            if ((data[0] >> 4) != 4) {
                l.anomaly(v6 ? Anomaly::Ipv4InIpv6WrongVersion : Anomaly::Ipv4WrongIpVersion);
                return;
            }
            (v6 ? stats_.ipv4_in_ipv6 : stats_.ipv4_in_ipv4)++;
            enter_tunnel(l, data);
            ipv4(l, data);
            break;
        case kIpProtoIpv6:
            if (!enter_layer(l)) return;
            if (data.size() < 40) {
                l.anomaly(v6 ? Anomaly::Ipv6InIpv6TooSmall : Anomaly::Ipv6PktTooSmall);
                return;
            }
            if ((data[0] >> 4) != 6) {
                l.anomaly(v6 ? Anomaly::Ipv6InIpv6WrongVersion : Anomaly::Ipv6WrongIpVersion);
                return;
            }
            (v6 ? stats_.ipv6_in_ipv6 : stats_.ipv6_in_ipv4)++;
            enter_tunnel(l, data);
            ipv6(l, data);
            break;
        default:
            // Suricata decodes these (or, for 0, PPP's VJ-uncompressed TCP) after IPv4; any
            // other protocol number is an event there.
            if (!v6 && proto != 0 && proto != kIp6Esp && proto != kIpProtoSctp)
                l.anomaly(Anomaly::Ipv4UnknownProtocol);
            stats_.other_ip++;
            p.payload = data;
            break;
    }
}

void Decoder::fragment(Layer& l, const Fragment& f) {
    Packet& p = l.pkt;
    p.is_fragment = true;
    if (l.reassembly_used) {
        // A fragment inside an already reassembled datagram: one rebuild per frame bounds work.
        l.anomaly(f.ip_version == 4 ? Anomaly::Ipv4FragIgnored : Anomaly::Ipv6FragIgnored);
        return;
    }
    if (p.checksum_bad) return;  // a corrupt header must not poison a train
    if (defrag_.add(p.ts, f, p.anomalies, l.reassembled) != Defragmenter::Result::complete) return;
    l.reassembly_used = true;
    p.is_fragment = false;
    p.is_reassembled = true;
    ByteSpan datagram(l.reassembled);
    p.datagram = datagram;
    p.reassembled_len = static_cast<std::uint32_t>(datagram.size());
    if (f.ip_version == 4) {
        ipv4(l, datagram);
    } else {
        ipv6(l, datagram);
    }
}

// ---- Transport ----------------------------------------------------------------------------

void Decoder::tcp(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    ByteCursor c(data);
    if (!c.has(20)) {
        l.anomaly(Anomaly::TcpPktTooSmall);
        return;
    }
    p.sport = c.u16be();
    p.dport = c.u16be();
    p.tcp = TcpInfo{};
    p.tcp.seq = c.u32be();
    p.tcp.ack = c.u32be();
    const std::uint8_t offset_reserved = c.u8();
    p.tcp.flags = c.u8();
    p.tcp.window = c.u16be();
    c.skip(2);  // checksum, verified over the whole segment below
    p.tcp.urgent_pointer = c.u16be();
    const std::size_t header_len = (offset_reserved >> 4) * 4u;
    if (header_len < 20) {
        l.anomaly(Anomaly::TcpHlenTooSmall);
        return;
    }
    if (header_len > data.size()) {
        l.anomaly(Anomaly::TcpInvalidOptlen);
        return;
    }
    stats_.tcp++;
    p.tcp.header_len = static_cast<std::uint8_t>(header_len);
    p.l4_header = data.first(header_len);
    if (header_len > 20) tcp_options(l, data.subspan(20, header_len - 20));
    p.payload = data.subspan(header_len);
    p.has_l4 = true;
    if (options_.validate_checksums &&
        !transport_checksum_ok(p.src, l.checksum_dst, kProtoTcp, data))
        p.checksum_bad = true;
}

void Decoder::tcp_options(Layer& l, ByteSpan options) {
    TcpInfo& t = l.pkt.tcp;
    ByteCursor c(options);
    bool seen_sack = false;
    while (!c.empty()) {
        const std::uint8_t kind = c.u8();
        if (kind == 0) return;  // end of options
        if (kind == 1) continue;
        const std::uint8_t length = c.u8();
        if (!c.ok() || length < 2 || length - 2u > c.remaining()) {
            l.anomaly(Anomaly::TcpOptInvalidLen);
            return;
        }
        ByteCursor body = c.sub(length - 2u);
        auto duplicate = [&](bool& flag) {
            if (flag) l.anomaly(Anomaly::TcpOptDuplicate);
            flag = true;
        };
        switch (kind) {
            case 2:  // MSS
                if (length != 4) {
                    l.anomaly(Anomaly::TcpOptInvalidLen);
                    break;
                }
                duplicate(t.has_mss);
                t.mss = body.u16be();
                break;
            case 3:  // window scale, capped at 14 by RFC 7323
                if (length != 3) {
                    l.anomaly(Anomaly::TcpOptInvalidLen);
                    break;
                }
                duplicate(t.has_wscale);
                t.wscale_raw = body.u8();
                t.wscale = std::min<std::uint8_t>(t.wscale_raw, 14);
                break;
            case 4:  // SACK permitted
                if (length != 2) {
                    l.anomaly(Anomaly::TcpOptInvalidLen);
                    break;
                }
                duplicate(t.sack_permitted);
                break;
            case 5:  // SACK blocks
                if ((length - 2) % 8 != 0 || length < 10) l.anomaly(Anomaly::TcpOptInvalidLen);
                duplicate(seen_sack);
                break;
            case 8:  // timestamps
                if (length != 10) {
                    l.anomaly(Anomaly::TcpOptInvalidLen);
                    break;
                }
                duplicate(t.has_timestamp);
                t.ts_value = body.u32be();
                t.ts_echo = body.u32be();
                break;
            default:
                break;
        }
    }
}

void Decoder::udp(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    ByteCursor c(data);
    if (!c.has(8)) {
        // Suricata's name for a datagram shorter than the UDP header (decode-too-small).
        l.anomaly(Anomaly::UdpHlenTooSmall);
        return;
    }
    p.sport = c.u16be();
    p.dport = c.u16be();
    const std::uint16_t length = c.u16be();
    const std::uint16_t checksum = c.u16be();
    if (length < 8) {
        l.anomaly(Anomaly::UdpHlenInvalid);
        return;
    }
    if (length > data.size()) {
        l.anomaly(Anomaly::UdpLenInvalid);
        return;
    }
    stats_.udp++;
    ByteSpan datagram = data.first(length);
    p.l4_header = datagram.first(8);
    p.payload = datagram.subspan(8);
    p.has_l4 = true;
    // A zero checksum means "none" over IPv4; over IPv6 it is mandatory (RFC 8200).
    if (options_.validate_checksums && (checksum != 0 || p.ip_version == 6) &&
        !transport_checksum_ok(p.src, l.checksum_dst, kProtoUdp, datagram))
        p.checksum_bad = true;

    if (options_.vxlan && std::find(options_.vxlan_ports.begin(), options_.vxlan_ports.end(),
                                    p.dport) != options_.vxlan_ports.end()) {
        vxlan(l, p.payload);
    } else if (options_.geneve && p.dport == options_.geneve_port) {
        geneve(l, p.payload);
    }
}

void Decoder::icmpv4(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    ByteCursor c(data);
    if (!c.has(8)) {
        l.anomaly(Anomaly::Icmpv4PktTooSmall);
        return;
    }
    stats_.icmpv4++;
    p.l4_header = data.first(8);
    p.icmp_type = c.u8();
    p.icmp_code = c.u8();
    c.skip(2);  // checksum, verified over the whole message below
    p.icmp_id = c.u16be();
    p.icmp_seq = c.u16be();
    p.payload = c.peek_rest();
    p.has_l4 = true;
    if (options_.validate_checksums && !ipv4_header_checksum_ok(data)) p.checksum_bad = true;
    // A router advertisement's header goes on with its address entries (RFC 1256: count at
    // byte 4, entry size in 32-bit words at byte 5); Suricata's icmpv4.hdr covers them.
    if (p.icmp_type == 9) {
        ByteCursor advert(data);
        advert.skip(4);
        const std::size_t count = advert.u8();
        const std::size_t words = advert.u8();
        if (advert.ok() && count * words * 4 <= data.size() - 8)
            p.l4_header = data.first(8 + count * words * 4);
    }

    // Highest valid code for each defined type (RFC 792 and successors); 0xff = undefined.
    static constexpr std::uint8_t kMaxCode[] = {0, 0xff, 0xff, 15, 0, 3, 0xff, 0xff, 0, 0,
                                                0, 1,    2,    0,  0, 0, 0,    0,    0};
    const std::uint8_t type = p.icmp_type;
    if (type >= sizeof kMaxCode || kMaxCode[type] == 0xff) {
        if (type != 9 && type != 10 && type != 30 && type != 40 && type != 42 && type != 43)
            l.anomaly(Anomaly::Icmpv4UnknownType);
    } else if (p.icmp_code > kMaxCode[type] && type != 9) {
        l.anomaly(Anomaly::Icmpv4UnknownCode);
        return;  // not a message we understand: its body is not read (as Suricata)
    }
    // Error messages quote the offending IPv4 header.
    if (type == 3 || type == 4 || type == 5 || type == 11 || type == 12) {
        ByteCursor inner(p.payload);
        if (!inner.has(20)) {
            l.anomaly(Anomaly::Icmpv4Ipv4TruncPkt);
        } else if (inner.peek_u8() >> 4 != 4) {
            l.anomaly(Anomaly::Icmpv4Ipv4UnknownVer);
        }
    }
}

void Decoder::icmpv6(Layer& l, ByteSpan data) {
    Packet& p = l.pkt;
    ByteCursor c(data);
    if (!c.has(4)) {
        l.anomaly(Anomaly::Icmpv6PktTooSmall);
        return;
    }
    stats_.icmpv6++;
    p.l4_header = data.first(std::min<std::size_t>(data.size(), 8));
    p.icmp_type = c.u8();
    p.icmp_code = c.u8();
    c.skip(2);
    p.icmp_id = c.peek_u16be(0);
    p.icmp_seq = c.peek_u16be(2);
    p.payload = c.has(4) ? c.peek_rest().subspan(4) : ByteSpan{};
    p.has_l4 = true;
    if (options_.validate_checksums &&
        !transport_checksum_ok(p.src, l.checksum_dst, kProtoIcmpv6, data))
        p.checksum_bad = true;

    const std::uint8_t type = p.icmp_type;
    const std::uint8_t code = p.icmp_code;
    if (type == 1 && code > 7) l.anomaly(Anomaly::Icmpv6UnknownCode);
    if ((type == 2 || type == 128 || type == 129) && code != 0)
        l.anomaly(Anomaly::Icmpv6UnknownCode);
    if (type == 3 && code > 1) l.anomaly(Anomaly::Icmpv6UnknownCode);
    if (type == 4 && code > 3) l.anomaly(Anomaly::Icmpv6UnknownCode);
    if (type == 100 || type == 101 || type == 200 || type == 201) {
        l.anomaly(Anomaly::Icmpv6ExperimentationType);
    } else if ((type >= 5 && type <= 99) || (type >= 102 && type <= 126) ||
               (type >= 162 && type <= 199) || (type >= 202 && type <= 254)) {
        l.anomaly(Anomaly::Icmpv6UnassignedType);
    } else if (type == 0 || type == 127 || type == 255) {
        l.anomaly(Anomaly::Icmpv6UnknownType);
    }
    // Multicast Listener messages must be link-local: hop limit 1 (RFC 2710, 3810).
    if ((type == 130 || type == 131 || type == 132 || type == 143) && p.ttl != 1)
        l.anomaly(Anomaly::Icmpv6MldMessageWithInvalidHl);
    if (type >= 1 && type <= 4) {
        ByteCursor inner(p.payload);
        if (!inner.has(40)) {
            l.anomaly(Anomaly::Icmpv6Ipv6TruncPkt);
        } else if (inner.peek_u8() >> 4 != 6) {
            l.anomaly(Anomaly::Icmpv6Ipv6UnknownVersion);
        }
    }
}

// ---- Tunnels ------------------------------------------------------------------------------

void Decoder::gre(Layer& l, ByteSpan data) {
    ByteCursor c(data);
    const std::uint16_t flags = c.u16be();
    const std::uint16_t protocol = c.u16be();
    if (!c.ok()) {
        l.anomaly(Anomaly::GrePktTooSmall);
        return;
    }
    stats_.gre++;
    const bool has_checksum = flags & 0x8000;
    const bool has_routing = flags & 0x4000;
    const bool has_key = flags & 0x2000;
    const bool has_seq = flags & 0x1000;
    const bool strict_route = flags & 0x0800;
    const std::uint16_t recursion = (flags >> 8) & 0x7;
    const std::uint16_t reserved = (flags >> 3) & 0x1f;
    const std::uint16_t version = flags & 0x7;
    if (version == 0) {
        if (recursion != 0) {
            l.anomaly(Anomaly::GreVersion0Recur);
            return;
        }
        if (reserved != 0) {
            l.anomaly(Anomaly::GreVersion0Flags);
            return;
        }
        const std::size_t optional =
            (has_checksum || has_routing ? 4 : 0) + (has_key ? 4 : 0) + (has_seq ? 4 : 0);
        if (!c.skip(optional)) {
            l.anomaly(Anomaly::GreVersion0HdrTooBig);
            return;
        }
        if (has_routing) {
            // Source route entries: address family(2) offset(1) length(1) data; ends with length 0.
            while (true) {
                c.skip(3);
                const std::uint8_t sre_len = c.u8();
                if (!c.ok() || !c.skip(sre_len)) {
                    l.anomaly(Anomaly::GreVersion0HdrTooBig);
                    return;
                }
                if (sre_len == 0) break;
            }
        }
    } else if (version == 1) {
        // Enhanced GRE (PPTP, RFC 2637): key present, no checksum/routing, PPP payload.
        if (has_checksum) return l.anomaly(Anomaly::GreVersion1Chksum);
        if (has_routing) return l.anomaly(Anomaly::GreVersion1Route);
        if (strict_route) return l.anomaly(Anomaly::GreVersion1Ssr);
        if (recursion != 0) return l.anomaly(Anomaly::GreVersion1Recur);
        if ((flags & 0x0078) != 0) return l.anomaly(Anomaly::GreVersion1Flags);
        if (!has_key) return l.anomaly(Anomaly::GreVersion1NoKey);
        if (protocol != 0x880b) return l.anomaly(Anomaly::GreVersion1WrongProtocol);
        const bool has_ack = flags & 0x0080;
        if (!c.skip(4 + (has_seq ? 4 : 0) + (has_ack ? 4 : 0))) {
            l.anomaly(Anomaly::GreVersion1HdrTooBig);
            return;
        }
        if (!c.empty()) ppp(l, c.rest());
        return;
    } else {
        l.anomaly(Anomaly::GreWrongVersion);
        return;
    }
    enter_tunnel(l, c.peek_rest());
    if (protocol == kEtherTransparentBridging) {
        link_ethernet(l, c.rest());
    } else if (protocol == kEtherErspan) {
        // ERSPAN type I carries the mirrored frame directly; type II (GRE sequence number
        // present) puts an 8-byte header first.
        stats_.erspan++;
        if (has_seq) {
            erspan_type2(l, c.rest());
        } else {
            link_ethernet(l, c.rest());
        }
    } else if (protocol == kEtherErspanType3) {
        // ERSPAN type III: 12-byte header, plus an 8-byte platform sub-header when O is set.
        stats_.erspan++;
        const bool optional = c.peek_u8(11) & 0x01;
        if (c.skip(optional ? 20 : 12)) link_ethernet(l, c.rest());
    } else {
        by_ethertype(l, protocol, c.rest());
    }
}

void Decoder::erspan_type2(Layer& l, ByteSpan data) {
    // version(4) VLAN(12) CoS(3) encapsulation(2) truncated(1) session(10) reserved(12)
    // index(20), then the mirrored Ethernet frame. The VLAN the frame was mirrored from is
    // the packet's, as in Suricata.
    ByteCursor c(data);
    const std::uint16_t version_vlan = c.u16be();
    c.skip(6);
    if (!c.ok()) {
        l.anomaly(Anomaly::ErspanHeaderTooSmall);
        return;
    }
    if ((version_vlan >> 12) != 1) {
        l.anomaly(Anomaly::ErspanUnsupportedVersion);
        return;
    }
    Packet& p = l.pkt;
    if (const std::uint16_t vlan_id = version_vlan & 0x0fff; vlan_id != 0) {
        if (p.vlan_count >= kMaxVlans) {
            l.anomaly(Anomaly::ErspanTooManyVlanLayers);
            return;
        }
        p.vlan[p.vlan_count++] = vlan_id;
    }
    link_ethernet(l, c.rest());
}

void Decoder::vxlan(Layer& l, ByteSpan data) {
    // flags(1) reserved(3) VNI(3) reserved(1); the I flag (0x08) must be set.
    ByteCursor c(data);
    const std::uint8_t flags = c.u8();
    c.skip(7);
    if (!c.ok() || (flags & 0x08) == 0) return;  // not VXLAN after all: stays plain UDP
    if (!c.has(14)) {
        l.anomaly(Anomaly::VxlanUnknownPayloadType);
        return;
    }
    if (!enter_layer(l)) return;
    stats_.vxlan++;
    enter_tunnel(l, c.peek_rest());
    link_ethernet(l, c.rest());
}

void Decoder::geneve(Layer& l, ByteSpan data) {
    // RFC 8926: version(2 bits) option length(6 bits, 4-byte words) flags(1) protocol(2)
    // VNI(3) reserved(1), then options, then the payload named by the protocol type.
    ByteCursor c(data);
    const std::uint8_t version_optlen = c.u8();
    c.u8();
    const std::uint16_t protocol = c.u16be();
    c.skip(4);
    if (!c.ok() || (version_optlen >> 6) != 0) return;  // not Geneve: stays plain UDP
    if (!c.skip((version_optlen & 0x3f) * 4u)) return;
    if (protocol != kEtherTransparentBridging && protocol != kEtherIpv4 && protocol != kEtherIpv6)
        return;
    if (!enter_layer(l)) return;
    stats_.geneve++;
    enter_tunnel(l, c.peek_rest());
    if (protocol == kEtherTransparentBridging) {
        link_ethernet(l, c.rest());
    } else {
        by_ethertype(l, protocol, c.rest());
    }
}

}  // namespace tocsin::decode
