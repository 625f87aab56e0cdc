#include "support/packet_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

namespace tocsin::testsupport {
namespace {

constexpr std::size_t kIpv4HeaderSize = 20;
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::size_t kTcpHeaderSize = 20;
constexpr std::size_t kMaxOptionBytes = 40;
constexpr std::size_t kMaxIpLength = 65535;
constexpr std::uint8_t kIpv6Fragment = 44;

void put8(Bytes& out, std::uint8_t value) {
    out.push_back(value);
}

void put16(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

void put32(Bytes& out, std::uint32_t value) {
    put16(out, static_cast<std::uint16_t>(value >> 16));
    put16(out, static_cast<std::uint16_t>(value));
}

void append(Bytes& out, std::span<const std::uint8_t> data) {
    out.insert(out.end(), data.begin(), data.end());
}

void store16(Bytes& out, std::size_t at, std::uint16_t value) {
    out[at] = static_cast<std::uint8_t>(value >> 8);
    out[at + 1] = static_cast<std::uint8_t>(value);
}

std::uint16_t load16(std::span<const std::uint8_t> data, std::size_t at) {
    return static_cast<std::uint16_t>((data[at] << 8) | data[at + 1]);
}

// A checksum that is guaranteed to differ from the correct one, also in one's complement terms
// (0x0000 and 0xffff are equivalent there, so flipping the low byte never maps one to the other).
std::uint16_t corrupt(std::uint16_t checksum) {
    return checksum ^ 0x00ff;
}

IpAddress parse_family(const std::string& text, bool want_v6) {
    IpAddress address = IpAddress::parse(text);
    if (address.is_v6 != want_v6) {
        throw std::invalid_argument("expected an IPv" + std::string(want_v6 ? "6" : "4") +
                                    " address: " + text);
    }
    return address;
}

void require_same_family(const IpAddress& src, const IpAddress& dst) {
    if (src.is_v6 != dst.is_v6) {
        throw std::invalid_argument("source and destination addresses of different families");
    }
}

Bytes build_ipv4(const Ipv4Spec& spec, const IpAddress& src, const IpAddress& dst,
                 std::span<const std::uint8_t> payload) {
    if (spec.options.size() % 4 != 0 || spec.options.size() > kMaxOptionBytes) {
        throw std::invalid_argument("IPv4 options must be padded to a multiple of 4, max 40");
    }
    if (spec.fragment_offset_bytes % 8 != 0) {
        throw std::invalid_argument("IPv4 fragment offset must be a multiple of 8");
    }
    const std::size_t header_size = kIpv4HeaderSize + spec.options.size();
    const std::size_t total = header_size + payload.size();
    if (total > kMaxIpLength) throw std::invalid_argument("IPv4 packet longer than 65535");

    Bytes out;
    out.reserve(total);
    put8(out, static_cast<std::uint8_t>(0x40 | (header_size / 4)));
    put8(out, spec.tos);
    put16(out, static_cast<std::uint16_t>(total));
    put16(out, spec.id);
    std::uint16_t flags_offset = static_cast<std::uint16_t>(spec.fragment_offset_bytes / 8);
    if (spec.dont_fragment) flags_offset |= 0x4000;
    if (spec.more_fragments) flags_offset |= 0x2000;
    put16(out, flags_offset);
    put8(out, spec.ttl);
    put8(out, spec.proto);
    put16(out, 0);  // checksum, filled below
    append(out, src.view());
    append(out, dst.view());
    append(out, spec.options);
    std::uint16_t checksum = internet_checksum(out);
    store16(out, 10, spec.bad_checksum ? corrupt(checksum) : checksum);
    append(out, payload);
    return out;
}

Bytes build_ipv6(const Ipv6Spec& spec, const IpAddress& src, const IpAddress& dst,
                 std::span<const std::uint8_t> payload) {
    if (payload.size() > kMaxIpLength) throw std::invalid_argument("IPv6 payload over 65535");
    Bytes out;
    out.reserve(kIpv6HeaderSize + payload.size());
    put32(out, 0x60000000);  // version 6, traffic class and flow label zero
    put16(out, static_cast<std::uint16_t>(payload.size()));
    put8(out, spec.next_header);
    put8(out, spec.hop_limit);
    append(out, src.view());
    append(out, dst.view());
    append(out, payload);
    return out;
}

Bytes build_ip(const IpAddress& src, const IpAddress& dst, std::uint8_t proto, std::uint16_t id,
               std::span<const std::uint8_t> payload) {
    require_same_family(src, dst);
    if (src.is_v6) {
        Ipv6Spec spec;
        spec.next_header = proto;
        return build_ipv6(spec, src, dst, payload);
    }
    Ipv4Spec spec;
    spec.proto = proto;
    spec.id = id;
    spec.dont_fragment = true;  // what current TCP stacks send (path MTU discovery)
    return build_ipv4(spec, src, dst, payload);
}

// Options that must be repeated in every IPv4 fragment are those with the "copied" bit set.
Bytes copied_ipv4_options(std::span<const std::uint8_t> options) {
    Bytes copied;
    std::size_t i = 0;
    while (i < options.size()) {
        const std::uint8_t type = options[i];
        if (type == 0) break;  // end of option list
        if (type == 1) {       // no-operation
            ++i;
            continue;
        }
        if (i + 1 >= options.size()) break;
        const std::size_t length = options[i + 1];
        if (length < 2 || i + length > options.size()) break;
        if (type & 0x80) {
            copied.insert(copied.end(), options.begin() + i, options.begin() + i + length);
        }
        i += length;
    }
    copied.resize((copied.size() + 3) / 4 * 4, 0);
    return copied;
}

Bytes build_transport_with_checksum(Bytes segment, std::size_t checksum_at, std::uint8_t proto,
                                    const IpAddress& src, const IpAddress& dst, bool bad,
                                    bool zero_means_none) {
    require_same_family(src, dst);
    const std::uint32_t pseudo =
        pseudo_header_sum(src, dst, proto, static_cast<std::uint32_t>(segment.size()));
    std::uint16_t checksum = internet_checksum(segment, pseudo);
    // For UDP a computed zero is sent as all ones because zero means "no checksum".
    if (zero_means_none && checksum == 0) checksum = 0xffff;
    store16(segment, checksum_at, bad ? corrupt(checksum) : checksum);
    return segment;
}

}  // namespace

IpAddress IpAddress::parse(const std::string& text) {
    IpAddress address;
    if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
        address.is_v6 = true;
        return address;
    }
    throw std::invalid_argument("not an IP address: '" + text + "'");
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial) {
    std::uint64_t sum = initial;
    const std::size_t even = data.size() & ~std::size_t{1};
    for (std::size_t i = 0; i < even; i += 2) sum += load16(data, i);
    if (even != data.size()) sum += static_cast<std::uint32_t>(data[even]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::uint32_t pseudo_header_sum(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                                std::uint32_t transport_length) {
    require_same_family(src, dst);
    std::uint32_t sum = 0;
    for (const IpAddress* address : {&src, &dst}) {
        const auto bytes = address->view();
        for (std::size_t i = 0; i < bytes.size(); i += 2) sum += load16(bytes, i);
    }
    // IPv4 carries a 16-bit length, IPv6 a 32-bit one; both sum the same for lengths < 65536.
    sum += (transport_length >> 16) + (transport_length & 0xffff);
    sum += proto;
    return sum;
}

Bytes ipv4(const Ipv4Spec& spec, std::span<const std::uint8_t> payload) {
    return build_ipv4(spec, parse_family(spec.src, false), parse_family(spec.dst, false), payload);
}

Bytes ipv6(const Ipv6Spec& spec, std::span<const std::uint8_t> payload) {
    return build_ipv6(spec, parse_family(spec.src, true), parse_family(spec.dst, true), payload);
}

Bytes ip_packet(const std::string& src, const std::string& dst, std::uint8_t proto,
                std::span<const std::uint8_t> payload) {
    return build_ip(IpAddress::parse(src), IpAddress::parse(dst), proto, 1, payload);
}

std::vector<Bytes> fragment_ipv4(std::span<const std::uint8_t> ipv4_packet,
                                 std::size_t fragment_payload) {
    if (fragment_payload == 0 || fragment_payload % 8 != 0) {
        throw std::invalid_argument("fragment payload must be a non-zero multiple of 8");
    }
    if (ipv4_packet.size() < kIpv4HeaderSize || (ipv4_packet[0] >> 4) != 4) {
        throw std::invalid_argument("not an IPv4 packet");
    }
    const std::size_t header_size = (ipv4_packet[0] & 0x0f) * 4u;
    const std::size_t total = load16(ipv4_packet, 2);
    if (header_size < kIpv4HeaderSize || total < header_size || total > ipv4_packet.size()) {
        throw std::invalid_argument("inconsistent IPv4 header lengths");
    }
    const std::uint16_t flags_offset = load16(ipv4_packet, 6);
    const std::size_t base_offset = (flags_offset & 0x1fffu) * 8u;
    const bool base_more = (flags_offset & 0x2000) != 0;
    const auto header = ipv4_packet.subspan(0, header_size);
    const auto payload = ipv4_packet.subspan(header_size, total - header_size);
    const Bytes later_options = copied_ipv4_options(header.subspan(kIpv4HeaderSize));

    std::vector<Bytes> fragments;
    std::size_t offset = 0;
    do {
        const std::size_t chunk = std::min(fragment_payload, payload.size() - offset);
        const bool last = offset + chunk == payload.size();
        Bytes fragment(header.begin(), header.begin() + kIpv4HeaderSize);
        append(fragment, offset == 0 ? header.subspan(kIpv4HeaderSize) : later_options);
        const std::size_t this_header = fragment.size();
        fragment[0] = static_cast<std::uint8_t>(0x40 | (this_header / 4));
        store16(fragment, 2, static_cast<std::uint16_t>(this_header + chunk));
        std::uint16_t new_flags = static_cast<std::uint16_t>(flags_offset & 0x4000);
        if (!last || base_more) new_flags |= 0x2000;
        new_flags |= static_cast<std::uint16_t>((base_offset + offset) / 8);
        store16(fragment, 6, new_flags);
        store16(fragment, 10, 0);
        store16(fragment, 10, internet_checksum(fragment));
        append(fragment, payload.subspan(offset, chunk));
        fragments.push_back(std::move(fragment));
        offset += chunk;
    } while (offset < payload.size());
    return fragments;
}

std::vector<Bytes> fragment_ipv6(std::span<const std::uint8_t> ipv6_packet,
                                 std::size_t fragment_payload, std::uint32_t identification) {
    if (fragment_payload == 0 || fragment_payload % 8 != 0) {
        throw std::invalid_argument("fragment payload must be a non-zero multiple of 8");
    }
    if (ipv6_packet.size() < kIpv6HeaderSize || (ipv6_packet[0] >> 4) != 6) {
        throw std::invalid_argument("not an IPv6 packet");
    }
    const std::size_t end = kIpv6HeaderSize + load16(ipv6_packet, 4);
    if (end > ipv6_packet.size()) throw std::invalid_argument("IPv6 payload length too large");

    // Walk the extension headers. The unfragmentable part ends after the last Hop-by-Hop or
    // Routing header, which also takes in Destination Options that precede a Routing header.
    std::size_t next_field = 6;  // where the "next header" byte of the last such header lives
    std::size_t unfragmentable_end = kIpv6HeaderSize;
    std::uint8_t next = ipv6_packet[6];
    std::size_t pos = kIpv6HeaderSize;
    while (next == 0 || next == 43 || next == 60) {
        if (pos + 2 > end) throw std::invalid_argument("truncated IPv6 extension header");
        const std::size_t length = (ipv6_packet[pos + 1] + 1u) * 8u;
        if (next != 60) {
            next_field = pos;
            unfragmentable_end = pos + length;
        }
        next = ipv6_packet[pos];
        pos += length;
    }
    if (unfragmentable_end > end) throw std::invalid_argument("truncated IPv6 extension header");

    const auto unfragmentable = ipv6_packet.subspan(0, unfragmentable_end);
    const auto fragmentable = ipv6_packet.subspan(unfragmentable_end, end - unfragmentable_end);
    const std::uint8_t inner_next = ipv6_packet[next_field];

    std::vector<Bytes> fragments;
    std::size_t offset = 0;
    do {
        const std::size_t chunk = std::min(fragment_payload, fragmentable.size() - offset);
        const bool last = offset + chunk == fragmentable.size();
        Bytes fragment(unfragmentable.begin(), unfragmentable.end());
        fragment[next_field] = kIpv6Fragment;
        store16(fragment, 4,
                static_cast<std::uint16_t>(unfragmentable_end - kIpv6HeaderSize + 8 + chunk));
        put8(fragment, inner_next);
        put8(fragment, 0);
        // The offset in 8-byte units sits in the top 13 bits, which equals the byte offset.
        put16(fragment, static_cast<std::uint16_t>(offset | (last ? 0 : 1)));
        put32(fragment, identification);
        append(fragment, fragmentable.subspan(offset, chunk));
        fragments.push_back(std::move(fragment));
        offset += chunk;
    } while (offset < fragmentable.size());
    return fragments;
}

Bytes tcp(const TcpSpec& spec, std::span<const std::uint8_t> payload, const IpAddress& src,
          const IpAddress& dst) {
    if (spec.options.size() > kMaxOptionBytes) throw std::invalid_argument("TCP options over 40");
    const std::size_t options_size = (spec.options.size() + 3) / 4 * 4;
    const std::size_t header_size = kTcpHeaderSize + options_size;
    Bytes out;
    out.reserve(header_size + payload.size());
    put16(out, spec.sport);
    put16(out, spec.dport);
    put32(out, spec.seq);
    put32(out, spec.ack);
    put8(out, static_cast<std::uint8_t>((header_size / 4) << 4));
    put8(out, spec.flags);
    put16(out, spec.window);
    put16(out, 0);  // checksum, filled below
    put16(out, spec.urgent_pointer);
    append(out, spec.options);
    out.resize(header_size, 0);  // end-of-option-list padding
    append(out, payload);
    return build_transport_with_checksum(std::move(out), 16, kProtoTcp, src, dst, spec.bad_checksum,
                                         false);
}

Bytes tcp(const TcpSpec& spec, std::span<const std::uint8_t> payload, const std::string& src,
          const std::string& dst) {
    return tcp(spec, payload, IpAddress::parse(src), IpAddress::parse(dst));
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, std::span<const std::uint8_t> payload,
          const IpAddress& src, const IpAddress& dst) {
    if (payload.size() + 8 > kMaxIpLength) throw std::invalid_argument("UDP payload too long");
    Bytes out;
    out.reserve(8 + payload.size());
    put16(out, sport);
    put16(out, dport);
    put16(out, static_cast<std::uint16_t>(8 + payload.size()));
    put16(out, 0);
    append(out, payload);
    return build_transport_with_checksum(std::move(out), 6, kProtoUdp, src, dst, false, true);
}

Bytes udp(std::uint16_t sport, std::uint16_t dport, std::span<const std::uint8_t> payload,
          const std::string& src, const std::string& dst) {
    return udp(sport, dport, payload, IpAddress::parse(src), IpAddress::parse(dst));
}

namespace {
Bytes icmp_message(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header,
                   std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(8 + payload.size());
    put8(out, type);
    put8(out, code);
    put16(out, 0);
    put32(out, rest_of_header);
    append(out, payload);
    return out;
}
}  // namespace

Bytes icmpv4(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header,
             std::span<const std::uint8_t> payload) {
    Bytes out = icmp_message(type, code, rest_of_header, payload);
    store16(out, 2, internet_checksum(out));
    return out;
}

Bytes icmpv6(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header,
             std::span<const std::uint8_t> payload, const std::string& src,
             const std::string& dst) {
    return build_transport_with_checksum(icmp_message(type, code, rest_of_header, payload), 2,
                                         kProtoIcmpv6, parse_family(src, true),
                                         parse_family(dst, true), false, false);
}

Bytes ethernet(const Mac& dst, const Mac& src, std::uint16_t ethertype,
               std::span<const std::uint8_t> payload, const std::vector<std::uint16_t>& vlan_ids) {
    Bytes out;
    out.reserve(14 + 4 * vlan_ids.size() + payload.size());
    append(out, dst);
    append(out, src);
    for (std::size_t i = 0; i < vlan_ids.size(); ++i) {
        const bool service_tag = i == 0 && vlan_ids.size() >= 2;
        put16(out, service_tag ? kEthertypeQinQ : kEthertypeVlan);
        put16(out, static_cast<std::uint16_t>(vlan_ids[i] & 0x0fff));  // priority 0, DEI 0
    }
    put16(out, ethertype);
    append(out, payload);
    return out;
}

Bytes ethernet(std::uint16_t ethertype, std::span<const std::uint8_t> payload,
               const std::vector<std::uint16_t>& vlan_ids) {
    return ethernet(kServerMac, kClientMac, ethertype, payload, vlan_ids);
}

Bytes mpls(std::uint32_t label, std::span<const std::uint8_t> payload, bool bottom_of_stack,
           std::uint8_t ttl) {
    Bytes out;
    out.reserve(4 + payload.size());
    put32(out, ((label & 0xfffff) << 12) | (bottom_of_stack ? 0x100u : 0u) | ttl);
    append(out, payload);
    return out;
}

Bytes pppoe_session(std::uint16_t ppp_protocol, std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(8 + payload.size());
    put8(out, 0x11);  // version 1, type 1
    put8(out, 0x00);  // code: session data
    put16(out, 0x0001);
    put16(out, static_cast<std::uint16_t>(payload.size() + 2));  // counts the PPP protocol field
    put16(out, ppp_protocol);
    append(out, payload);
    return out;
}

Bytes gre(std::uint16_t protocol_type, std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(4 + payload.size());
    put16(out, 0);
    put16(out, protocol_type);
    append(out, payload);
    return out;
}

Bytes vxlan(std::uint32_t vni, std::span<const std::uint8_t> inner_ethernet_frame) {
    Bytes out;
    out.reserve(8 + inner_ethernet_frame.size());
    put32(out, 0x08000000);  // "VNI present" flag
    put32(out, (vni & 0xffffff) << 8);
    append(out, inner_ethernet_frame);
    return out;
}

Bytes linux_sll(std::uint16_t protocol, std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(16 + payload.size());
    put16(out, 0);  // packet type: addressed to this host
    put16(out, 1);  // ARPHRD_ETHER
    put16(out, 6);  // link-layer address length
    append(out, kClientMac);
    put16(out, 0);  // address field is 8 bytes
    put16(out, protocol);
    append(out, payload);
    return out;
}

Bytes linux_sll2(std::uint16_t protocol, std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(20 + payload.size());
    put16(out, protocol);
    put16(out, 0);  // reserved
    put32(out, 1);  // interface index
    put16(out, 1);  // ARPHRD_ETHER
    put8(out, 0);   // packet type: addressed to this host
    put8(out, 6);   // link-layer address length
    append(out, kClientMac);
    put16(out, 0);
    append(out, payload);
    return out;
}

Bytes bsd_null(std::uint32_t family_host_order, std::span<const std::uint8_t> payload) {
    Bytes out;
    out.reserve(4 + payload.size());
    for (int shift = 0; shift < 32; shift += 8) {
        out.push_back(static_cast<std::uint8_t>(family_host_order >> shift));
    }
    append(out, payload);
    return out;
}

// ---------------------------------------------------------------------------------------------

TcpSession::Endpoint TcpSession::make_endpoint(const std::string& ip, std::uint16_t port,
                                               std::uint32_t isn, const Mac& mac) {
    // IP ids start at a port-derived value so different sessions do not all count from 1.
    const auto ip_id = static_cast<std::uint16_t>(port * 7919u);
    return Endpoint{IpAddress::parse(ip), port, isn, isn + 1, ip_id, mac};
}

TcpSession::TcpSession(std::string client_ip, std::uint16_t client_port, std::string server_ip,
                       std::uint16_t server_port, std::uint32_t client_isn,
                       std::uint32_t server_isn)
    : client_(make_endpoint(client_ip, client_port, client_isn, kClientMac)),
      server_(make_endpoint(server_ip, server_port, server_isn, kServerMac)) {
    require_same_family(client_.address, server_.address);
}

Bytes TcpSession::segment(Endpoint& from, const Endpoint& to, std::uint8_t flags, std::uint32_t seq,
                          std::span<const std::uint8_t> payload, const Bytes& options) {
    TcpSpec spec;
    spec.sport = from.port;
    spec.dport = to.port;
    spec.seq = seq;
    spec.ack = (flags & kAck) ? to.next_seq : 0;
    spec.flags = flags;
    spec.options = options;
    const Bytes l4 = tcp(spec, payload, from.address, to.address);
    const Bytes l3 = build_ip(from.address, to.address, kProtoTcp, from.ip_id++, l4);
    return ethernet(to.mac, from.mac, is_ipv6() ? kEthertypeIpv6 : kEthertypeIpv4, l3, vlans_);
}

Bytes TcpSession::data(Endpoint& from, const Endpoint& to, std::span<const std::uint8_t> payload) {
    Bytes frame = segment(from, to, kPsh | kAck, from.next_seq, payload);
    from.next_seq += static_cast<std::uint32_t>(payload.size());
    return frame;
}

std::vector<Bytes> TcpSession::handshake() {
    // MSS, NOP, NOP, SACK permitted: a typical SYN without timestamps or window scaling.
    const std::uint16_t mss = is_ipv6() ? 1440 : 1460;
    const Bytes options{
        2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss), 1, 1, 4, 2};
    std::vector<Bytes> frames;
    frames.push_back(segment(client_, server_, kSyn, client_.isn, {}, options));
    frames.push_back(segment(server_, client_, kSyn | kAck, server_.isn, {}, options));
    frames.push_back(client_ack());
    return frames;
}

Bytes TcpSession::client_data(std::span<const std::uint8_t> payload) {
    return data(client_, server_, payload);
}

Bytes TcpSession::server_data(std::span<const std::uint8_t> payload) {
    return data(server_, client_, payload);
}

Bytes TcpSession::client_data_at(std::uint32_t relative_seq,
                                 std::span<const std::uint8_t> payload) {
    return segment(client_, server_, kPsh | kAck, client_.isn + 1 + relative_seq, payload);
}

Bytes TcpSession::server_data_at(std::uint32_t relative_seq,
                                 std::span<const std::uint8_t> payload) {
    return segment(server_, client_, kPsh | kAck, server_.isn + 1 + relative_seq, payload);
}

Bytes TcpSession::client_ack() {
    return segment(client_, server_, kAck, client_.next_seq, {});
}

Bytes TcpSession::server_ack() {
    return segment(server_, client_, kAck, server_.next_seq, {});
}

Bytes TcpSession::client_fin() {
    Bytes frame = segment(client_, server_, kFin | kAck, client_.next_seq, {});
    ++client_.next_seq;
    return frame;
}

Bytes TcpSession::server_fin() {
    Bytes frame = segment(server_, client_, kFin | kAck, server_.next_seq, {});
    ++server_.next_seq;
    return frame;
}

std::vector<Bytes> TcpSession::close() {
    std::vector<Bytes> frames;
    frames.push_back(client_fin());
    frames.push_back(server_ack());
    frames.push_back(server_fin());
    frames.push_back(client_ack());
    return frames;
}

Bytes TcpSession::client_rst() {
    return segment(client_, server_, kRst | kAck, client_.next_seq, {});
}

Bytes TcpSession::server_rst() {
    return segment(server_, client_, kRst | kAck, server_.next_seq, {});
}

}  // namespace tocsin::testsupport
