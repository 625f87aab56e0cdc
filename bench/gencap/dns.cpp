// DNS over UDP: A and AAAA lookups whose answers may go through CNAME chains, with name
// compression and EDNS(0) as resolvers use them.
#include <string_view>

#include "gencap/apps.h"
#include "gencap/wire.h"

namespace tocsin::gencap {
namespace {

using wire::put16;
using wire::put32;
using wire::put8;

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kClassIn = 1;
constexpr std::size_t kQuestionNameOffset = 12;  // right after the fixed header

void put_name(Bytes& out, std::string_view name) {
    while (!name.empty()) {
        const std::size_t dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        put8(out, label.size());
        wire::append(out, label);
        name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    }
    put8(out, 0);
}

void put_pointer(Bytes& out, std::size_t offset) {
    put16(out, 0xc000 | offset);
}

void put_header(Bytes& out, std::uint16_t id, std::uint16_t flags, std::uint16_t answers,
                bool edns) {
    put16(out, id);
    put16(out, flags);
    put16(out, 1);  // one question
    put16(out, answers);
    put16(out, 0);  // authority
    put16(out, edns ? 1 : 0);
}

void put_question(Bytes& out, std::string_view name, std::uint16_t type) {
    put_name(out, name);
    put16(out, type);
    put16(out, kClassIn);
}

void put_opt(Bytes& out) {
    put8(out, 0);  // root name
    put16(out, kTypeOpt);
    put16(out, 1232);  // advertised UDP payload size
    put32(out, 0);     // extended rcode, version, flags
    put16(out, 0);
}

// Starts a resource record owned by the name at `owner_offset`; returns where rdata begins.
std::size_t put_record_head(Bytes& out, std::size_t owner_offset, std::uint16_t type,
                            std::uint32_t ttl, std::size_t rdata_length) {
    put_pointer(out, owner_offset);
    put16(out, type);
    put16(out, kClassIn);
    put32(out, ttl);
    put16(out, rdata_length);
    return out.size();
}

void put_address(Bytes& out, Rng& rng, std::uint16_t type) {
    if (type == kTypeA) {
        put8(out, rng.percent(50) ? 192 : 203);
        put8(out, 0);
        put8(out, rng.percent(50) ? 2 : 113);
        put8(out, rng.between(1, 254));
        return;
    }
    put32(out, 0x20010db8);
    put32(out, rng.below(65536));
    put32(out, 0);
    put32(out, rng.between(1, 0xffff));
}

Bytes answer(Rng& rng, std::uint16_t id, std::string_view name, std::uint16_t type, bool edns) {
    Bytes out;
    const bool nxdomain = rng.percent(4);
    const std::uint64_t cnames = nxdomain || !rng.percent(30) ? 0 : rng.between(1, 2);
    const std::uint64_t addresses = nxdomain ? 0 : rng.between(1, 4);
    put_header(out, id, nxdomain ? 0x8183 : 0x8180, static_cast<std::uint16_t>(cnames + addresses),
               edns);
    put_question(out, name, type);

    std::size_t owner = kQuestionNameOffset;
    for (std::uint64_t i = 0; i < cnames; ++i) {
        const std::string target = "edge-" + std::to_string(rng.below(500)) + ".cdn" +
                                   std::to_string(i) + ".provider.test";
        const std::size_t rdata = put_record_head(out, owner, kTypeCname, 300, target.size() + 2);
        put_name(out, target);
        owner = rdata;  // the next record belongs to the CNAME target
    }
    const auto ttl = static_cast<std::uint32_t>(rng.between(30, 86400));
    for (std::uint64_t i = 0; i < addresses; ++i) {
        put_record_head(out, owner, type, ttl, type == kTypeA ? 4 : 16);
        put_address(out, rng, type);
    }
    if (edns) put_opt(out);
    return out;
}

}  // namespace

DnsExchange dns_exchange(Rng& rng, const std::string& name) {
    const auto id = static_cast<std::uint16_t>(rng.below(65536));
    const std::uint16_t type = rng.percent(65) ? kTypeA : kTypeAaaa;
    const bool edns = rng.percent(50);
    DnsExchange exchange;
    put_header(exchange.query, id, 0x0100, 0, edns);  // recursion desired
    put_question(exchange.query, name, type);
    if (edns) put_opt(exchange.query);
    if (!rng.percent(3)) exchange.response = answer(rng, id, name, type, edns);
    return exchange;
}

}  // namespace tocsin::gencap
