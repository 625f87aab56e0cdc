// libFuzzer target for what the hub parses from partners before anything is stored: a POSTed
// body (depth pre-scan, JSON, every object through the STIX checks), the URL filter parameters,
// the Accept / Content-Type headers and the Authorization header. The input is split at its
// first two NUL bytes: body, then "name=value&..." parameters, then a header value.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hub/auth.h"
#include "hub/stix.h"
#include "hub/taxii.h"

namespace {

std::string_view take_until_nul(std::string_view& rest) {
    const auto nul = rest.find('\0');
    const auto part = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
    return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tocsin::hub;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const auto body = take_until_nul(rest);
    const auto query = take_until_nul(rest);
    const auto header = rest;

    if (json_depth(body, 32) <= 32) {
        const auto envelope = nlohmann::json::parse(body, nullptr, false);
        if (envelope.is_object() && envelope.contains("objects") && envelope["objects"].is_array())
            for (const auto& object : envelope["objects"]) {
                const auto check = check_stix_object(object);
                if (check.info.has_value() == !check.error.empty()) __builtin_trap();
            }
    }

    QueryParams params;
    std::string_view q = query;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const auto pair = q.substr(0, amp);
        const auto eq = pair.find('=');
        params.emplace(std::string(pair.substr(0, eq)),
                       eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    }
    VersionSelection last;
    last.last = true;
    const auto filters = parse_filters(params, ~0u, last, FilterLimits{});
    if (filters.error.empty() && filters.filters.limit > FilterLimits{}.max_limit) __builtin_trap();

    accepts_taxii(header);
    is_taxii_content_type(header);
    if (const auto credentials = parse_authorization(header)) parse_api_key(credentials->key);
    return 0;
}
