// One DNS transaction per message, as Suricata 8 keeps them: a request and its response are
// two transactions (each logged by itself, tx_id in order of arrival). Shared by the parser
// (dns.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "applayer/protocol.h"
#include "proto/dns/message.h"

namespace tocsin::proto::dns {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t {
    query,               // dns.query: question names of a request
    queries_rrname,      // dns.queries.rrname: question names of any message
    answer_name,         // dns.answer.name: answer record names
    answers_rrname,      // dns.answers.rrname: answer record names
    authorities_rrname,  // dns.authorities.rrname
    additionals_rrname,  // dns.additionals.rrname
    response_rrname,     // dns.response.rrname: every name a response carries
    count,
};

class DnsTransaction final : public applayer::Transaction {
  public:
    DnsTransaction(applayer::Direction travelled, std::optional<Message> parsed);
    // response_names_ points into `message`: the object stays where it was made.
    DnsTransaction(const DnsTransaction&) = delete;
    DnsTransaction& operator=(const DnsTransaction&) = delete;

    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    // The `item`-th value of a multi-integer keyword (dns.rrtype: the questions' types of a
    // request, the answers' types of a response, as Suricata 8 matches them); nullopt past
    // the last. dns.opcode and dns.rcode have one value (item 0).
    std::optional<std::int64_t> number_at(std::string_view key, std::size_t item) const override;

    // Question names of queries and responses, and every name a response carries (CNAME,
    // NS, MX... targets): a domain indicator fires on the name asked and on where it led.
    void observables(applayer::ObservableSink& out) const override;

    bool is_request() const { return message && !message->header.response(); }

    applayer::Direction dir;         // the direction the message travelled
    std::optional<Message> message;  // nullopt: it did not parse (malformed_data)
    // EVE dns format (AppLimits::dns_log_version): 3, one record per message; 2, one
    // record per question of a request and one "answer" record per response.
    int log_version = 3;

  private:
    // Names of a response for dns.response.rrname: questions, every record's name and the
    // names inside rdata (CNAME, NS, PTR, MX, SOA, SRV targets). Views into `message`.
    std::vector<std::string_view> response_names_;
};

}  // namespace tocsin::proto::dns
