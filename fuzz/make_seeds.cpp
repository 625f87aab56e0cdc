// Writes a seed corpus for decode_flow_stream_fuzz: real encapsulations and TCP sessions made
// with the test packet builders, in the fuzz input format (see fuzz_input.h).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/packet_builder.h"

namespace ts = tocsin::testsupport;
using ts::Bytes;

namespace {

void write_seed(const std::filesystem::path& dir, const std::string& name,
                std::uint8_t linktype_index, const std::vector<Bytes>& frames) {
    Bytes out{linktype_index};
    for (const auto& f : frames) {
        out.push_back(static_cast<std::uint8_t>(f.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(f.size()));
        out.insert(out.end(), f.begin(), f.end());
    }
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

std::vector<Bytes> tcp_session(const std::string& client, const std::string& server, bool reorder) {
    ts::TcpSession s(client, 40000, server, 80);
    std::vector<Bytes> frames = s.handshake();
    frames.push_back(s.client_data(text("GET / HTTP/1.1\r\nHost: example\r\n\r\n")));
    Bytes a = s.server_data(Bytes(300, 'a'));
    Bytes b = s.server_data(Bytes(300, 'b'));
    if (reorder) std::swap(a, b);
    frames.push_back(a);
    frames.push_back(b);
    frames.push_back(s.client_ack());
    for (auto& f : s.close()) frames.push_back(f);
    return frames;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    write_seed(dir, "tcp-v4", 0, tcp_session("10.0.0.1", "10.0.0.2", false));
    write_seed(dir, "tcp-v4-reordered", 0x80, tcp_session("10.0.0.1", "10.0.0.2", true));
    write_seed(dir, "tcp-v6", 0, tcp_session("2001:db8::1", "2001:db8::2", false));

    const Bytes udp = ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                    ts::udp(5353, 53, text("query"), "10.0.0.1", "10.0.0.2"));
    ts::Ipv4Spec spec{"10.0.0.1", "10.0.0.2", 17};
    const Bytes big = ts::ipv4(spec, ts::udp(1, 2, Bytes(2000, 7), "10.0.0.1", "10.0.0.2"));
    std::vector<Bytes> frags;
    for (const auto& f : ts::fragment_ipv4(big, 512)) frags.push_back(ts::ethernet(0x0800, f));
    write_seed(dir, "ipv4-fragments", 0, frags);
    ts::Ipv6Spec spec6{"2001:db8::1", "2001:db8::2", 17};
    const Bytes big6 = ts::ipv6(spec6, ts::udp(1, 2, Bytes(2000, 7), "2001:db8::1", "2001:db8::2"));
    std::vector<Bytes> frags6;
    for (const auto& f : ts::fragment_ipv6(big6, 512, 99))
        frags6.push_back(ts::ethernet(0x86dd, f));
    write_seed(dir, "ipv6-fragments", 0, frags6);

    write_seed(dir, "vlan-qinq", 0, {ts::ethernet(0x0800, udp, {10, 20})});
    write_seed(dir, "mpls", 0, {ts::ethernet(0x8847, ts::mpls(100, udp))});
    write_seed(dir, "pppoe", 0, {ts::ethernet(0x8864, ts::pppoe_session(0x0021, udp))});
    write_seed(
        dir, "gre", 0,
        {ts::ethernet(0x0800, ts::ip_packet("192.0.2.1", "192.0.2.2", 47, ts::gre(0x0800, udp)))});
    const Bytes inner = ts::ethernet(0x0800, udp);
    write_seed(dir, "vxlan", 0,
               {ts::ethernet(0x0800, ts::ip_packet("192.0.2.1", "192.0.2.2", 17,
                                                   ts::udp(999, 4789, ts::vxlan(7, inner),
                                                           "192.0.2.1", "192.0.2.2")))});
    write_seed(dir, "sll", 1, {ts::linux_sll(0x0800, udp)});
    write_seed(dir, "sll2", 2, {ts::linux_sll2(0x0800, udp)});
    write_seed(dir, "raw", 3, {udp});
    write_seed(dir, "null", 4, {ts::bsd_null(2, udp)});
    write_seed(dir, "icmp", 0,
               {ts::ethernet(0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 1,
                                                   ts::icmpv4(8, 0, 0x10001, text("ping"))))});
    return 0;
}
