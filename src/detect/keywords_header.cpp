// Packet-header keywords (ttl, flags, itype, dsize, ...): parsed by packet_keywords.h,
// registered here under their own names.
#include <iterator>
#include <utility>

#include "detect/keyword_table.h"

namespace tocsin::detect {

namespace {

std::string setup_packet_condition(SignatureBuilder& b, std::string_view value) {
    PacketCondition condition;
    if (std::string e = parse_packet_condition(b.keyword->name, value, condition); !e.empty())
        return e;
    b.sig().packet_conditions.push_back(condition);
    return "";
}

// Suricata 8 spellings of older keywords.
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"tcp.ack", "ack"},     {"tcp.seq", "seq"},       {"tcp.window", "window"},
    {"icmp.id", "icmp_id"}, {"icmp.seq", "icmp_seq"}, {"ip.ttl", "ttl"}};

std::string setup_alias(SignatureBuilder& b, std::string_view value) {
    PacketCondition condition;
    const std::string_view canonical = kAliases[static_cast<std::size_t>(b.keyword->param)].second;
    if (std::string e = parse_packet_condition(canonical, value, condition); !e.empty()) return e;
    b.sig().packet_conditions.push_back(condition);
    return "";
}

}  // namespace

void register_header_keywords(KeywordTable& table) {
    for (std::string_view name : packet_condition_keywords())
        table.add({name, KeywordValue::optional, setup_packet_condition});
    for (std::size_t i = 0; i < std::size(kAliases); ++i)
        table.add({kAliases[i].first, KeywordValue::required, setup_alias, static_cast<int>(i)});
}

}  // namespace tocsin::detect
