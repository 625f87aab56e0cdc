// mms rule keywords. mms.service matches the exchange's service (confirmed service by name
// or number, or an unconfirmed one by name: information_report...), whichever message the
// packet carries; mms.pdu matches the PDU type of the message in the packet's direction.
#include "proto/mms/keywords.h"

#include <array>
#include <charconv>

#include "proto/mms/names.h"
#include "proto/mms/transaction.h"

namespace tocsin::proto::mms {

namespace {

using applayer::Direction;
using applayer::Transaction;
using applayer::TxTest;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

class ServiceTest final : public TxTest {
  public:
    ServiceTest(bool unconfirmed, std::uint32_t code) : unconfirmed_(unconfirmed), code_(code) {}
    bool matches(const Transaction& base, Direction dir) const override {
        (void)dir;
        const auto* tx = dynamic_cast<const MmsTransaction*>(&base);
        if (tx == nullptr) return false;
        for (const auto& side : tx->sides) {
            if (!side || !side->message.service) continue;
            const bool is_unconfirmed = side->message.pdu == pdu::unconfirmed;
            if (is_unconfirmed == unconfirmed_ && *side->message.service == code_) return true;
        }
        return false;
    }

  private:
    bool unconfirmed_;
    std::uint32_t code_;
};

class PduTest final : public TxTest {
  public:
    explicit PduTest(std::uint8_t pdu) : pdu_(pdu) {}
    bool matches(const Transaction& base, Direction dir) const override {
        const auto* tx = dynamic_cast<const MmsTransaction*>(&base);
        if (tx == nullptr) return false;
        const Message* m = tx->message(dir);
        return m != nullptr && m->pdu == pdu_;
    }

  private:
    std::uint8_t pdu_;
};

std::unique_ptr<const TxTest> compile_service(std::string_view value, std::string& error) {
    value = trim(value);
    std::uint32_t code = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), code);
    if (ec == std::errc{} && end == value.data() + value.size() && !value.empty())
        return std::make_unique<ServiceTest>(false, code);
    if (auto c = confirmed_service_code(value)) return std::make_unique<ServiceTest>(false, *c);
    for (std::uint32_t u = 0; u < 3; ++u)
        if (value == unconfirmed_service_name(u)) return std::make_unique<ServiceTest>(true, u);
    error =
        "mms.service: expected a confirmed service number or name (read, write, "
        "get_name_list...) or information_report, unsolicited_status, event_notification";
    return nullptr;
}

std::unique_ptr<const TxTest> compile_pdu(std::string_view value, std::string& error) {
    if (auto c = pdu_code(trim(value))) return std::make_unique<PduTest>(*c);
    error =
        "mms.pdu: expected a PDU type (confirmed_request, confirmed_response, "
        "confirmed_error, unconfirmed, reject, initiate_request...)";
    return nullptr;
}

using V = applayer::ProtocolKeyword::Value;
const std::array kKeywords{
    applayer::ProtocolKeyword{"mms.service", V::required, compile_service},
    applayer::ProtocolKeyword{"mms.pdu", V::required, compile_pdu},
};

}  // namespace

std::span<const applayer::ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::mms
