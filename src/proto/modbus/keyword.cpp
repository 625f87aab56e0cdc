#include "proto/modbus/keyword.h"

#include <cctype>
#include <charconv>
#include <optional>

#include "proto/modbus/message.h"
#include "proto/modbus/transaction.h"

namespace tocsin::proto::modbus {

namespace {

// A number or range of a `unit`, `address` or `value` setting, with Suricata's meaning:
// "N" is N, "<N" below N, ">N" above N, "A<>B" strictly between A and B (the bounds kept as
// Suricata keeps them: [0, N) for "<N", [N, 65535) for ">N").
struct Range {
    std::uint16_t min = 0;
    std::uint16_t max = 0;

    bool contains(std::uint32_t v) const {
        if (min == max) return v == min;
        if (min == 0) return v < max;
        if (max == 0xffff) return v > min;
        return min < v && v < max;
    }
    // Whether the range meets the (1-based, inclusive) addresses first..last of a message.
    bool meets(std::uint32_t first, std::uint32_t last) const {
        if (min == max) return min >= first && min <= last;
        if (min == 0) return max > first;
        if (max == 0xffff) return min < last;
        return min < last && first < max;
    }
};

// Settings of one `modbus` keyword.
struct Settings {
    std::optional<Range> unit;
    std::optional<std::uint8_t> category;      // function <category word>
    std::optional<std::uint8_t> function;      // function <n>
    std::optional<std::uint16_t> subfunction;  // function 8, subfunction <n>
    std::optional<std::uint8_t> access;        // access read|write [table]
    std::optional<Range> address;
    std::optional<Range> value;
};

// A cursor over the keyword's text.
class Text {
  public:
    explicit Text(std::string_view s) : s_(s) {}

    void spaces() {
        while (!s_.empty() && std::isspace(static_cast<unsigned char>(s_.front())))
            s_.remove_prefix(1);
    }
    bool empty() {
        spaces();
        return s_.empty();
    }
    // The next word (letters, digits, '!'), after spaces.
    std::string_view word() {
        spaces();
        std::size_t n = 0;
        while (n < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[n])) || s_[n] == '!'))
            ++n;
        const std::string_view w = s_.substr(0, n);
        s_.remove_prefix(n);
        return w;
    }
    bool take(std::string_view token) {
        spaces();
        if (!s_.starts_with(token)) return false;
        s_.remove_prefix(token.size());
        return true;
    }
    std::string_view rest() const { return s_; }

  private:
    std::string_view s_;
};

std::optional<std::uint32_t> parse_number(std::string_view digits, std::uint32_t limit) {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc{} || end != digits.data() + digits.size() || v > limit) return std::nullopt;
    return v;
}

// "N", "<N", ">N" or "A<>B".
std::optional<Range> parse_range(Text& t, std::string& error) {
    t.spaces();
    char sign = 0;
    if (t.take("<"))
        sign = '<';
    else if (t.take(">"))
        sign = '>';
    const auto first = parse_number(t.word(), 0xffff);
    if (!first) {
        error = "invalid number";
        return std::nullopt;
    }
    const auto n = static_cast<std::uint16_t>(*first);
    if (sign == '<') return Range{0, n};
    if (sign == '>') return Range{n, 0xffff};
    if (!t.take("<>")) return Range{n, n};
    const auto second = parse_number(t.word(), 0xffff);
    if (!second) {
        error = "invalid range";
        return std::nullopt;
    }
    return Range{n, static_cast<std::uint16_t>(*second)};
}

std::optional<std::uint8_t> category_word(std::string_view word) {
    using namespace category;
    if (word == "assigned") return public_assigned;
    if (word == "unassigned") return public_unassigned;
    if (word == "public") return public_assigned | public_unassigned;
    if (word == "user") return user_defined;
    if (word == "reserved") return reserved;
    if (word == "all") return public_assigned | public_unassigned | user_defined | reserved;
    return std::nullopt;
}

// Tocsin extension: a function named as EVE names it ("RdCoils", case-insensitive).
std::optional<std::uint8_t> function_word(std::string_view word) {
    for (unsigned code = 1; code < 128; ++code) {
        const std::string_view name = function_name(static_cast<std::uint8_t>(code));
        if (name == "Unknown" || name.size() != word.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(name[i])) ==
                   std::tolower(static_cast<unsigned char>(word[i]));
        if (same) return static_cast<std::uint8_t>(code);
    }
    return std::nullopt;
}

// "function <n>[, subfunction <n>]" or "function [!]<category>".
bool parse_function(Text& t, Settings& s, std::string& error) {
    const std::string_view word = t.word();
    if (word.empty()) {
        error = "function needs a value";
        return false;
    }
    if (std::isdigit(static_cast<unsigned char>(word.front()))) {
        const auto code = parse_number(word, 255);
        if (!code || *code == 0) {
            error = "invalid modbus function value";
            return false;
        }
        s.function = static_cast<std::uint8_t>(*code);
        if (!t.take(",")) return true;
        if (t.word() != "subfunction") {
            error = "expected subfunction";
            return false;
        }
        const auto sub = parse_number(t.word(), 0xffff);
        if (!sub) {
            error = "invalid subfunction value";
            return false;
        }
        s.subfunction = static_cast<std::uint16_t>(*sub);
        return true;
    }
    const bool negated = word.front() == '!';
    if (const auto flags = category_word(word.substr(negated ? 1 : 0))) {
        s.category = negated ? static_cast<std::uint8_t>(~*flags) : *flags;
        return true;
    }
    if (const auto code = function_word(word); code && !negated) {
        s.function = *code;
        return true;
    }
    error = "unknown modbus function keyword: " + std::string(word);
    return false;
}

// "access read|write [discretes|coils|input|holding][, address <r>[, value <r>]]".
bool parse_access(Text& t, Settings& s, std::string& error) {
    const std::string_view kind = t.word();
    std::uint8_t flags = 0;
    if (kind == "read")
        flags = access::read;
    else if (kind == "write")
        flags = access::write;
    else {
        error = "access must be read or write";
        return false;
    }
    Text look = t;
    const std::string_view table = look.word();
    if (table == "coils" || table == "holding" || table == "discretes" || table == "input") {
        t = look;
        if (table == "coils") flags |= access::coils;
        if (table == "holding") flags |= access::holding;
        if ((table == "discretes" || table == "input") && flags == access::write) {
            error = "discretes and input are read-only";
            return false;
        }
        if (table == "discretes") flags |= access::discretes;
        if (table == "input") flags |= access::input;
    }
    s.access = flags;
    if (!t.take(",")) return true;
    if (t.word() != "address") {
        error = "expected address";
        return false;
    }
    s.address = parse_range(t, error);
    if (!s.address) return false;
    if (!t.take(",")) return true;
    if (t.word() != "value") {
        error = "expected value";
        return false;
    }
    if (s.address->min != s.address->max) {
        error = "rule contains conflicting keywords (address range and value)";
        return false;
    }
    // Suricata refuses a value with a plain read access (no table named).
    if (flags == access::read) {
        error = "value only works with write access";
        return false;
    }
    s.value = parse_range(t, error);
    return s.value.has_value();
}

bool parse_setting(Text& t, Settings& s, std::string& error, bool allow_unit) {
    const std::string_view head = t.word();
    if (head == "function") return parse_function(t, s, error);
    if (head == "access") return parse_access(t, s, error);
    if (head == "unit" && allow_unit) {
        s.unit = parse_range(t, error);
        if (!s.unit) return false;
        if (!t.take(",")) return true;
        return parse_setting(t, s, error, false);
    }
    error = "expected function, access or unit";
    return false;
}

class ModbusTest final : public applayer::TxTest {
  public:
    explicit ModbusTest(Settings s) : s_(s) {}

    bool matches(const applayer::Transaction& base, applayer::Direction dir) const override {
        // Suricata inspects Modbus transactions with client packets only.
        if (dir != applayer::Direction::to_server) return false;
        const auto* tx = dynamic_cast<const ModbusTransaction*>(&base);
        if (tx == nullptr) return false;
        const Message* m = tx->inspected();
        if (m == nullptr) return false;
        if (s_.unit && !s_.unit->contains(m->unit_id)) return false;
        if (s_.access) return access_matches(*m);
        if (s_.category) return (m->category & *s_.category) != 0;
        if (!s_.function) return true;
        if (m->code() != *s_.function) return false;
        if (!s_.subfunction) return true;
        return m->body == Body::diagnostic && m->subfunction == *s_.subfunction;
    }

  private:
    bool access_matches(const Message& m) const {
        const std::uint8_t kind = *s_.access & (access::read | access::write);
        const std::uint8_t table = *s_.access & access::tables;
        if ((m.access & kind) == 0) return false;
        if (table != 0 && (m.access & table) == 0) return false;
        if (!s_.address) return true;
        const auto range = address_range(m);
        if (!range || !s_.address->meets(range->first, range->second)) return false;
        if (!s_.value) return true;
        const auto value = written_value(m, s_.address->min);
        return value && s_.value->contains(*value);
    }

    Settings s_;
};

}  // namespace

std::unique_ptr<const applayer::TxTest> compile_modbus_keyword(std::string_view value,
                                                               std::string& error) {
    Text t(value);
    const bool quoted = t.take("\"");
    Settings s;
    if (!parse_setting(t, s, error, true)) return nullptr;
    if (quoted) t.take("\"");
    if (!t.empty()) {
        error = "unexpected text after the modbus setting: " + std::string(t.rest());
        return nullptr;
    }
    return std::make_unique<ModbusTest>(s);
}

}  // namespace tocsin::proto::modbus
