// The STIX 2.1 patterning language (STIX 2.1 part 5, the grammar of STIXPattern.g4): a parser
// from pattern text to a syntax tree of value types. Whether Tocsin can evaluate a pattern is
// decided afterwards (compile.h); this file accepts the whole language.
//
// Bounded for hostile input: the text is at most `PatternLimits::max_length` bytes, brackets and
// parentheses nest at most `max_depth` levels (the parser's recursion follows the nesting, never
// the length of an AND/OR chain, which becomes one n-ary node), and a list has at most
// `max_list` items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::intel {

struct PatternLimits {
    std::size_t max_length = 64 * 1024;
    std::size_t max_depth = 32;
    std::size_t max_list = 4096;  // items of one IN (...) set
};

enum class ConstantKind : std::uint8_t {
    string,     // 'text'    -> text (escapes resolved)
    integer,    // 42, -1    -> integer
    floating,   // 1.5       -> real
    boolean,    // true      -> boolean
    timestamp,  // t'...'    -> text (as written), integer (microseconds since the epoch)
    hex,        // h'0a1b'   -> text (the hex digits)
    binary,     // b'AAE='   -> text (the base64 text)
};

struct Constant {
    ConstantKind kind = ConstantKind::string;
    std::string text;
    std::int64_t integer = 0;
    double real = 0;
    bool boolean = false;
    std::size_t position = 0;
};

// One step after the object type: `.name` / `.'quoted name'`, `[3]`, `[*]`.
struct PathStep {
    enum class Kind : std::uint8_t { property, index, any_index };
    Kind kind = Kind::property;
    std::string name;
    std::int64_t index = 0;
};

// `file:hashes.'SHA-256'` -> object_type "file", steps [hashes, SHA-256].
struct ObjectPath {
    std::string object_type;
    std::vector<PathStep> steps;  // never empty in a parsed pattern
    std::string text() const;     // canonical text, for messages
};

enum class CompareOp : std::uint8_t {
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    in,
    like,
    matches,
    issubset,
    issuperset,
    exists,
};
std::string_view compare_op_name(CompareOp op);  // "=", "!=", "IN", "LIKE", ...

// `path [NOT] op value(s)`, or `EXISTS path` (no values).
struct Comparison {
    ObjectPath path;
    CompareOp op = CompareOp::eq;
    bool negated = false;          // the NOT keyword before the operator
    std::vector<Constant> values;  // one; a set for IN; none for EXISTS
    std::size_t position = 0;      // offset of the object path in the pattern
};

// A comparison expression: a test, or an AND / OR of two or more sub-expressions.
struct ComparisonExpr {
    enum class Kind : std::uint8_t { test, all_of, any_of };
    Kind kind = Kind::test;
    Comparison test;                       // kind == test
    std::vector<ComparisonExpr> children;  // all_of (AND), any_of (OR)
};

struct Qualifier {
    enum class Kind : std::uint8_t { within, repeats, start_stop };
    Kind kind = Kind::within;
    double seconds = 0;         // WITHIN n SECONDS
    std::int64_t times = 0;     // REPEATS n TIMES
    std::int64_t start_us = 0;  // START t'..' STOP t'..'
    std::int64_t stop_us = 0;
    std::size_t position = 0;
};

// An observation expression: `[comparison]`, or observations joined by AND / OR / FOLLOWEDBY;
// each may carry qualifiers.
struct ObservationExpr {
    enum class Kind : std::uint8_t { observation, all_of, any_of, followed_by };
    Kind kind = Kind::observation;
    ComparisonExpr comparison;              // kind == observation
    std::vector<ObservationExpr> children;  // the joined expressions, in order
    std::vector<Qualifier> qualifiers;
    std::size_t position = 0;
};

struct Pattern {
    ObservationExpr root;
};

struct PatternError {
    std::size_t position = 0;  // byte offset in the pattern
    std::string message;
    std::string to_string() const;  // "at 12: expected ']'"
};

struct PatternParse {
    std::optional<Pattern> pattern;  // set on success
    PatternError error;              // set on failure
    bool ok() const { return pattern.has_value(); }
};

PatternParse parse_pattern(std::string_view text, const PatternLimits& limits = {});

}  // namespace tocsin::intel
