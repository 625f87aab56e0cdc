// One MMS exchange: a confirmed request and its response or error (paired by invoke id),
// an initiate or conclude request and its answer (in order), a cancel request and its answer
// (invoke id), or a message standing alone (unconfirmed, reject, unmatched answer). Shared by
// the parser (mms.cpp), the keywords (keywords.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <array>
#include <optional>

#include "applayer/protocol.h"
#include "proto/mms/iso.h"
#include "proto/mms/pdu.h"

namespace tocsin::proto::mms {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t {
    domain,  // mms.domain: each domain-specific name's domainId
    item,    // mms.item: each name's itemId (vmd- and aa-specific names: the identifier)
    count,
};

// One direction's part: the MMS PDU and what the layers below said about it.
struct Side {
    Message message;
    std::uint8_t spdu = 0;                   // session SPDU that carried it
    std::optional<Association> association;  // ACSE AARQ/AARE around an initiate PDU
};

class MmsTransaction final : public applayer::Transaction {
  public:
    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    void describe_devices(applayer::DeviceFacts& out) const override;

    std::array<std::optional<Side>, 2> sides;  // by dir_index: [0] client, [1] server
    const Message* message(applayer::Direction dir) const {
        const auto& s = sides[applayer::dir_index(dir)];
        return s ? &s->message : nullptr;
    }
    // The confirmed service of the exchange (from either message).
    std::optional<std::uint32_t> confirmed_service() const;
};

}  // namespace tocsin::proto::mms
