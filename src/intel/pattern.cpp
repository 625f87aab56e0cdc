#include "intel/pattern.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "core/rfc3339.h"

namespace tocsin::intel {

std::string_view compare_op_name(CompareOp op) {
    switch (op) {
        case CompareOp::eq:
            return "=";
        case CompareOp::ne:
            return "!=";
        case CompareOp::lt:
            return "<";
        case CompareOp::le:
            return "<=";
        case CompareOp::gt:
            return ">";
        case CompareOp::ge:
            return ">=";
        case CompareOp::in:
            return "IN";
        case CompareOp::like:
            return "LIKE";
        case CompareOp::matches:
            return "MATCHES";
        case CompareOp::issubset:
            return "ISSUBSET";
        case CompareOp::issuperset:
            return "ISSUPERSET";
        case CompareOp::exists:
            return "EXISTS";
    }
    return "?";
}

std::string ObjectPath::text() const {
    std::string out = object_type + ":";
    bool first = true;
    for (const PathStep& step : steps) {
        switch (step.kind) {
            case PathStep::Kind::property: {
                const bool plain =
                    !step.name.empty() && step.name.find_first_not_of(
                                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_") == std::string::npos;
                if (!first) out += '.';
                out += plain ? step.name : "'" + step.name + "'";
                break;
            }
            case PathStep::Kind::index:
                out += fmt::format("[{}]", step.index);
                break;
            case PathStep::Kind::any_index:
                out += "[*]";
                break;
        }
        first = false;
    }
    return out;
}

std::string PatternError::to_string() const {
    return fmt::format("at {}: {}", position, message);
}

namespace {

enum class Tok : std::uint8_t {
    end,
    lbracket,
    rbracket,
    lparen,
    rparen,
    comma,
    colon,
    dot,
    star,
    op,          // comparison operator (=, !=, <, <=, >, >=)
    identifier,  // names and keywords
    string,
    integer,
    floating,
    timestamp,
    hex,
    binary,
};

struct Token {
    Tok kind = Tok::end;
    std::size_t position = 0;
    std::string_view raw;  // identifiers, numbers
    CompareOp op = CompareOp::eq;
    Constant constant;  // literals
};

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

class ParseFailure {
  public:
    ParseFailure(std::size_t position, std::string message) : error{position, std::move(message)} {}
    PatternError error;
};

class Lexer {
  public:
    explicit Lexer(std::string_view text) : text_(text) {}

    Token next() {
        skip_space();
        Token t;
        t.position = pos_;
        if (pos_ >= text_.size()) return t;
        const char c = text_[pos_];
        switch (c) {
            case '[':
                return single(t, Tok::lbracket);
            case ']':
                return single(t, Tok::rbracket);
            case '(':
                return single(t, Tok::lparen);
            case ')':
                return single(t, Tok::rparen);
            case ',':
                return single(t, Tok::comma);
            case ':':
                return single(t, Tok::colon);
            case '*':
                return single(t, Tok::star);
            case '\'':
                return string_literal(t, ConstantKind::string, pos_ + 1);
            default:
                break;
        }
        if (c == '=' || c == '!' || c == '<' || c == '>') return comparison_operator(t);
        if (c == '.' &&
            !(pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))))
            return single(t, Tok::dot);
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.')
            return number(t);
        if (ident_start(c)) {
            // t'..', h'..', b'..' are literals, not identifiers.
            if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
                if (c == 't') return string_literal(t, ConstantKind::timestamp, pos_ + 2);
                if (c == 'h') return string_literal(t, ConstantKind::hex, pos_ + 2);
                if (c == 'b') return string_literal(t, ConstantKind::binary, pos_ + 2);
            }
            std::size_t end = pos_ + 1;
            while (end < text_.size() && ident_char(text_[end])) ++end;
            t.kind = Tok::identifier;
            t.raw = text_.substr(pos_, end - pos_);
            pos_ = end;
            return t;
        }
        throw ParseFailure(pos_, fmt::format("unexpected character '{}'", printable(c)));
    }

  private:
    static std::string printable(char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", u);
    }

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }

    Token& single(Token& t, Tok kind) {
        t.kind = kind;
        ++pos_;
        return t;
    }

    Token& comparison_operator(Token& t) {
        t.kind = Tok::op;
        const char c = text_[pos_];
        const char d = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
        std::size_t width = 1;
        if (c == '=') {
            t.op = CompareOp::eq;
            if (d == '=') width = 2;
        } else if (c == '!') {
            if (d != '=') throw ParseFailure(pos_, "expected '!='");
            t.op = CompareOp::ne;
            width = 2;
        } else if (c == '<') {
            if (d == '=') {
                t.op = CompareOp::le;
                width = 2;
            } else if (d == '>') {
                t.op = CompareOp::ne;
                width = 2;
            } else {
                t.op = CompareOp::lt;
            }
        } else {
            t.op = d == '=' ? CompareOp::ge : CompareOp::gt;
            width = d == '=' ? 2 : 1;
        }
        pos_ += width;
        return t;
    }

    Token& number(Token& t) {
        std::size_t end = pos_;
        if (text_[end] == '-' || text_[end] == '+') ++end;
        const std::size_t digits_start = end;
        while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
        bool fraction = false;
        if (end < text_.size() && text_[end] == '.') {
            fraction = true;
            ++end;
            const std::size_t frac_start = end;
            while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end])))
                ++end;
            if (end == frac_start) throw ParseFailure(end, "expected digits after '.'");
        } else if (end == digits_start) {
            throw ParseFailure(pos_, "expected a number");
        }
        if (end < text_.size() && ident_char(text_[end]))
            throw ParseFailure(end, "unexpected character after a number");
        t.raw = text_.substr(pos_, end - pos_);
        t.constant.position = pos_;
        std::string_view digits = t.raw;
        if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
        if (fraction) {
            t.kind = Tok::floating;
            t.constant.kind = ConstantKind::floating;
            // std::from_chars for double is in GCC 12's library; strtod needs a terminator.
            const std::string copy(digits);
            char* parsed_end = nullptr;
            t.constant.real = std::strtod(copy.c_str(), &parsed_end);
            if (parsed_end != copy.c_str() + copy.size() || !std::isfinite(t.constant.real))
                throw ParseFailure(pos_, "bad floating-point number");
        } else {
            t.kind = Tok::integer;
            t.constant.kind = ConstantKind::integer;
            const auto [p, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), t.constant.integer);
            if (ec != std::errc{} || p != digits.data() + digits.size())
                throw ParseFailure(pos_, "integer out of range");
        }
        pos_ = end;
        return t;
    }

    // A quoted literal whose text starts at `body`; the kind says which (t'', h'', b'', '').
    Token& string_literal(Token& t, ConstantKind kind, std::size_t body) {
        std::string value;
        std::size_t i = body;
        for (;;) {
            if (i >= text_.size()) throw ParseFailure(t.position, "unterminated string");
            const char c = text_[i];
            if (c == '\'') break;
            if (c == '\\') {
                const char e = i + 1 < text_.size() ? text_[i + 1] : '\0';
                if (kind != ConstantKind::string || (e != '\'' && e != '\\'))
                    throw ParseFailure(i, "only \\' and \\\\ may be escaped in a string");
                value += e;
                i += 2;
                continue;
            }
            value += c;
            ++i;
        }
        pos_ = i + 1;
        t.constant.kind = kind;
        t.constant.position = t.position;
        switch (kind) {
            case ConstantKind::string:
                t.kind = Tok::string;
                break;
            case ConstantKind::timestamp: {
                t.kind = Tok::timestamp;
                const auto ts = parse_rfc3339(value);
                if (!ts) throw ParseFailure(t.position, "bad timestamp (RFC 3339, UTC 'Z')");
                t.constant.integer = ts->micros();
                break;
            }
            case ConstantKind::hex:
                t.kind = Tok::hex;
                if (value.size() % 2 != 0 ||
                    value.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                    throw ParseFailure(t.position, "bad hex literal");
                break;
            case ConstantKind::binary: {
                t.kind = Tok::binary;
                const std::size_t pad = value.find('=');
                const bool chars_ok = value.find_first_not_of(
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789+/=") == std::string::npos;
                const bool pad_ok = pad == std::string::npos ||
                                    (value.size() - pad <= 2 &&
                                     value.find_first_not_of('=', pad) == std::string::npos);
                if (!chars_ok || !pad_ok || value.size() % 4 != 0)
                    throw ParseFailure(t.position, "bad base64 literal");
                break;
            }
            default:
                break;
        }
        t.constant.text = std::move(value);
        return t;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

class Parser {
  public:
    Parser(std::string_view text, const PatternLimits& limits) : lexer_(text), limits_(limits) {
        advance();
    }

    Pattern parse() {
        Pattern p;
        p.root = observation_sequence();
        if (tok_.kind != Tok::end) fail("unexpected text after the pattern");
        return p;
    }

  private:
    [[noreturn]] void fail(std::string message) const {
        throw ParseFailure(tok_.position, std::move(message));
    }

    void advance() { tok_ = lexer_.next(); }

    bool keyword(std::string_view word) const {
        return tok_.kind == Tok::identifier && iequals(tok_.raw, word);
    }

    void expect(Tok kind, std::string_view what) {
        if (tok_.kind != kind) fail(fmt::format("expected {}", what));
        advance();
    }

    // Entered for every '[' and '(': the recursion depth follows the nesting only.
    class Nest {
      public:
        explicit Nest(Parser& p) : p_(p) {
            if (++p_.depth_ > p_.limits_.max_depth)
                p_.fail(fmt::format("nested deeper than {} levels", p_.limits_.max_depth));
        }
        ~Nest() { --p_.depth_; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;

      private:
        Parser& p_;
    };

    // Builds an n-ary node from what a loop collected; one item stays itself.
    template <typename Node, typename Kind>
    static Node join(std::vector<Node> items, Kind kind, std::size_t position) {
        if (items.size() == 1) return std::move(items.front());
        Node node;
        node.kind = kind;
        node.children = std::move(items);
        if constexpr (std::is_same_v<Node, ObservationExpr>) node.position = position;
        return node;
    }

    ObservationExpr observation_sequence() {
        const std::size_t at = tok_.position;
        std::vector<ObservationExpr> items;
        items.push_back(observation_or());
        while (keyword("FOLLOWEDBY")) {
            advance();
            items.push_back(observation_or());
        }
        return join(std::move(items), ObservationExpr::Kind::followed_by, at);
    }

    ObservationExpr observation_or() {
        const std::size_t at = tok_.position;
        std::vector<ObservationExpr> items;
        items.push_back(observation_and());
        while (keyword("OR")) {
            advance();
            items.push_back(observation_and());
        }
        return join(std::move(items), ObservationExpr::Kind::any_of, at);
    }

    ObservationExpr observation_and() {
        const std::size_t at = tok_.position;
        std::vector<ObservationExpr> items;
        items.push_back(observation_unit());
        while (keyword("AND")) {
            advance();
            items.push_back(observation_unit());
        }
        return join(std::move(items), ObservationExpr::Kind::all_of, at);
    }

    ObservationExpr observation_unit() {
        ObservationExpr node;
        node.position = tok_.position;
        if (tok_.kind == Tok::lbracket) {
            Nest nest(*this);
            advance();
            node.kind = ObservationExpr::Kind::observation;
            node.comparison = comparison_or();
            expect(Tok::rbracket, "']'");
        } else if (tok_.kind == Tok::lparen) {
            Nest nest(*this);
            advance();
            node = observation_sequence();
            expect(Tok::rparen, "')'");
        } else {
            fail("expected '[' or '(' to start an observation expression");
        }
        while (qualifier(node)) {
        }
        return node;
    }

    bool qualifier(ObservationExpr& node) {
        Qualifier q;
        q.position = tok_.position;
        if (keyword("WITHIN")) {
            advance();
            if (tok_.kind == Tok::integer)
                q.seconds = static_cast<double>(tok_.constant.integer);
            else if (tok_.kind == Tok::floating)
                q.seconds = tok_.constant.real;
            else
                fail("expected a number of seconds after WITHIN");
            if (q.seconds <= 0) fail("WITHIN takes a positive number of seconds");
            advance();
            if (!keyword("SECONDS")) fail("expected SECONDS");
            advance();
            q.kind = Qualifier::Kind::within;
        } else if (keyword("REPEATS")) {
            advance();
            if (tok_.kind != Tok::integer || tok_.constant.integer <= 0)
                fail("expected a positive integer after REPEATS");
            q.times = tok_.constant.integer;
            advance();
            if (!keyword("TIMES")) fail("expected TIMES");
            advance();
            q.kind = Qualifier::Kind::repeats;
        } else if (keyword("START")) {
            advance();
            if (tok_.kind != Tok::timestamp) fail("expected a t'...' timestamp after START");
            q.start_us = tok_.constant.integer;
            advance();
            if (!keyword("STOP")) fail("expected STOP");
            advance();
            if (tok_.kind != Tok::timestamp) fail("expected a t'...' timestamp after STOP");
            q.stop_us = tok_.constant.integer;
            advance();
            q.kind = Qualifier::Kind::start_stop;
        } else {
            return false;
        }
        node.qualifiers.push_back(q);
        return true;
    }

    ComparisonExpr comparison_or() {
        std::vector<ComparisonExpr> items;
        items.push_back(comparison_and());
        while (keyword("OR")) {
            advance();
            items.push_back(comparison_and());
        }
        return join(std::move(items), ComparisonExpr::Kind::any_of, 0);
    }

    ComparisonExpr comparison_and() {
        std::vector<ComparisonExpr> items;
        items.push_back(comparison_unit());
        while (keyword("AND")) {
            advance();
            items.push_back(comparison_unit());
        }
        return join(std::move(items), ComparisonExpr::Kind::all_of, 0);
    }

    ComparisonExpr comparison_unit() {
        if (tok_.kind == Tok::lparen) {
            Nest nest(*this);
            advance();
            ComparisonExpr inner = comparison_or();
            expect(Tok::rparen, "')'");
            return inner;
        }
        ComparisonExpr node;
        Comparison& c = node.test;
        c.position = tok_.position;
        if (keyword("EXISTS")) {
            advance();
            c.op = CompareOp::exists;
            c.path = object_path();
            return node;
        }
        c.path = object_path();
        if (keyword("NOT")) {
            c.negated = true;
            advance();
        }
        if (tok_.kind == Tok::op) {
            c.op = tok_.op;
            advance();
            c.values.push_back(literal());
            if (c.op != CompareOp::eq && c.op != CompareOp::ne &&
                c.values.front().kind == ConstantKind::boolean)
                fail("a boolean can only be compared with = or !=");
        } else if (keyword("IN")) {
            c.op = CompareOp::in;
            advance();
            set_literal(c.values);
        } else if (keyword("LIKE") || keyword("MATCHES") || keyword("ISSUBSET") ||
                   keyword("ISSUPERSET")) {
            c.op = keyword("LIKE")       ? CompareOp::like
                   : keyword("MATCHES")  ? CompareOp::matches
                   : keyword("ISSUBSET") ? CompareOp::issubset
                                         : CompareOp::issuperset;
            advance();
            if (tok_.kind != Tok::string)
                fail(fmt::format("{} takes a string", compare_op_name(c.op)));
            c.values.push_back(literal());
        } else {
            fail("expected a comparison operator (=, !=, <, >, IN, LIKE, MATCHES, ...)");
        }
        return node;
    }

    ObjectPath object_path() {
        ObjectPath path;
        if (tok_.kind != Tok::identifier) fail("expected an object path (type:property)");
        path.object_type = std::string(tok_.raw);
        advance();
        expect(Tok::colon, "':' after the object type");
        PathStep first;
        if (tok_.kind == Tok::identifier) {
            first.name = std::string(tok_.raw);
        } else if (tok_.kind == Tok::string) {
            first.name = tok_.constant.text;
        } else {
            fail("expected a property name");
        }
        advance();
        path.steps.push_back(std::move(first));
        for (;;) {
            if (tok_.kind == Tok::dot) {
                advance();
                PathStep step;
                if (tok_.kind == Tok::identifier)
                    step.name = std::string(tok_.raw);
                else if (tok_.kind == Tok::string)
                    step.name = tok_.constant.text;
                else
                    fail("expected a property name after '.'");
                advance();
                path.steps.push_back(std::move(step));
            } else if (tok_.kind == Tok::lbracket) {
                advance();
                PathStep step;
                if (tok_.kind == Tok::star) {
                    step.kind = PathStep::Kind::any_index;
                } else if (tok_.kind == Tok::integer) {
                    step.kind = PathStep::Kind::index;
                    step.index = tok_.constant.integer;
                } else {
                    fail("expected an index or '*'");
                }
                advance();
                expect(Tok::rbracket, "']' after the index");
                path.steps.push_back(std::move(step));
            } else {
                break;
            }
            if (path.steps.size() > limits_.max_depth) fail("object path too long");
        }
        return path;
    }

    Constant literal() {
        Constant c;
        switch (tok_.kind) {
            case Tok::string:
            case Tok::integer:
            case Tok::floating:
            case Tok::timestamp:
            case Tok::hex:
            case Tok::binary:
                c = std::move(tok_.constant);
                break;
            case Tok::identifier:
                if (iequals(tok_.raw, "true") || iequals(tok_.raw, "false")) {
                    c.kind = ConstantKind::boolean;
                    c.boolean = iequals(tok_.raw, "true");
                    c.text = std::string(tok_.raw);
                    c.position = tok_.position;
                    break;
                }
                [[fallthrough]];
            default:
                fail("expected a constant");
        }
        advance();
        return c;
    }

    void set_literal(std::vector<Constant>& out) {
        expect(Tok::lparen, "'(' after IN");
        if (tok_.kind == Tok::rparen) {  // the grammar allows an empty set
            advance();
            return;
        }
        for (;;) {
            if (out.size() >= limits_.max_list)
                fail(fmt::format("more than {} items in a set", limits_.max_list));
            out.push_back(literal());
            if (tok_.kind == Tok::comma) {
                advance();
                continue;
            }
            expect(Tok::rparen, "',' or ')' in the set");
            return;
        }
    }

    Lexer lexer_;
    const PatternLimits& limits_;
    Token tok_;
    std::size_t depth_ = 0;
};

}  // namespace

PatternParse parse_pattern(std::string_view text, const PatternLimits& limits) {
    PatternParse result;
    if (text.size() > limits.max_length) {
        result.error = {limits.max_length,
                        fmt::format("pattern longer than {} bytes", limits.max_length)};
        return result;
    }
    try {
        Parser parser(text, limits);
        result.pattern = parser.parse();
    } catch (const ParseFailure& f) {
        result.error = f.error;
    }
    return result;
}

}  // namespace tocsin::intel
