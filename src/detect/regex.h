// PCRE2 with JIT for the pcre keyword and wherever rules carry a regular expression.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/cursor.h"

namespace tocsin::detect {

struct CompiledRegex {
    CompiledRegex() = default;
    CompiledRegex(const CompiledRegex&) = delete;
    CompiledRegex& operator=(const CompiledRegex&) = delete;
    ~CompiledRegex();
    void* code = nullptr;  // pcre2_code_8*
};

// Compiles with PCRE2 options (PCRE2_CASELESS, ...); null and `error` set on failure.
std::shared_ptr<CompiledRegex> compile_regex(std::string_view pattern, std::uint32_t options,
                                             std::string& error);

struct RegexMatch {
    std::size_t start = 0;
    std::size_t end = 0;
};

// Searches subject from `start_offset`; bounded by a match limit, so a hostile pattern/subject
// pair costs bounded time (a limit hit counts as no match).
bool regex_search(const CompiledRegex& regex, ByteSpan subject, std::size_t start_offset,
                  RegexMatch& match);
// The first capture group of the last successful regex_search on this thread.
ByteSpan regex_last_group(ByteSpan subject, int group);

}  // namespace tocsin::detect
