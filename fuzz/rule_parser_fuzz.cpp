// libFuzzer target for rule loading: the input is a rules file. Each rule goes through the
// grammar (src/detect/rule_parser) and then through compile_rule, so every keyword's parser in
// the keyword table is fuzzed too; one LoadContext serves the whole file, as load_rules does
// (flowbit and flowint names accumulate). A rule that compiles is then matched against the
// input's own bytes, which exercises content, pcre and the byte keywords on hostile rules.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "detect/keyword_table.h"
#include "detect/payload_match.h"
#include "detect/rule_loader.h"
#include "detect/rule_parser.h"
#include "detect/threshold.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tocsin;
    static const detect::NetVariables vars = detect::NetVariables::from_config(Config{});
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    detect::LoadContext context;
    context.variables = vars;
    context.classifications = &detect::Classifications::builtin();
    const ByteSpan input(data, size);
    for (const auto& source : detect::split_rules(text)) {
        const auto r = detect::parse_rule(source.text, vars);
        if (!r.rule && r.error.empty()) __builtin_trap();  // a rule or a reason
        if (r.rule && r.rule->sid == 0) __builtin_trap();

        std::string error;
        const auto sig = detect::compile_rule(source.text, context, error);
        if (!sig && error.empty()) __builtin_trap();  // a signature or a reason
        if (sig && !r.rule) __builtin_trap();         // compiling needs the grammar
        if (sig && sig->sid != r.rule->sid) __builtin_trap();
        if (!sig) continue;
        for (const auto& list : sig->buffers) {
            detect::ByteVariables variables{};
            detect::PayloadScratch scratch;
            detect::match_payload(list.matches, detect::PayloadInput{input, 0, 0}, variables,
                                  scratch);
        }
    }
    return 0;
}
