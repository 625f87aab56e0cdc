// libFuzzer target for STIX patterns (src/intel/pattern, compile, set): the input is one
// pattern. It is parsed, compiled, evaluated against a flow and each observable kind, and
// loaded into a one-indicator set that is matched the same way.
#include <cstdint>
#include <string_view>

#include "intel/compile.h"
#include "intel/pattern.h"
#include "intel/set.h"

namespace {

tocsin::intel::Observation sample_flow() {
    tocsin::intel::Observation o;
    o.client = *tocsin::IpAddress::parse("10.1.2.3");
    o.server = *tocsin::IpAddress::parse("198.51.100.7");
    o.client_port = 40000;
    o.server_port = 443;
    o.ip_proto = 6;
    o.app_proto = "tls";
    o.time = tocsin::Timestamp{1700000000, 0};
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tocsin::intel;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const PatternParse parsed = parse_pattern(text);
    // A parse is a pattern or an error inside the text, never neither.
    if (!parsed.ok() && (parsed.error.message.empty() || parsed.error.position > size))
        __builtin_trap();
    const CompileOutcome compiled = compile_pattern_text(text);
    if (!compiled.compiled && compiled.unsupported.empty()) __builtin_trap();
    if (compiled.compiled && compiled.compiled->anchors.empty()) __builtin_trap();

    static constexpr std::string_view kValues[] = {
        "",
        "example.com",
        "http://example.com/",
        "900150983cd24fb0d6963f7d28e17f72",
        "a9993e364706816aba3e25717850c26c9cd0d89d",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "t13d1516h2_8daaf6152771_e5627efa2ab1"};
    const Observation flow = sample_flow();
    if (compiled.compiled) (void)evaluate(*compiled.compiled, flow, {});

    IntelSetBuilder builder;
    IndicatorDraft draft;
    draft.id = "indicator--00000000-0000-4000-8000-000000000000";
    draft.pattern = text;
    draft.source = builder.add_source("fuzz");
    (void)builder.add(draft);
    const auto set = builder.build();
    Hits hits;
    set->match(flow, hits);
    for (std::uint8_t k = 1; k <= static_cast<std::uint8_t>(ObservableKind::x509_sha1); ++k) {
        for (std::string_view value : kValues) {
            Observation o = flow;
            o.kind = static_cast<ObservableKind>(k);
            o.value = value;
            set->match(o, hits);
        }
    }
    if (hits.size() > 64) __builtin_trap();  // one indicator: at most once per call
    for (std::uint32_t h : hits)
        if (h >= set->size()) __builtin_trap();
    return 0;
}
