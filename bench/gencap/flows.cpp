#include "gencap/flows.h"

#include <string>
#include <utility>
#include <vector>

#include "gencap/apps.h"

namespace tocsin::gencap {
namespace {

using testsupport::TcpSession;

// Payload per full segment: what Linux sends with an MSS of 1460 and TCP timestamps on, kept
// for IPv4; IPv6 has 20 more bytes of IP header and the same 1500-byte MTU.
constexpr std::size_t kSegmentPayloadV4 = 1448;
constexpr std::size_t kSegmentPayloadV6 = 1428;
constexpr int kSegmentsPerAck = 2;  // delayed ACK: one ACK for every second full segment
// Industrial devices are numbered 172.16.1.1 to 172.16.250.250.
constexpr std::size_t kMaxDevices = 250 * 250;

class TcpFlow final : public Flow {
  public:
    TcpFlow(TcpSession session, std::unique_ptr<Conversation> conversation)
        : session_(std::move(session)),
          conversation_(std::move(conversation)),
          segment_payload_(session_.is_ipv6() ? kSegmentPayloadV6 : kSegmentPayloadV4) {}

    bool next(Rng& rng, std::deque<Packet>& out) override {
        switch (phase_) {
            case Phase::kHandshake:
                for (Bytes& frame : session_.handshake()) out.push_back({std::move(frame), false});
                phase_ = Phase::kTransfer;
                return true;
            case Phase::kTransfer:
                if (start_message(rng)) {
                    send_segment(rng, out);
                    return true;
                }
                close(rng, out);
                phase_ = Phase::kDone;
                return true;
            case Phase::kDone:
                break;
        }
        return false;
    }

  private:
    enum class Phase { kHandshake, kTransfer, kDone };

    // Makes sure a message with bytes left is current; false when the conversation is over.
    bool start_message(Rng& rng) {
        while (!current_ || current_->remaining() == 0) {
            current_ = upcoming_ ? std::move(upcoming_) : conversation_->next(rng);
            if (!current_) return false;
        }
        return true;
    }

    void send_segment(Rng& rng, std::deque<Packet>& out) {
        const bool from_client = current_->from_client();
        Bytes payload;
        payload.reserve(segment_payload_);
        current_->take(segment_payload_, rng, payload);
        out.push_back(
            {from_client ? session_.client_data(payload) : session_.server_data(payload), true});
        unacked(from_client) = 0;  // its data segment acknowledged all it had received
        int& receiver_unacked = ++unacked(!from_client);

        if (current_->remaining() > 0) {
            if (receiver_unacked >= kSegmentsPerAck) acknowledge(!from_client, out);
            return;
        }
        // End of message: the receiver acknowledges at once unless its own reply (which
        // carries the ACK) comes next, as in request/response protocols.
        current_.reset();
        upcoming_ = conversation_->next(rng);
        const bool receiver_replies = upcoming_ && upcoming_->from_client() != from_client;
        if (!receiver_replies) acknowledge(!from_client, out);
    }

    void acknowledge(bool by_client, std::deque<Packet>& out) {
        out.push_back({by_client ? session_.client_ack() : session_.server_ack(), true});
        unacked(by_client) = 0;
    }

    void close(Rng& rng, std::deque<Packet>& out) {
        const auto roll = rng.below(100);
        std::vector<Bytes> frames;
        if (roll < 80) {
            frames = session_.close();
        } else if (roll < 90) {  // the server closes first, e.g. after "Connection: close"
            frames.push_back(session_.server_fin());
            frames.push_back(session_.client_ack());
            frames.push_back(session_.client_fin());
            frames.push_back(session_.server_ack());
        } else {  // aborted
            frames.push_back(roll < 95 ? session_.client_rst() : session_.server_rst());
        }
        for (Bytes& frame : frames) out.push_back({std::move(frame), false});
    }

    int& unacked(bool at_client) { return at_client ? unacked_at_client_ : unacked_at_server_; }

    TcpSession session_;
    std::unique_ptr<Conversation> conversation_;
    std::size_t segment_payload_;
    Phase phase_ = Phase::kHandshake;
    std::unique_ptr<Message> current_;
    std::unique_ptr<Message> upcoming_;
    int unacked_at_client_ = 0;  // segments received by the client and not yet acknowledged
    int unacked_at_server_ = 0;
};

// A flow whose frames are all known at the start (a DNS query and its answer).
class FramesFlow final : public Flow {
  public:
    explicit FramesFlow(std::vector<Bytes> frames) : frames_(std::move(frames)) {}

    bool next(Rng& /*rng*/, std::deque<Packet>& out) override {
        if (next_ == frames_.size()) return false;
        out.push_back({std::move(frames_[next_++]), false});
        return true;
    }

  private:
    std::vector<Bytes> frames_;
    std::size_t next_ = 0;
};

// ---- addressing ----

struct Addresses {
    std::string client;
    std::string server;
    std::vector<std::uint16_t> vlans;
};

std::string hex_group(std::uint64_t value) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    do {
        text.insert(text.begin(), kDigits[value & 0xf]);
        value >>= 4;
    } while (value > 0);
    return text;
}

// Note for all address helpers: the order in which function arguments are evaluated is
// unspecified, so random draws are made in separate statements to keep captures identical
// across compilers.
std::string dotted(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
    return std::to_string(a) + '.' + std::to_string(b) + '.' + std::to_string(c) + '.' +
           std::to_string(d);
}

std::string internet_client(Rng& rng, bool v6) {
    const auto subnet = rng.below(v6 ? 256 : 16);
    const auto middle = rng.below(256);
    const auto host = rng.between(1, v6 ? 0xffff : 254);
    if (v6) {
        return "2001:db8:1:" + hex_group(subnet) + "::" + hex_group(middle) + ":" + hex_group(host);
    }
    return dotted(10, subnet, middle, host);
}

// A few hundred servers, so that several flows share each server.
std::string internet_server(Rng& rng, bool v6) {
    if (v6) return "2001:db8:ff::" + hex_group(rng.between(1, 300));
    switch (rng.below(3)) {
        case 0:
            return dotted(192, 0, 2, rng.between(1, 254));
        case 1:
            return dotted(198, 51, 100, rng.between(1, 254));
        default:
            return dotted(203, 0, 113, rng.between(1, 254));
    }
}

std::vector<std::uint16_t> random_vlans(Rng& rng) {
    const auto roll = rng.below(1000);
    if (roll < 30) return {static_cast<std::uint16_t>(rng.between(10, 20))};
    if (roll < 35) {  // QinQ
        return {static_cast<std::uint16_t>(rng.between(100, 110)),
                static_cast<std::uint16_t>(rng.between(200, 220))};
    }
    return {};
}

std::uint16_t ephemeral_port(Rng& rng) {
    return static_cast<std::uint16_t>(rng.between(32768, 60999));
}

std::unique_ptr<Flow> tcp_flow(Rng& rng, const Addresses& addresses, std::uint16_t server_port,
                               std::unique_ptr<Conversation> conversation) {
    const std::uint16_t client_port = ephemeral_port(rng);
    const auto client_isn = static_cast<std::uint32_t>(rng.next());
    const auto server_isn = static_cast<std::uint32_t>(rng.next());
    TcpSession session(addresses.client, client_port, addresses.server, server_port, client_isn,
                       server_isn);
    session.set_vlans(addresses.vlans);
    return std::make_unique<TcpFlow>(std::move(session), std::move(conversation));
}

Bytes udp_frame(const Addresses& addresses, bool from_client, std::uint16_t client_port,
                std::uint16_t server_port, const Bytes& payload, std::uint16_t ip_id) {
    const std::string& src = from_client ? addresses.client : addresses.server;
    const std::string& dst = from_client ? addresses.server : addresses.client;
    const std::uint16_t sport = from_client ? client_port : server_port;
    const std::uint16_t dport = from_client ? server_port : client_port;
    const Bytes datagram = testsupport::udp(sport, dport, payload, src, dst);
    const bool v6 = src.find(':') != std::string::npos;
    const Bytes packet =
        v6 ? testsupport::ipv6({.src = src, .dst = dst, .next_header = testsupport::kProtoUdp},
                               datagram)
           : testsupport::ipv4(
                 {.src = src, .dst = dst, .proto = testsupport::kProtoUdp, .id = ip_id}, datagram);
    return testsupport::ethernet(from_client ? testsupport::kServerMac : testsupport::kClientMac,
                                 from_client ? testsupport::kClientMac : testsupport::kServerMac,
                                 v6 ? testsupport::kEthertypeIpv6 : testsupport::kEthertypeIpv4,
                                 packet, addresses.vlans);
}

std::unique_ptr<Flow> dns_flow(Rng& rng, const Addresses& addresses) {
    const DnsExchange exchange = dns_exchange(rng, random_host_name(rng));
    const std::uint16_t port = ephemeral_port(rng);
    const auto ip_id = static_cast<std::uint16_t>(rng.below(65536));
    std::vector<Bytes> frames{udp_frame(addresses, true, port, kDnsPort, exchange.query, ip_id)};
    if (!exchange.response.empty()) {
        frames.push_back(udp_frame(addresses, false, port, kDnsPort, exchange.response,
                                   static_cast<std::uint16_t>(ip_id ^ 0x5a5a)));
    }
    return std::make_unique<FramesFlow>(std::move(frames));
}

}  // namespace

std::unique_ptr<Flow> FlowFactory::make(Rng& rng, std::size_t slot) const {
    const auto kind = rng.below(100);
    const bool v6 = rng.percent(12);
    Addresses addresses{internet_client(rng, v6), internet_server(rng, v6), random_vlans(rng)};
    if (kind < 30) {
        addresses.server = v6 ? "2001:db8:53::53" : (rng.percent(50) ? "10.0.0.53" : "10.0.0.54");
        return dns_flow(rng, addresses);
    }
    if (kind < 88) {
        // The classic mix draws nothing more, so its captures stay the same for a given seed.
        const bool tls = tls_percent_ ? rng.percent(*tls_percent_) : kind >= 62;
        if (!tls) {
            return tcp_flow(rng, addresses, kHttpPort,
                            http_conversation(rng, random_host_name(rng)));
        }
        return tcp_flow(rng, addresses, kTlsPort, tls_conversation(rng, random_host_name(rng)));
    }

    // Industrial control traffic stays on its own IPv4 plant network: a few controllers in
    // 172.16.0.0/24 polling devices numbered by slot from 172.16.1.1 on.
    addresses.client = dotted(172, 16, 0, rng.between(2, 20));
    const std::size_t device = slot % kMaxDevices;
    addresses.server = dotted(172, 16, 1 + device / 250, 1 + device % 250);
    if (kind < 94) return tcp_flow(rng, addresses, kModbusPort, modbus_conversation(rng));
    return tcp_flow(rng, addresses, kDnp3Port,
                    dnp3_conversation(rng, static_cast<std::uint16_t>(10 + device)));
}

}  // namespace tocsin::gencap
