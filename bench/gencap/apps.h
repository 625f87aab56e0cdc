// Application-layer content for the capture generator: HTTP/1.1, TLS 1.2, DNS, Modbus/TCP and
// DNP3, all in their real wire formats so dissectors (and Tocsin's parsers) accept them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "gencap/rng.h"
#include "support/packet_builder.h"

namespace tocsin::gencap {

using testsupport::Bytes;

// What one side writes into its TCP stream in one go. Bodies are produced piece by piece as
// segments are cut, so thousands of concurrent 200 KB responses never sit in memory.
class Message {
  public:
    explicit Message(bool from_client) : from_client_(from_client) {}
    virtual ~Message() = default;

    bool from_client() const { return from_client_; }
    virtual std::size_t remaining() const = 0;
    // Appends the next min(count, remaining()) bytes to `out`.
    virtual void take(std::size_t count, Rng& rng, Bytes& out) = 0;

  private:
    bool from_client_;
};

// A message whose bytes are all known up front.
std::unique_ptr<Message> stored_message(bool from_client, Bytes bytes);

// The scripted exchange of one TCP connection: next() returns messages in stream order and
// nullptr once the application is done (the connection is then closed), and from then on.
class Conversation {
  public:
    virtual ~Conversation() = default;
    virtual std::unique_ptr<Message> next(Rng& rng) = 0;
};

std::unique_ptr<Conversation> http_conversation(Rng& rng, std::string host);
std::unique_ptr<Conversation> tls_conversation(Rng& rng, std::string server_name);
std::unique_ptr<Conversation> modbus_conversation(Rng& rng);
// A DNP3 master polling the outstation with this link-layer address.
std::unique_ptr<Conversation> dnp3_conversation(Rng& rng, std::uint16_t outstation);

inline constexpr std::uint16_t kHttpPort = 80;
inline constexpr std::uint16_t kTlsPort = 443;
inline constexpr std::uint16_t kDnsPort = 53;
inline constexpr std::uint16_t kModbusPort = 502;
inline constexpr std::uint16_t kDnp3Port = 20000;

// One DNS lookup over UDP. The response is empty when the query goes unanswered.
struct DnsExchange {
    Bytes query;
    Bytes response;
};
DnsExchange dns_exchange(Rng& rng, const std::string& name);

// CRC-16/DNP over `data` (as stored on the wire, low byte first).
std::uint16_t dnp3_crc(std::span<const std::uint8_t> data);

// Host names used for HTTP Host headers, TLS SNI and DNS queries.
std::string random_host_name(Rng& rng);

}  // namespace tocsin::gencap
