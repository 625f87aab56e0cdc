// Turns captured frames into Packets: link layer, VLAN/MPLS/PPPoE/NSH, IPv4/IPv6 (with
// defragmentation), TCP/UDP/ICMP/ICMPv6 and the GRE/VXLAN/IP-in-IP tunnels. Malformed input
// never stops decoding of the run: each problem becomes an anomaly on the packet.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/config.h"
#include "core/packet.h"
#include "decode/defrag.h"

namespace tocsin::decode {

// libpcap link-layer types we decode.
enum LinkType : std::uint32_t {
    kLinkNull = 0,
    kLinkEthernet = 1,
    kLinkPpp = 9,
    kLinkPppSerial = 50,
    kLinkRaw = 101,
    kLinkRawAlt = 12,  // DLT_RAW on OpenBSD
    kLinkLoop = 108,
    kLinkSll = 113,
    kLinkIpv4 = 228,
    kLinkIpv6 = 229,
    kLinkSll2 = 276,
};

bool link_type_supported(std::uint32_t linktype);

struct DecodeOptions {
    bool validate_checksums = true;
    std::uint32_t max_layers = 16;
    bool vxlan = true;
    std::vector<std::uint16_t> vxlan_ports = {4789};
    bool geneve = true;
    std::uint16_t geneve_port = 6081;
    bool gre = true;
    bool recursion_in_flow_key = true;  // tunnel depth is part of the flow key
    DefragOptions defrag;

    static DecodeOptions from_config(const Config& config);
};

struct DecodeStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t ethernet = 0, vlan = 0, vlan_qinq = 0, mpls = 0, pppoe = 0, sll = 0, null = 0,
                  raw = 0, nsh = 0;
    std::uint64_t ipv4 = 0, ipv6 = 0, tcp = 0, udp = 0, icmpv4 = 0, icmpv6 = 0, other_ip = 0;
    std::uint64_t gre = 0, vxlan = 0, geneve = 0, erspan = 0, ipv4_in_ipv6 = 0, ipv6_in_ipv4 = 0,
                  ipv4_in_ipv4 = 0, ipv6_in_ipv6 = 0;
    std::uint64_t not_ip = 0;           // frames with no IP layer (ARP, LLDP, ...)
    std::uint64_t invalid = 0;          // frames that raised at least one anomaly
    std::uint64_t checksum_errors = 0;  // IP/TCP/UDP/ICMP checksum failures
    std::array<std::uint64_t, kAnomalyCount> anomalies{};
    std::uint64_t max_packet_size = 0;

    void merge(const DecodeStats& other);
};

class Decoder {
  public:
    explicit Decoder(const DecodeOptions& options);

    // Decodes pkt.data (a frame of `linktype`) into pkt. When this frame completes a
    // fragmented datagram, the datagram is rebuilt into `reassembled` and pkt describes it.
    // pkt ends up describing the innermost layers of a tunnel; when `outer` is given and the
    // frame is tunnelled (GRE, VXLAN, Geneve, IP-in-IP), *outer receives the packet as seen
    // before the first tunnel, so the carrier's flow is tracked too (as Suricata does).
    // Returns whether *outer was filled.
    bool decode(std::uint32_t linktype, Packet& pkt, std::vector<std::uint8_t>& reassembled,
                Packet* outer = nullptr);
    // Checksum validation can be switched off mid-run (offloading detected).
    void set_validate_checksums(bool on) { options_.validate_checksums = on; }
    // Advances packet time for fragment timeouts.
    void expire(Timestamp now) { defrag_.expire(now); }

    const DecodeStats& stats() const { return stats_; }
    const DefragStats& defrag_stats() const { return defrag_.stats(); }
    const Defragmenter& defragmenter() const { return defrag_; }

  private:
    struct Layer;  // per-call state

    void link_ethernet(Layer& l, ByteSpan data);
    void by_ethertype(Layer& l, std::uint16_t type, ByteSpan data);
    void link_sll(Layer& l, ByteSpan data);
    void link_sll2(Layer& l, ByteSpan data);
    void link_null(Layer& l, ByteSpan data, bool network_order);
    void raw_ip(Layer& l, ByteSpan data);
    void vlan(Layer& l, ByteSpan data);
    void mpls(Layer& l, ByteSpan data);
    void nsh(Layer& l, ByteSpan data);
    void pppoe_session(Layer& l, ByteSpan data);
    void ppp(Layer& l, ByteSpan data);
    void link_ppp(Layer& l, ByteSpan data);
    void ipv4(Layer& l, ByteSpan data);
    void ipv4_options(Layer& l, ByteSpan options);
    void ipv6(Layer& l, ByteSpan data);
    void ipv6_options(Layer& l, bool hop_by_hop, ByteSpan options);
    void ip_payload(Layer& l, std::uint8_t proto, ByteSpan data);
    void tcp(Layer& l, ByteSpan data);
    void tcp_options(Layer& l, ByteSpan options);
    void udp(Layer& l, ByteSpan data);
    void icmpv4(Layer& l, ByteSpan data);
    void icmpv6(Layer& l, ByteSpan data);
    void gre(Layer& l, ByteSpan data);
    void erspan_type2(Layer& l, ByteSpan data);
    void vxlan(Layer& l, ByteSpan data);
    void geneve(Layer& l, ByteSpan data);
    void enter_tunnel(Layer& l, ByteSpan inner);
    void fragment(Layer& l, const Fragment& f);
    bool enter_layer(Layer& l);
    void set_flow_key(Packet& pkt);

    DecodeOptions options_;
    DecodeStats stats_;
    Defragmenter defrag_;
};

}  // namespace tocsin::decode
