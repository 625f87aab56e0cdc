// libFuzzer target for the rule grammar (src/detect/rule_parser): the input is a rules file.
#include <string_view>

#include "detect/rule_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tocsin;
    static const detect::NetVariables vars = detect::NetVariables::from_config(Config{});
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const auto& source : detect::split_rules(text)) {
        const auto r = detect::parse_rule(source.text, vars);
        if (!r.rule && r.error.empty()) __builtin_trap();  // a rule or a reason
        if (r.rule && r.rule->sid == 0) __builtin_trap();
    }
    return 0;
}
