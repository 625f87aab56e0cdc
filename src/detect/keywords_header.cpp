// Packet-header keywords (ttl, flags, itype, dsize, ...): parsed by packet_keywords.h,
// registered here under their own names.
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

}  // namespace

void register_header_keywords(KeywordTable& table) {
    for (std::string_view name : packet_condition_keywords())
        table.add({name, KeywordValue::optional, setup_packet_condition});
}

}  // namespace tocsin::detect
