// Packet crafting helpers for unit tests, fuzz seeds and the benchmark capture generator.
//
// Every builder returns the bytes of one protocol layer wrapped around an already built payload,
// so packets are assembled inside-out: ethernet(0x0800, ipv4(spec, tcp(t, data, src, dst))).
// Lengths and checksums are always computed; a few "bad_*" knobs exist to craft broken input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::testsupport {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

// The MAC addresses used when a builder is not given any.
inline constexpr Mac kClientMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline constexpr Mac kServerMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

// Ethertypes and IP protocol numbers the builders and their callers commonly need.
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr std::uint16_t kEthertypeVlan = 0x8100;
inline constexpr std::uint16_t kEthertypeQinQ = 0x88a8;
inline constexpr std::uint16_t kEthertypeMpls = 0x8847;
inline constexpr std::uint16_t kEthertypePppoeSession = 0x8864;
inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoGre = 47;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;

// An IPv4 or IPv6 address parsed from text ("10.0.0.1", "2001:db8::1").
struct IpAddress {
    bool is_v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes

    // Throws std::invalid_argument when the text is neither a valid IPv4 nor IPv6 address.
    static IpAddress parse(const std::string& text);
    std::span<const std::uint8_t> view() const { return {bytes.data(), is_v6 ? 16u : 4u}; }
};

// One's complement sum of `data` (big-endian 16-bit words, odd byte zero padded), started from
// `initial` (a running, not yet complemented sum such as a pseudo-header's), folded and inverted.
std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial = 0);

// The not yet complemented sum of the IPv4 or IPv6 pseudo-header for a transport checksum.
// Throws std::invalid_argument when src and dst are of different families.
std::uint32_t pseudo_header_sum(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                                std::uint32_t transport_length);

// ---------------------------------------------------------------------------------------------
// Network layer

struct Ipv4Spec {
    std::string src{}, dst{};
    std::uint8_t proto = kProtoTcp;
    std::uint8_t ttl = 64;
    std::uint16_t id = 1;
    bool dont_fragment = false;
    bool more_fragments = false;
    std::uint16_t fragment_offset_bytes = 0;  // must be a multiple of 8
    Bytes options{};                          // raw, padded by caller to a multiple of 4
    std::uint8_t tos = 0;
    bool bad_checksum = false;
};
// Fills IHL, total length and the header checksum.
Bytes ipv4(const Ipv4Spec& spec, std::span<const std::uint8_t> payload);

struct Ipv6Spec {
    std::string src{}, dst{};
    std::uint8_t next_header = kProtoTcp;
    std::uint8_t hop_limit = 64;
};
// The payload may start with extension headers (next_header then names the first of them).
Bytes ipv6(const Ipv6Spec& spec, std::span<const std::uint8_t> payload);

// Splits a full IPv4 packet (header + payload) into fragments carrying at most
// `fragment_payload` bytes each (a multiple of 8). Later fragments keep only the options whose
// "copied" flag is set. Fragmenting a fragment keeps its offset and more-fragments flag.
std::vector<Bytes> fragment_ipv4(std::span<const std::uint8_t> ipv4_packet,
                                 std::size_t fragment_payload);

// Splits an IPv6 packet into fragments with a Fragment extension header. The unfragmentable part
// (Hop-by-Hop, Routing and Destination Options before a Routing header) is repeated in each.
std::vector<Bytes> fragment_ipv6(std::span<const std::uint8_t> ipv6_packet,
                                 std::size_t fragment_payload, std::uint32_t identification);

// ---------------------------------------------------------------------------------------------
// Transport layer

enum TcpFlag : std::uint8_t {
    kFin = 1,
    kSyn = 2,
    kRst = 4,
    kPsh = 8,
    kAck = 16,
    kUrg = 32,
    kEce = 64,
    kCwr = 128
};

struct TcpSpec {
    std::uint16_t sport = 0, dport = 0;
    std::uint32_t seq = 0, ack = 0;
    std::uint8_t flags = kAck;
    std::uint16_t window = 65535;
    Bytes options{};  // padded with end-of-option-list bytes to a multiple of 4
    bool bad_checksum = false;
    std::uint16_t urgent_pointer = 0;
};
// The checksum covers the IPv4 or IPv6 pseudo-header, chosen by the address text.
Bytes tcp(const TcpSpec& spec, std::span<const std::uint8_t> payload, const std::string& src,
          const std::string& dst);
Bytes tcp(const TcpSpec& spec, std::span<const std::uint8_t> payload, const IpAddress& src,
          const IpAddress& dst);

Bytes udp(std::uint16_t sport, std::uint16_t dport, std::span<const std::uint8_t> payload,
          const std::string& src, const std::string& dst);
Bytes udp(std::uint16_t sport, std::uint16_t dport, std::span<const std::uint8_t> payload,
          const IpAddress& src, const IpAddress& dst);

Bytes icmpv4(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header,
             std::span<const std::uint8_t> payload);
Bytes icmpv6(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header,
             std::span<const std::uint8_t> payload, const std::string& src, const std::string& dst);

// Convenience: an IPv4 or IPv6 packet (chosen by the address text). IPv4 gets id 1, TTL 64 and
// the don't-fragment flag (as TCP stacks send); IPv6 gets hop limit 64.
Bytes ip_packet(const std::string& src, const std::string& dst, std::uint8_t proto,
                std::span<const std::uint8_t> payload);

// ---------------------------------------------------------------------------------------------
// Link layer and encapsulations

// 802.1Q tags are listed outer first; with two or more tags the outer one uses the 802.1ad TPID
// (0x88a8) as QinQ does. Source MAC is kClientMac, destination kServerMac.
Bytes ethernet(std::uint16_t ethertype, std::span<const std::uint8_t> payload,
               const std::vector<std::uint16_t>& vlan_ids = {});
Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t ethertype,
               std::span<const std::uint8_t> payload,
               const std::vector<std::uint16_t>& vlan_ids = {});

// One MPLS label stack entry (traffic class 0) in front of the payload.
Bytes mpls(std::uint32_t label, std::span<const std::uint8_t> payload, bool bottom_of_stack = true,
           std::uint8_t ttl = 64);

// PPPoE session header (session id 1) followed by the 2-byte PPP protocol field.
Bytes pppoe_session(std::uint16_t ppp_protocol, std::span<const std::uint8_t> payload);

// GRE version 0 without checksum, key or sequence number.
Bytes gre(std::uint16_t protocol_type, std::span<const std::uint8_t> payload);

// The 8-byte VXLAN header followed by the frame; goes inside UDP with destination port 4789.
Bytes vxlan(std::uint32_t vni, std::span<const std::uint8_t> inner_ethernet_frame);

Bytes linux_sll(std::uint16_t protocol, std::span<const std::uint8_t> payload);   // linktype 113
Bytes linux_sll2(std::uint16_t protocol, std::span<const std::uint8_t> payload);  // linktype 276

// Linktype 0. The family is stored little-endian, i.e. in the byte order of the (little-endian)
// files PcapWriter produces, which is what "host order" means to pcap readers.
Bytes bsd_null(std::uint32_t family_host_order, std::span<const std::uint8_t> payload);

// ---------------------------------------------------------------------------------------------
// A TCP conversation with sequence bookkeeping; every call returns full Ethernet frames.
// The session is IPv6 when the address text contains ':'.

class TcpSession {
  public:
    TcpSession(std::string client_ip, std::uint16_t client_port, std::string server_ip,
               std::uint16_t server_port, std::uint32_t client_isn = 1000,
               std::uint32_t server_isn = 5000);

    // Tags every following frame with these 802.1Q VLAN ids (see ethernet()).
    void set_vlans(std::vector<std::uint16_t> vlan_ids) { vlans_ = std::move(vlan_ids); }

    std::vector<Bytes> handshake();                         // SYN, SYN/ACK, ACK
    Bytes client_data(std::span<const std::uint8_t> data);  // PSH|ACK, advances client seq
    Bytes server_data(std::span<const std::uint8_t> data);
    // A segment at an offset relative to ISN+1 of that side; does not advance the sequence.
    Bytes client_data_at(std::uint32_t relative_seq, std::span<const std::uint8_t> data);
    Bytes server_data_at(std::uint32_t relative_seq, std::span<const std::uint8_t> data);
    Bytes client_ack();  // pure ACK of everything the server sent so far
    Bytes server_ack();
    Bytes client_fin();  // FIN|ACK, advances client seq by one
    Bytes server_fin();
    std::vector<Bytes> close();  // FIN from client, ACK, FIN from server, ACK
    Bytes client_rst();
    Bytes server_rst();

    bool is_ipv6() const { return client_.address.is_v6; }
    std::uint32_t client_next_seq() const { return client_.next_seq; }
    std::uint32_t server_next_seq() const { return server_.next_seq; }

  private:
    struct Endpoint {
        IpAddress address;
        std::uint16_t port;
        std::uint32_t isn;
        std::uint32_t next_seq;
        std::uint16_t ip_id;
        Mac mac;
    };

    static Endpoint make_endpoint(const std::string& ip, std::uint16_t port, std::uint32_t isn,
                                  const Mac& mac);
    Bytes segment(Endpoint& from, const Endpoint& to, std::uint8_t flags, std::uint32_t seq,
                  std::span<const std::uint8_t> payload, const Bytes& options = {});
    Bytes data(Endpoint& from, const Endpoint& to, std::span<const std::uint8_t> payload);

    Endpoint client_;
    Endpoint server_;
    std::vector<std::uint16_t> vlans_;
};

}  // namespace tocsin::testsupport
