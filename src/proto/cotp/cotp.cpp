#include "proto/cotp/cotp.h"

#include <algorithm>

namespace tocsin::proto::cotp {

namespace {

// RFC 1006 section 6: version 3, a reserved octet, the length of the whole TPKT.
constexpr std::uint8_t kTpktVersion = 3;
constexpr std::size_t kTpktHeader = 4;
// The smallest TPKT carries a class 0 DT header (LI, code, NR/EOT).
constexpr std::size_t kMinTpkt = kTpktHeader + 3;
// X.224 13.3.4 parameter codes in CR/CC/DR.
constexpr std::uint8_t kParamTpduSize = 0xC0;
constexpr std::uint8_t kParamCallingTsap = 0xC1;
constexpr std::uint8_t kParamCalledTsap = 0xC2;
// A TSAP longer than this is not kept (X.224 allows up to the TPDU's room; S7 uses 2 to 32).
constexpr std::size_t kMaxTsap = 64;

std::uint8_t type_code(std::uint8_t code) {
    // CR and CC carry the credit (CDT) in the low nibble; DT/ED in classes 0-1 use 0xF0/0x10.
    return static_cast<std::uint8_t>(code & 0xF0);
}

void read_parameters(ByteCursor& in, Tpdu& t) {
    while (in.remaining() >= 2) {
        const std::uint8_t code = in.u8();
        const std::uint8_t length = in.u8();
        const ByteSpan value = in.bytes(length);
        if (!in.ok()) return;  // a truncated parameter ends the list
        const auto keep = [&](std::vector<std::uint8_t>& out) {
            out.assign(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(
                                                          std::min(value.size(), kMaxTsap)));
        };
        if (code == kParamCallingTsap) keep(t.calling_tsap);
        if (code == kParamCalledTsap) keep(t.called_tsap);
        if (code == kParamTpduSize && length == 1) t.tpdu_size = value[0];
    }
}

}  // namespace

std::string_view tpdu_name(std::uint8_t code) {
    switch (static_cast<TpduType>(type_code(code))) {
        case TpduType::cr:
            return "CR";
        case TpduType::cc:
            return "CC";
        case TpduType::dr:
            return "DR";
        case TpduType::dc:
            return "DC";
        case TpduType::dt:
            return "DT";
        case TpduType::ed:
            return "ED";
        case TpduType::ak:
            return "AK";
        case TpduType::ea:
            return "EA";
        case TpduType::rj:
            return "RJ";
        case TpduType::er:
            return "ER";
    }
    return "unknown";
}

std::optional<Tpdu> parse_tpdu(ByteSpan payload) {
    ByteCursor in(payload);
    const std::uint8_t li = in.u8();
    // LI counts the header after itself; 255 is reserved (X.224 13.2.1).
    if (!in.ok() || li == 0 || li == 255 || li > in.remaining()) return std::nullopt;
    ByteCursor head = in.sub(li);
    Tpdu t;
    t.code = type_code(head.u8());
    switch (t.type()) {
        case TpduType::cr:
        case TpduType::cc:
            t.dst_ref = head.u16be();
            t.src_ref = head.u16be();
            t.class_option = head.u8();
            if (!head.ok()) return std::nullopt;
            read_parameters(head, t);
            break;
        case TpduType::dr:
            t.dst_ref = head.u16be();
            t.src_ref = head.u16be();
            t.reason = head.u8();
            if (!head.ok()) return std::nullopt;
            read_parameters(head, t);
            break;
        case TpduType::dc:
            t.dst_ref = head.u16be();
            t.src_ref = head.u16be();
            break;
        case TpduType::dt: {
            // Class 0 (13.7.3): one octet, EOT in bit 8 and TPDU-NR below.
            const std::uint8_t nr = head.u8();
            t.eot = (nr & 0x80) != 0;
            t.tpdu_nr = nr & 0x7F;
            break;
        }
        case TpduType::er:
            t.dst_ref = head.u16be();
            t.reason = head.u8();
            break;
        case TpduType::ed:
        case TpduType::ak:
        case TpduType::ea:
        case TpduType::rj:
            t.dst_ref = head.u16be();
            break;
        default:
            return std::nullopt;
    }
    if (!head.ok()) return std::nullopt;
    t.user_data = in.rest();
    return t;
}

void CotpStream::push(ByteSpan data) {
    if (stopped_) return;
    // Drop what was consumed before appending, so the buffer holds at most one partial TPKT
    // plus the new bytes.
    if (head_ > 0) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    buf_.insert(buf_.end(), data.begin(), data.end());
}

namespace {

// A TPKT header followed by a COTP header that parses, complete in `data`, or one that may
// still be (too few bytes to tell).
bool plausible_tpkt(ByteSpan data) {
    ByteCursor in(data);
    if (in.remaining() < kTpktHeader + 2) return true;
    if (in.u8() != kTpktVersion || in.u8() != 0) return false;
    const std::uint16_t length = in.u16be();
    if (length < kMinTpkt) return false;
    const std::uint8_t li = in.peek_u8();
    if (li == 0 || li == 255 || li > length - kTpktHeader - 1) return false;
    if (in.remaining() < length - kTpktHeader) return true;
    return parse_tpdu(in.bytes(length - kTpktHeader)).has_value();
}

}  // namespace

void CotpStream::gap() {
    if (stopped_) return;
    buf_.clear();
    head_ = 0;
    tsdu_.clear();
    segments_ = 0;
    discarding_ = false;
    resync_ = true;
}

void CotpStream::stop() {
    stopped_ = true;
    buf_.clear();
    buf_.shrink_to_fit();
    head_ = 0;
    tsdu_.clear();
    tsdu_.shrink_to_fit();
}

std::optional<Unit> CotpStream::next() {
    const auto failure = [](Error e) {
        Unit u;
        u.error = e;
        return u;
    };
    while (!stopped_) {
        if (resync_) {
            // Skip to the first octet that starts a plausible TPKT; keep the last few octets
            // when none does, as a header may straddle the next push.
            while (head_ < buf_.size() && !plausible_tpkt(ByteSpan(buf_).subspan(head_))) ++head_;
            if (head_ == buf_.size() || buf_.size() - head_ < kTpktHeader + 2) return std::nullopt;
            resync_ = false;
        }
        ByteCursor in(ByteSpan(buf_).subspan(head_));
        if (in.remaining() < kTpktHeader) return std::nullopt;
        const std::uint8_t version = in.u8();
        in.skip(1);  // reserved
        const std::uint16_t length = in.u16be();
        if (version != kTpktVersion || length < kMinTpkt) {
            stop();
            return failure(Error::bad_tpkt);
        }
        if (in.remaining() < length - kTpktHeader) return std::nullopt;
        const ByteSpan payload = in.bytes(length - kTpktHeader);
        head_ += length;
        auto tpdu = parse_tpdu(payload);
        if (!tpdu) return failure(Error::bad_tpdu);
        if (tpdu->type() != TpduType::dt) {
            Unit u;
            u.tpdu = std::move(*tpdu);
            u.data.assign(u.tpdu.user_data.begin(), u.tpdu.user_data.end());
            u.tpdu.user_data = {};
            return u;
        }
        // DT: join segments until EOT (X.224 6.3), within the bound.
        ++segments_;
        const bool overflow = !discarding_ && tsdu_.size() + tpdu->user_data.size() > max_tsdu_;
        if (overflow) {
            discarding_ = true;
            tsdu_.clear();
            tsdu_.shrink_to_fit();
        } else if (!discarding_) {
            tsdu_.insert(tsdu_.end(), tpdu->user_data.begin(), tpdu->user_data.end());
        }
        const bool dropped = discarding_;
        if (tpdu->eot) {
            discarding_ = false;
            Unit u;
            u.tpdu = std::move(*tpdu);
            u.tpdu.user_data = {};
            u.data = std::move(tsdu_);
            u.segments = segments_;
            tsdu_ = {};
            segments_ = 0;
            if (!dropped) return u;
        }
        if (overflow) return failure(Error::tsdu_too_long);
    }
    return std::nullopt;
}

FirstData classify(ByteSpan data) {
    ByteCursor in(data);
    while (!in.empty()) {
        if (in.remaining() < kTpktHeader) return FirstData::need_more;
        const std::uint8_t version = in.u8();
        const std::uint8_t reserved = in.u8();
        const std::uint16_t length = in.u16be();
        if (version != kTpktVersion || reserved != 0 || length < kMinTpkt)
            return FirstData::not_cotp;
        const std::size_t want = length - kTpktHeader;
        const ByteSpan payload = in.bytes(std::min(want, in.remaining()));
        // A TPDU cut short can still be judged by its header and first data octets.
        auto tpdu = parse_tpdu(payload);
        if (!tpdu) return payload.size() < want ? FirstData::need_more : FirstData::not_cotp;
        if (tpdu->type() != TpduType::dt) {
            if (payload.size() < want) return FirstData::need_more;
            continue;
        }
        const ByteSpan user = tpdu->user_data;
        if (user.empty()) {
            // S7-1200/1500 send empty DTs without EOT as keep-alives.
            if (payload.size() < want) return FirstData::need_more;
            continue;
        }
        switch (user[0]) {
            case 0x32:
                return FirstData::s7comm;
            case 0x72:
                return FirstData::s7comm_plus;
            // X.225 SPDU identifiers: CONNECT, ACCEPT, REFUSE, FINISH, DISCONNECT, ABORT.
            case 0x0D:
            case 0x0E:
            case 0x0C:
            case 0x09:
            case 0x0A:
            case 0x19:
                return FirstData::iso_session;
            case 0x01:
                // GIVE TOKENS (length 0) and DATA TRANSFER, as every MMS data PDU starts.
                if (user.size() < 2) return FirstData::need_more;
                return user[1] == 0x00 ? FirstData::iso_session : FirstData::other;
            default:
                // MMSpdu choices: [0]..[13] constructed (A0..AD), or the primitive cancel
                // (85, 86) and conclude (8B, 8C) PDUs.
                if ((user[0] >= 0xA0 && user[0] <= 0xAD) || user[0] == 0x85 || user[0] == 0x86 ||
                    user[0] == 0x8B || user[0] == 0x8C)
                    return FirstData::bare_mms;
                return FirstData::other;
        }
    }
    return FirstData::need_more;
}

std::optional<S7Tsap> s7_tsap(const std::vector<std::uint8_t>& tsap) {
    if (tsap.size() != 2) return std::nullopt;
    return S7Tsap{tsap[0], static_cast<std::uint8_t>(tsap[1] >> 5),
                  static_cast<std::uint8_t>(tsap[1] & 0x1F)};
}

std::string tsap_text(const std::vector<std::uint8_t>& tsap) {
    const bool printable = !tsap.empty() && std::all_of(tsap.begin(), tsap.end(), [](auto c) {
        return c >= 0x20 && c < 0x7F;
    });
    if (printable) return std::string(tsap.begin(), tsap.end());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : tsap) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xF]);
    }
    return out;
}

}  // namespace tocsin::proto::cotp
