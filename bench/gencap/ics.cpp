// Industrial protocols over TCP: Modbus/TCP polling (read holding registers, write single
// register) and DNP3 class polls with correctly CRC'd link-layer frames.
#include <algorithm>
#include <array>

#include "gencap/apps.h"
#include "gencap/wire.h"

namespace tocsin::gencap {
namespace {

using wire::put16;
using wire::put16le;
using wire::put8;

// ---- Modbus/TCP ----

Bytes modbus_adu(std::uint16_t transaction, std::uint8_t unit, const Bytes& pdu) {
    Bytes out;
    put16(out, transaction);
    put16(out, 0);  // protocol id: Modbus
    put16(out, pdu.size() + 1);
    put8(out, unit);
    wire::append(out, pdu);
    return out;
}

struct ModbusPair {
    Bytes request;
    Bytes response;
};

ModbusPair modbus_pdus(Rng& rng) {
    ModbusPair pair;
    const auto address = rng.below(1000);
    std::uint8_t function = 0;
    if (rng.percent(70)) {
        function = 3;  // read holding registers
        const auto count = rng.between(1, 60);
        pair.request = {3};
        put16(pair.request, address);
        put16(pair.request, count);
        pair.response = {3, static_cast<std::uint8_t>(count * 2)};
        for (std::uint64_t i = 0; i < count; ++i) put16(pair.response, rng.below(65536));
    } else {
        function = 6;  // write single register, answered with an echo
        pair.request = {6};
        put16(pair.request, address);
        put16(pair.request, rng.below(65536));
        pair.response = pair.request;
    }
    if (rng.percent(2)) pair.response = {static_cast<std::uint8_t>(function | 0x80), 2};
    return pair;
}

class ModbusConversation final : public Conversation {
  public:
    explicit ModbusConversation(Rng& rng)
        : unit_(static_cast<std::uint8_t>(rng.between(1, 247))),
          transaction_(static_cast<std::uint16_t>(rng.below(65536))),
          rounds_left_(rng.between(5, 60)) {}

    std::unique_ptr<Message> next(Rng& rng) override {
        if (response_) return std::move(response_);
        if (rounds_left_ == 0) return nullptr;
        --rounds_left_;
        ++transaction_;
        const ModbusPair pair = modbus_pdus(rng);
        response_ = stored_message(false, modbus_adu(transaction_, unit_, pair.response));
        return stored_message(true, modbus_adu(transaction_, unit_, pair.request));
    }

  private:
    std::uint8_t unit_;
    std::uint16_t transaction_;
    std::uint64_t rounds_left_;
    std::unique_ptr<Message> response_;
};

// ---- DNP3 ----

constexpr std::array<std::uint16_t, 256> make_dnp3_crc_table() {
    std::array<std::uint16_t, 256> table{};
    for (std::uint16_t i = 0; i < 256; ++i) {
        std::uint16_t crc = i;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xa6bc)  // 0x3d65 reflected
                            : static_cast<std::uint16_t>(crc >> 1);
        }
        table[i] = crc;
    }
    return table;
}
constexpr auto kDnp3CrcTable = make_dnp3_crc_table();

constexpr std::size_t kDnp3BlockSize = 16;
constexpr std::size_t kDnp3MaxAppPerFrame = 249;        // 250 user bytes minus the transport header
constexpr std::uint8_t kLinkMasterToOutstation = 0xc4;  // DIR, PRM, unconfirmed user data
constexpr std::uint8_t kLinkOutstationToMaster = 0x44;  // PRM, unconfirmed user data

void put_with_crc(Bytes& out, std::span<const std::uint8_t> block) {
    wire::append(out, block);
    put16le(out, dnp3_crc(block));
}

struct Dnp3Link {
    std::uint16_t master;
    std::uint16_t outstation;
};

// Wraps an application fragment in transport segments and link frames (CRC after the header
// and after every 16 bytes of user data).
Bytes dnp3_frames(std::span<const std::uint8_t> app, bool from_master, const Dnp3Link& link,
                  std::uint8_t& transport_seq) {
    Bytes out;
    std::size_t offset = 0;
    do {
        const std::size_t chunk = std::min(kDnp3MaxAppPerFrame, app.size() - offset);
        Bytes user{static_cast<std::uint8_t>((offset == 0 ? 0x40 : 0) |
                                             (offset + chunk == app.size() ? 0x80 : 0) |
                                             (transport_seq++ & 0x3f))};
        wire::append(user, app.subspan(offset, chunk));
        Bytes header{0x05, 0x64, static_cast<std::uint8_t>(5 + user.size()),
                     from_master ? kLinkMasterToOutstation : kLinkOutstationToMaster};
        put16le(header, from_master ? link.outstation : link.master);  // destination
        put16le(header, from_master ? link.master : link.outstation);  // source
        put_with_crc(out, header);
        for (std::size_t at = 0; at < user.size(); at += kDnp3BlockSize) {
            put_with_crc(out,
                         std::span(user).subspan(at, std::min(kDnp3BlockSize, user.size() - at)));
        }
        offset += chunk;
    } while (offset < app.size());
    return out;
}

// Object header with an 8-bit start/stop range (qualifier 0x00).
void put_range_header(Bytes& out, std::uint8_t group, std::uint8_t variation, std::uint64_t count) {
    wire::append(out, Bytes{group, variation, 0x00, 0x00, static_cast<std::uint8_t>(count - 1)});
}

// A static data response: binary inputs (g1v2) and 16-bit analog inputs with flags (g30v2).
Bytes class0_response_objects(Rng& rng) {
    Bytes out;
    const auto binaries = rng.between(8, 64);
    put_range_header(out, 1, 2, binaries);
    for (std::uint64_t i = 0; i < binaries; ++i) put8(out, rng.percent(30) ? 0x81 : 0x01);
    const auto analogs = rng.between(4, 100);
    put_range_header(out, 30, 2, analogs);
    for (std::uint64_t i = 0; i < analogs; ++i) {
        put8(out, 0x01);  // online
        put16le(out, rng.below(4096));
    }
    return out;
}

class Dnp3Conversation final : public Conversation {
  public:
    Dnp3Conversation(Rng& rng, std::uint16_t outstation)
        : link_{static_cast<std::uint16_t>(rng.between(1, 4)), outstation},
          app_seq_(static_cast<std::uint8_t>(rng.below(16))),
          master_transport_seq_(static_cast<std::uint8_t>(rng.below(64))),
          outstation_transport_seq_(static_cast<std::uint8_t>(rng.below(64))),
          rounds_left_(rng.between(5, 40)) {}

    std::unique_ptr<Message> next(Rng& rng) override {
        if (response_) return std::move(response_);
        if (rounds_left_ == 0) return nullptr;
        --rounds_left_;
        const auto control = static_cast<std::uint8_t>(0xc0 | (app_seq_++ & 0x0f));  // FIR, FIN
        const bool integrity = rng.percent(70);
        Bytes request{control, 0x01};  // READ
        // Class 0 ("all static data"), or the event classes 1-3.
        wire::append(request,
                     integrity ? Bytes{60, 1, 0x06} : Bytes{60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06});
        Bytes response{control, 0x81, 0x00, 0x00};  // RESPONSE, no internal indications
        if (integrity) wire::append(response, class0_response_objects(rng));
        response_ =
            stored_message(false, dnp3_frames(response, false, link_, outstation_transport_seq_));
        return stored_message(true, dnp3_frames(request, true, link_, master_transport_seq_));
    }

  private:
    Dnp3Link link_;
    std::uint8_t app_seq_;
    std::uint8_t master_transport_seq_;
    std::uint8_t outstation_transport_seq_;
    std::uint64_t rounds_left_;
    std::unique_ptr<Message> response_;
};

}  // namespace

std::uint16_t dnp3_crc(std::span<const std::uint8_t> data) {
    std::uint16_t crc = 0;
    for (const std::uint8_t byte : data) {
        crc = static_cast<std::uint16_t>((crc >> 8) ^ kDnp3CrcTable[(crc ^ byte) & 0xff]);
    }
    return static_cast<std::uint16_t>(~crc);
}

std::unique_ptr<Conversation> modbus_conversation(Rng& rng) {
    return std::make_unique<ModbusConversation>(rng);
}

std::unique_ptr<Conversation> dnp3_conversation(Rng& rng, std::uint16_t outstation) {
    return std::make_unique<Dnp3Conversation>(rng, outstation);
}

}  // namespace tocsin::gencap
