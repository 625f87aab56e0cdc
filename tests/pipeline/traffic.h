// Small conversations for pipeline tests, built from the packet builders: a DNS query, a TCP
// exchange with handshake and close.
#pragma once

#include <string>
#include <vector>

#include "support/packet_builder.h"

namespace tocsin::testing {

namespace ts = tocsin::testsupport;
using ts::Bytes;

inline Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

// A DNS query (RFC 1035 4.1) for `name`, type A, class IN, id 0x1234, recursion desired.
inline Bytes dns_query(const std::string& name) {
    Bytes m = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        m.push_back(static_cast<std::uint8_t>(dot - start));
        for (std::size_t i = start; i < dot; ++i) m.push_back(static_cast<std::uint8_t>(name[i]));
        start = dot + 1;
    }
    m.push_back(0);
    for (std::uint8_t b : {0x00, 0x01, 0x00, 0x01}) m.push_back(b);
    return m;
}

inline std::vector<Bytes> tcp_exchange(const char* client, std::uint16_t cport, const char* server,
                                       std::uint16_t sport, const std::string& request,
                                       const std::string& response) {
    ts::TcpSession s(client, cport, server, sport);
    std::vector<Bytes> frames = s.handshake();
    if (!request.empty()) frames.push_back(s.client_data(text(request)));
    if (!response.empty()) frames.push_back(s.server_data(text(response)));
    frames.push_back(s.client_ack());
    for (Bytes& f : s.close()) frames.push_back(std::move(f));
    return frames;
}

// The DNS query as an Ethernet frame from `client` port 5353 to `server` port 53.
inline Bytes dns_query_frame(const std::string& name, const char* client, const char* server) {
    return ts::ethernet(0x0800, ts::ip_packet(client, server, 17,
                                              ts::udp(5353, 53, dns_query(name), client, server)));
}

}  // namespace tocsin::testing
