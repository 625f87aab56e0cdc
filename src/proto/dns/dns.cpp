#include "proto/dns/dns.h"

#include <algorithm>
#include <array>

#include "proto/dns/eve.h"
#include "proto/dns/transaction.h"

namespace tocsin::proto::dns {

using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

ByteSpan as_bytes(std::string_view text) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Whether the counts of `header` fit a message of `length` bytes: each question takes at
// least 5 bytes (root name, type, class) and each record 11 (RFC 1035 4.1.2, 4.1.3).
bool sections_fit(const Header& header, std::size_t length) {
    const std::size_t records = std::size_t{header.ancount} + header.nscount + header.arcount;
    return kHeaderSize + std::size_t{header.qdcount} * 5 + records * 11 <= length;
}

// The name inside rdata that dns.response.rrname also covers.
void add_rdata_names(const Rdata& data, std::vector<std::string_view>& out) {
    if (const auto* n = std::get_if<NameData>(&data)) {
        out.push_back(n->name.text);
    } else if (const auto* soa = std::get_if<SoaData>(&data)) {
        out.push_back(soa->mname.text);
        out.push_back(soa->rname.text);
    } else if (const auto* srv = std::get_if<SrvData>(&data)) {
        out.push_back(srv->target.text);
    }
}

}  // namespace

DnsTransaction::DnsTransaction(Direction travelled, std::optional<Message> parsed)
    : dir(travelled), message(std::move(parsed)) {
    if (!message || !message->header.response()) return;
    for (const Question& q : message->questions) response_names_.push_back(q.name.text);
    for (const auto* section : {&message->answers, &message->authorities, &message->additionals})
        for (const ResourceRecord& rr : *section) {
            response_names_.push_back(rr.name.text);
            add_rdata_names(rr.data, response_names_);
        }
}

void DnsTransaction::observables(applayer::ObservableSink& out) const {
    if (!message) return;
    for (const Question& q : message->questions)
        if (!q.name.truncated && !q.name.text.empty())
            out.add(applayer::Observable::domain, q.name.text, dir);
    for (std::string_view name : response_names_)
        if (!name.empty()) out.add(applayer::Observable::domain, name, dir);
}

std::optional<ByteSpan> DnsTransaction::buffer(std::size_t index, std::size_t item) const {
    if (!message) return std::nullopt;
    auto record_name = [&](const std::vector<ResourceRecord>& records) -> std::optional<ByteSpan> {
        if (item >= records.size()) return std::nullopt;
        return as_bytes(records[item].name.text);
    };
    switch (static_cast<BufferId>(index)) {
        case BufferId::query:
            if (message->header.response()) return std::nullopt;
            [[fallthrough]];
        case BufferId::queries_rrname:
            if (item >= message->questions.size()) return std::nullopt;
            return as_bytes(message->questions[item].name.text);
        case BufferId::answer_name:
        case BufferId::answers_rrname:
            return record_name(message->answers);
        case BufferId::authorities_rrname:
            return record_name(message->authorities);
        case BufferId::additionals_rrname:
            return record_name(message->additionals);
        case BufferId::response_rrname:
            if (item >= response_names_.size()) return std::nullopt;
            return as_bytes(response_names_[item]);
        case BufferId::count:
            break;
    }
    return std::nullopt;
}

std::optional<std::int64_t> DnsTransaction::number(std::string_view key) const {
    return number_at(key, 0);
}

std::optional<std::int64_t> DnsTransaction::number_at(std::string_view key,
                                                      std::size_t item) const {
    if (!message) return std::nullopt;
    if (key == "dns.opcode" || key == "dns.rcode") {
        if (item != 0) return std::nullopt;
        return key == "dns.opcode" ? message->header.opcode() : message->header.rcode();
    }
    if (key == "dns.rrtype") {
        // Suricata matches a request's question types and a response's answer types.
        if (dir == Direction::to_server) {
            if (item >= message->questions.size()) return std::nullopt;
            return message->questions[item].type;
        }
        if (item >= message->answers.size()) return std::nullopt;
        return message->answers[item].type;
    }
    return std::nullopt;
}

namespace {

// Opcodes with a meaning (QUERY, IQUERY, STATUS, unassigned 3, NOTIFY, UPDATE, DSO); Suricata
// raises invalid_opcode above them.
constexpr std::uint8_t kMaxValidOpcode = 6;

class DnsParser final : public applayer::Parser {
  public:
    DnsParser(const applayer::AppLimits& limits, Transport transport)
        : max_message_(limits.max_record_bytes),
          log_version_(limits.dns_log_version == 2 ? 2 : 3),
          transport_(transport) {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        if (transport_ == Transport::unknown) transport_ = guess_transport(data);
        if (transport_ == Transport::udp) {
            handle_message(dir, data, ctx);
            return;
        }
        feed_stream(dir, data, ctx);
    }

    // Bytes were lost: the message in progress is gone. Parsing resumes with the first chunk
    // that starts like a framed message, as Suricata resynchronises DNS over TCP.
    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        (void)length;
        (void)ctx;
        Stream& s = streams_[applayer::dir_index(dir)];
        s.pending.clear();
        s.resync = true;
    }

  private:
    // Without being told, the first bytes decide: over TCP they start with the 2-byte length
    // of the message that follows, over UDP with the message itself.
    static Transport guess_transport(ByteSpan data) {
        if (data.size() < 2) return Transport::tcp;
        const std::size_t prefix = std::size_t{data[0]} << 8 | data[1];
        const ByteSpan after = data.subspan(2, std::min(prefix, data.size() - 2));
        // A stream message may continue past these bytes: then its header must fit it.
        const auto header = parse_header(after);
        const bool whole = after.size() == prefix;
        const bool as_stream =
            prefix >= kHeaderSize &&
            (whole ? plausible_message(after, false) : header && sections_fit(*header, prefix));
        const bool as_datagram = plausible_message(data, false);
        if (as_stream != as_datagram) return as_stream ? Transport::tcp : Transport::udp;
        return prefix == data.size() - 2 ? Transport::tcp : Transport::udp;
    }

    struct Stream {
        std::vector<std::uint8_t> pending;  // a message (with its length prefix) in pieces
        bool broken = false;
        bool resync = false;  // after a gap: waiting for a chunk that starts a message
    };

    // Whether `data` starts with a length prefix and a message (whole, or a header whose
    // sections fit the announced length).
    static bool starts_message(ByteSpan data) {
        if (data.size() < 2 + kHeaderSize) return false;
        const std::size_t prefix = std::size_t{data[0]} << 8 | data[1];
        if (prefix < kHeaderSize) return false;
        const ByteSpan after = data.subspan(2);
        if (after.size() >= prefix) return plausible_message(after.first(prefix), false);
        const auto header = parse_header(after);
        return header && sections_fit(*header, prefix);
    }

    // TCP: 2-byte length, message; messages split anywhere across calls. Whole messages in
    // `data` are parsed in place; only a split one is copied (at most 2 + 65535 bytes).
    void feed_stream(Direction dir, ByteSpan data, ParseContext& ctx) {
        Stream& s = streams_[applayer::dir_index(dir)];
        if (s.broken) return;
        if (s.resync) {
            if (!starts_message(data)) return;
            s.resync = false;
        }
        ByteCursor in(data);
        while (!in.empty()) {
            if (s.pending.empty() && in.remaining() >= 2) {
                const std::size_t length = in.peek_u16be();
                if (length > max_message_) {
                    s.broken = true;
                    return;
                }
                if (in.has(2 + length)) {
                    in.skip(2);
                    handle_message(dir, in.bytes(length), ctx);
                    continue;
                }
            }
            const std::size_t want = wanted(s.pending);
            const ByteSpan piece = in.bytes(std::min(want, in.remaining()));
            s.pending.insert(s.pending.end(), piece.begin(), piece.end());
            if (s.pending.size() >= 2 && wanted(s.pending) == 0) {
                handle_message(dir, ByteSpan(s.pending).subspan(2), ctx);
                s.pending.clear();
            }
        }
    }

    // Bytes still missing from the pending prefix + message.
    static std::size_t wanted(const std::vector<std::uint8_t>& pending) {
        if (pending.size() < 2) return 2 - pending.size();
        const std::size_t total = 2 + (std::size_t{pending[0]} << 8 | pending[1]);
        return total - pending.size();
    }

    void handle_message(Direction dir, ByteSpan bytes, ParseContext& ctx) {
        Anomalies anomalies;
        std::optional<Message> message = parse_message(bytes, anomalies);
        auto& tx = ctx.add(std::make_unique<DnsTransaction>(dir, std::move(message)), dir);
        tx.done = {true, true};
        tx.log_version = log_version_;
        tx.records_ready = record_count(tx);
        if (!tx.message) {
            ctx.event("dns.malformed_data", &tx);
        } else {
            const Header& h = tx.message->header;
            if (dir == Direction::to_server && h.response()) ctx.event("dns.not_a_request", &tx);
            if (dir == Direction::to_client && !h.response()) ctx.event("dns.not_a_response", &tx);
            if (h.z()) ctx.event("dns.z_flag_set", &tx);
            if (h.opcode() > kMaxValidOpcode) ctx.event("dns.invalid_opcode", &tx);
        }
        if (anomalies.name_too_long) ctx.event("dns.name_too_long", &tx);
        if (anomalies.infinite_loop) ctx.event("dns.infinite_loop", &tx);
        if (anomalies.too_many_labels) ctx.event("dns.too_many_labels", &tx);
        if (anomalies.invalid_authorities) ctx.event("dns.invalid_authorities", &tx);
        if (anomalies.invalid_additionals) ctx.event("dns.invalid_additionals", &tx);
    }

    std::size_t max_message_;  // AppLimits::max_record_bytes
    int log_version_;          // AppLimits::dns_log_version
    Transport transport_;
    std::array<Stream, 2> streams_{};
};

// Off the port, a stream message is only recognised whole; larger ones are not waited for.
constexpr std::size_t kMaxProbedMessage = 4096;

// Suricata probes a datagram or stream as DNS when a header is there and its questions parse;
// without the port, the whole message must parse and look like ordinary DNS.
Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    // Over TCP a message starts with its length; a datagram is the message. The probe does not
    // know which transport it runs on, so it accepts either form.
    if (data.size() < kHeaderSize) return on_port ? Probe::need_more : Probe::no_match;
    if (plausible_message(data, !on_port)) return Probe::match;
    const std::size_t prefix = std::size_t{data[0]} << 8 | data[1];
    if (prefix < kHeaderSize) return Probe::no_match;
    if (data.size() - 2 < prefix) {
        // A stream message not complete yet. On the port, a header whose sections fit the
        // announced length is enough (the message may be larger than the bytes probing
        // holds); off it, wait for the whole message when it is small.
        const auto header = parse_header(data.subspan(2));
        if (!header) return Probe::need_more;
        if (on_port) return sections_fit(*header, prefix) ? Probe::match : Probe::no_match;
        if (header->qdcount == 0) return Probe::no_match;
        return prefix <= kMaxProbedMessage ? Probe::need_more : Probe::no_match;
    }
    return plausible_message(data.subspan(2, prefix), !on_port) ? Probe::match : Probe::no_match;
}

std::unique_ptr<applayer::Parser> make_auto_parser(const applayer::AppLimits& limits) {
    return make_parser(limits, Transport::unknown);
}

constexpr std::array<std::uint16_t, 1> kPorts{53};
constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "dns.query",           "dns.queries.rrname",     "dns.answer.name",
    "dns.answers.rrname",  "dns.authorities.rrname", "dns.additionals.rrname",
    "dns.response.rrname",
};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits,
                                              Transport transport) {
    return std::make_unique<DnsParser>(limits, transport);
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "dns",
        .tcp = true,
        .udp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_auto_parser,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
    };
    return spec;
}

}  // namespace tocsin::proto::dns
