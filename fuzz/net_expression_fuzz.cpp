// libFuzzer target for rule-header address and port expressions (src/detect/net_expression).
// The input is one expression; a "|" splits off a definition for $V to exercise variables.
#include <string>
#include <string_view>

#include "detect/net_expression.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tocsin;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static const detect::NetVariables defaults = detect::NetVariables::from_config(Config{});
    detect::NetVariables vars = defaults;
    if (const auto bar = text.find('|'); bar != std::string_view::npos) {
        vars.addresses["V"] = std::string(text.substr(bar + 1));
        vars.ports["V"] = std::string(text.substr(bar + 1));
        text = text.substr(0, bar);
    }
    const auto a = detect::AddressSet::parse(text, vars);
    const auto p = detect::PortSet::parse(text, vars);
    // A result is a set or a reason, never neither.
    if (!a.set && a.error.empty()) __builtin_trap();
    if (!p.set && p.error.empty()) __builtin_trap();
    return 0;
}
