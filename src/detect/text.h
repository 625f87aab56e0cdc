// Small text helpers every rule-keyword parser uses: one definition for all of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::detect {

// Without leading and trailing whitespace (space, tab, CR, LF, VT, FF).
std::string_view trim(std::string_view s);
// Trimmed, and without one pair of surrounding double quotes.
std::string_view unquote(std::string_view s);
// Split at `sep`, each piece trimmed; "a, b" -> {"a", "b"}; "" -> {""}.
std::vector<std::string_view> split_list(std::string_view s, char sep);
// Decimal or 0x-hexadecimal, the whole (trimmed) text.
bool parse_u64(std::string_view s, std::uint64_t& out);
bool parse_i64(std::string_view s, std::int64_t& out);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
// 'text' in single quotes, for error messages.
std::string quoted(std::string_view s);

}  // namespace tocsin::detect
