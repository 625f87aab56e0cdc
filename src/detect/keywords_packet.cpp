// Packet and flow tests that are closures over their parsed values: vlan.id, vlan.layers,
// checksum validity (ipv4-csum, tcpv4-csum, ...), flow.pkts / flow.bytes and their older
// per-direction spellings.
#include "decode/checksum.h"
#include "detect/keyword_table.h"

namespace tocsin::detect {

namespace {

std::size_t vlan_layers(const Packet& pkt) {
    return pkt.vlan_count;
}

// vlan.id:<number test>[,<layer>|all] — layer 0 is the outermost, -1 the innermost; without
// a layer any tag may match; "all" needs every tag to match.
std::string setup_vlan_id(SignatureBuilder& b, std::string_view value) {
    const std::vector<std::string_view> parts = split_list(value, ',');
    if (parts.size() > 2) return "vlan.id takes a value and a layer";
    NumberTest test;
    if (std::string e = test.parse(parts[0], 4095); !e.empty()) return e;
    enum class Mode { any, all, layer } mode = Mode::any;
    std::int64_t layer = 0;
    if (parts.size() == 2) {
        if (parts[1] == "all") {
            mode = Mode::all;
        } else if (parse_i64(parts[1], layer) && layer >= -3 && layer <= 2) {
            mode = Mode::layer;
        } else {
            return "vlan.id layer must be 0..2, -1..-3 or all";
        }
    }
    b.sig().custom_conditions.push_back(
        [test, mode, layer](const Packet& pkt, const flow::Flow*, flow::Direction) {
            const std::size_t n = vlan_layers(pkt);
            if (n == 0) return false;
            if (mode == Mode::layer) {
                const std::int64_t at = layer < 0 ? static_cast<std::int64_t>(n) + layer : layer;
                if (at < 0 || at >= static_cast<std::int64_t>(n)) return false;
                return test.matches(pkt.vlan[static_cast<std::size_t>(at)]);
            }
            bool any = false, all = true;
            for (std::size_t i = 0; i < n; ++i) {
                const bool m = test.matches(pkt.vlan[i]);
                any = any || m;
                all = all && m;
            }
            return mode == Mode::all ? all : any;
        });
    return "";
}

std::string setup_vlan_layers(SignatureBuilder& b, std::string_view value) {
    NumberTest test;
    if (std::string e = test.parse(value, 3); !e.empty()) return e;
    b.sig().custom_conditions.push_back(
        [test](const Packet& pkt, const flow::Flow*, flow::Direction) {
            return test.matches(vlan_layers(pkt));
        });
    return "";
}

// <proto>-csum:valid|invalid. Suricata computes these itself, whatever checksum validation
// the decoder did, so Tocsin does too.
std::string setup_checksum(SignatureBuilder& b, std::string_view value) {
    const std::string_view v = unquote(value);
    if (v != "valid" && v != "invalid") return "takes valid or invalid";
    const bool want_valid = v == "valid";
    const std::string_view name = b.keyword->name;
    const int ip_version = name.find("v6") != std::string_view::npos ? 6 : 4;
    std::uint8_t proto = 0;
    if (name.starts_with("tcp"))
        proto = kProtoTcp;
    else if (name.starts_with("udp"))
        proto = kProtoUdp;
    else if (name.starts_with("icmpv6"))
        proto = kProtoIcmpv6;
    else if (name.starts_with("icmpv4"))
        proto = kProtoIcmp;
    b.sig().custom_conditions.push_back([=](const Packet& pkt, const flow::Flow*, flow::Direction) {
        if (pkt.ip_version != ip_version || pkt.is_reassembled) return false;
        if (proto == 0) return decode::ipv4_header_checksum_ok(pkt.ip_header) == want_valid;
        if (pkt.ip_proto != proto || !pkt.has_l4) return false;
        if (proto == kProtoIcmp)
            return (decode::checksum_fold(decode::checksum_add(pkt.ip_payload)) == 0xffff) ==
                   want_valid;
        return decode::transport_checksum_ok(pkt.src, pkt.dst, proto, pkt.ip_payload) == want_valid;
    });
    return "";
}

// icmpv6.mtu: the MTU of an ICMPv6 Packet Too Big message (type 2), bytes 4..7.
std::string setup_icmpv6_mtu(SignatureBuilder& b, std::string_view value) {
    NumberTest test;
    if (std::string e = test.parse(value, 0xffffffffULL); !e.empty()) return e;
    b.sig().custom_conditions.push_back(
        [test](const Packet& pkt, const flow::Flow*, flow::Direction) {
            if (pkt.ip_proto != kProtoIcmpv6 || pkt.icmp_type != 2) return false;
            ByteCursor c(pkt.l4_header);
            c.skip(4);
            const std::uint32_t mtu = c.u32be();
            return c.ok() && test.matches(mtu);
        });
    return "";
}

enum class Counter { pkts, bytes };
enum class Side { to_server, to_client, either, both };

std::string add_flow_counter(SignatureBuilder& b, Counter counter, Side side,
                             std::string_view test_text) {
    NumberTest test;
    if (std::string e = test.parse(test_text, ~0ULL); !e.empty()) return e;
    b.sig().custom_conditions.push_back(
        [=](const Packet&, const flow::Flow* flow, flow::Direction) {
            if (flow == nullptr) return false;
            const auto& values = counter == Counter::pkts ? flow->pkts : flow->bytes;
            switch (side) {
                case Side::to_server:
                    return test.matches(values[0]);
                case Side::to_client:
                    return test.matches(values[1]);
                case Side::either:
                    return test.matches(values[0]) || test.matches(values[1]);
                case Side::both:
                    return test.matches(values[0]) && test.matches(values[1]);
            }
            return false;
        });
    return "";
}

// flow.pkts:<toserver|toclient|either|both>,<test>
std::string setup_flow_counter(SignatureBuilder& b, std::string_view value) {
    const Counter counter = b.keyword->param == 0 ? Counter::pkts : Counter::bytes;
    const std::size_t comma = value.find(',');
    if (comma == std::string_view::npos) return "needs a direction and a value";
    const std::string_view dir = trim(value.substr(0, comma));
    Side side;
    if (dir == "toserver" || dir == "to_server")
        side = Side::to_server;
    else if (dir == "toclient" || dir == "to_client")
        side = Side::to_client;
    else if (dir == "either")
        side = Side::either;
    else if (dir == "both")
        side = Side::both;
    else
        return "direction must be toserver, toclient, either or both";
    return add_flow_counter(b, counter, side, value.substr(comma + 1));
}

// flow.pkts_toserver:<test> and the like (Suricata 7 spelling).
std::string setup_flow_counter_legacy(SignatureBuilder& b, std::string_view value) {
    const int p = b.keyword->param;
    return add_flow_counter(b, p < 2 ? Counter::pkts : Counter::bytes,
                            p % 2 == 0 ? Side::to_server : Side::to_client, value);
}

}  // namespace

void register_packet_keywords(KeywordTable& table) {
    table.add({"vlan.id", KeywordValue::required, setup_vlan_id});
    table.add({"vlan.layers", KeywordValue::required, setup_vlan_layers});
    table.add({"icmpv6.mtu", KeywordValue::required, setup_icmpv6_mtu});
    for (std::string_view name : {"ipv4-csum", "tcpv4-csum", "tcpv6-csum", "udpv4-csum",
                                  "udpv6-csum", "icmpv4-csum", "icmpv6-csum"})
        table.add({name, KeywordValue::required, setup_checksum});
    table.add({"flow.pkts", KeywordValue::required, setup_flow_counter, 0});
    table.add({"flow.bytes", KeywordValue::required, setup_flow_counter, 1});
    table.add({"flow.pkts_toserver", KeywordValue::required, setup_flow_counter_legacy, 0});
    table.add({"flow.pkts_toclient", KeywordValue::required, setup_flow_counter_legacy, 1});
    table.add({"flow.bytes_toserver", KeywordValue::required, setup_flow_counter_legacy, 2});
    table.add({"flow.bytes_toclient", KeywordValue::required, setup_flow_counter_legacy, 3});
}

}  // namespace tocsin::detect
