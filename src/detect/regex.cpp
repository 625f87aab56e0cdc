#include "detect/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace tocsin::detect {

namespace {

// Per-thread match state: created once per worker thread, so a match never allocates.
struct ThreadMatchState {
    pcre2_match_data* data = pcre2_match_data_create(32, nullptr);
    pcre2_match_context* context = [] {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        // Suricata's defaults bound backtracking the same way.
        pcre2_set_match_limit(c, 3500);
        pcre2_set_depth_limit(c, 1500);
        return c;
    }();
    ~ThreadMatchState() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
    }
};

ThreadMatchState& thread_state() {
    thread_local ThreadMatchState state;
    return state;
}

}  // namespace

CompiledRegex::~CompiledRegex() {
    pcre2_code_free(static_cast<pcre2_code*>(code));
}

std::shared_ptr<CompiledRegex> compile_regex(std::string_view pattern, std::uint32_t options,
                                             std::string& error) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                         pattern.size(), options, &code, &offset, nullptr);
    if (compiled == nullptr) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(code, message, sizeof message);
        error = "pcre compile error at offset " + std::to_string(offset) + ": " +
                reinterpret_cast<const char*>(message);
        return nullptr;
    }
    // JIT is an optimisation: a pattern the JIT refuses still matches through the interpreter.
    pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);
    auto regex = std::make_shared<CompiledRegex>();
    regex->code = compiled;
    return regex;
}

bool regex_search(const CompiledRegex& regex, ByteSpan subject, std::size_t start_offset,
                  RegexMatch& match) {
    if (start_offset > subject.size()) return false;
    ThreadMatchState& state = thread_state();
    static const std::uint8_t kEmpty = 0;
    const std::uint8_t* data = subject.empty() ? &kEmpty : subject.data();
    const int rc = pcre2_match(static_cast<const pcre2_code*>(regex.code), data, subject.size(),
                               start_offset, 0, state.data, state.context);
    if (rc < 0) return false;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
    match.start = ovector[0];
    match.end = ovector[1];
    if (match.end < match.start) match.end = match.start;  // \K can do this
    return true;
}

ByteSpan regex_last_group(ByteSpan subject, int group) {
    ThreadMatchState& state = thread_state();
    if (group < 0 || static_cast<std::uint32_t>(group) >= pcre2_get_ovector_count(state.data))
        return {};
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
    const PCRE2_SIZE start = ovector[2 * group];
    const PCRE2_SIZE end = ovector[2 * group + 1];
    if (start == PCRE2_UNSET || end < start || end > subject.size()) return {};
    return subject.subspan(start, end - start);
}

}  // namespace tocsin::detect
