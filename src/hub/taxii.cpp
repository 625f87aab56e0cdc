#include "hub/taxii.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/rfc3339.h"

namespace tocsin::hub {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = s.find(separator, start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

struct MediaType {
    std::string type;     // lower case
    std::string subtype;  // lower case
    std::optional<std::string> version;
    double q = 1.0;
};

std::optional<MediaType> parse_media_type(std::string_view text) {
    const auto parts = split(text, ';');
    const auto essence = trim(parts[0]);
    const auto slash = essence.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == essence.size())
        return std::nullopt;
    MediaType m{lower(trim(essence.substr(0, slash))), lower(trim(essence.substr(slash + 1))),
                std::nullopt, 1.0};
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto param = trim(parts[i]);
        const auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        const auto name = lower(trim(param.substr(0, eq)));
        auto value = trim(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        if (name == "version") {
            m.version = std::string(value);
        } else if (name == "q") {
            double q = 0;
            const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
            m.q = (ec == std::errc() && ptr == value.data() + value.size()) ? q : 0.0;
        }
    }
    return m;
}

bool is_taxii_21(const MediaType& m) {
    return m.type == "application" && m.subtype == "taxii+json" &&
           (!m.version || *m.version == "2.1");
}

// Splits comma lists and repeated parameters into one list of values.
std::vector<std::string> values_of(const QueryParams& params, const std::string& name) {
    std::vector<std::string> out;
    const auto [begin, end] = params.equal_range(name);
    for (auto it = begin; it != end; ++it)
        for (const auto v : split(it->second, ','))
            if (const auto t = trim(v); !t.empty()) out.emplace_back(t);
    return out;
}

bool is_identifier_like(std::string_view s) {
    return s.size() <= 300 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-';
           });
}

}  // namespace

bool accepts_taxii(std::optional<std::string_view> accept) {
    if (!accept || trim(*accept).empty()) return true;
    for (const auto range : split(*accept, ',')) {
        const auto m = parse_media_type(range);
        if (!m || m->q <= 0) continue;
        if ((m->type == "*" && m->subtype == "*") ||
            (m->type == "application" && m->subtype == "*") || is_taxii_21(*m))
            return true;
    }
    return false;
}

bool is_taxii_content_type(std::string_view content_type) {
    const auto m = parse_media_type(content_type);
    return m && is_taxii_21(*m);
}

FilterParse parse_filters(const QueryParams& params, unsigned accepted,
                          const VersionSelection& default_versions, const FilterLimits& limits) {
    FilterParse out;
    Filters& f = out.filters;
    f.limit = limits.default_limit;
    f.versions = default_versions;
    const auto fail = [&](std::string message) {
        out.error = std::move(message);
        return out;
    };
    const auto single = [&](const char* name) -> std::optional<std::string> {
        const auto [begin, end] = params.equal_range(name);
        if (begin == end) return std::nullopt;
        return begin->second;
    };
    if (accepted & kAddedAfter) {
        if (const auto v = single("added_after")) {
            const auto ts = parse_rfc3339(*v, true);
            if (!ts) return fail("added_after must be an RFC 3339 timestamp");
            f.added_after_us = std::max<std::int64_t>(ts->micros(), -1);
        }
    }
    if (accepted & kNext) {
        if (const auto v = single("next")) {
            const auto after = parse_next_token(*v);
            if (!after) return fail("next is not a value this server returned");
            f.added_after_us = std::max(f.added_after_us, *after);
        }
    }
    if (accepted & kLimit) {
        if (const auto v = single("limit")) {
            std::size_t n = 0;
            const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (ec != std::errc() || ptr != v->data() + v->size() || n == 0)
                return fail("limit must be a positive integer");
            f.limit = std::min(n, limits.max_limit);  // a server may return fewer (section 3.7)
        }
    }
    const auto list = [&](const char* name, std::vector<std::string>& into) -> bool {
        into = values_of(params, name);
        if (into.size() > limits.max_values) {
            out.error = fmt::format("{} takes at most {} values", name, limits.max_values);
            return false;
        }
        for (const auto& v : into)
            if (!is_identifier_like(v)) {
                out.error = fmt::format("{} holds an impossible value", name);
                return false;
            }
        return true;
    };
    if ((accepted & kMatchId) && !list("match[id]", f.ids)) return out;
    if ((accepted & kMatchType) && !list("match[type]", f.types)) return out;
    if (accepted & kMatchVersion) {
        const auto versions = values_of(params, "match[version]");
        if (versions.size() > limits.max_values)
            return fail(fmt::format("match[version] takes at most {} values", limits.max_values));
        if (!versions.empty()) {
            f.versions = {};
            for (const auto& v : versions) {
                if (v == "all") {
                    f.versions.all = true;
                } else if (v == "last") {
                    f.versions.last = true;
                } else if (v == "first") {
                    f.versions.first = true;
                } else if (const auto ts = parse_rfc3339(v, true)) {
                    f.versions.exact.push_back(ts->micros());
                } else {
                    return fail("match[version] takes last, first, all or timestamps");
                }
            }
        }
    }
    if (accepted & kMatchSpecVersion) {
        const auto versions = values_of(params, "match[spec_version]");
        if (versions.size() > limits.max_values)
            return fail("match[spec_version] has too many values");
        if (!versions.empty())
            f.spec_version_matches =
                std::find(versions.begin(), versions.end(), "2.1") != versions.end();
    }
    return out;
}

std::string next_token(std::int64_t date_added_us) {
    return std::to_string(date_added_us);
}

std::optional<std::int64_t> parse_next_token(std::string_view token) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || ptr != token.data() + token.size() || v < 0) return std::nullopt;
    return v;
}

std::string error_body(int http_status, std::string_view title, std::string_view description,
                       std::string_view error_id) {
    nlohmann::json body = {{"title", title}, {"http_status", std::to_string(http_status)}};
    if (!description.empty()) body["description"] = description;
    if (!error_id.empty()) body["error_id"] = error_id;
    return body.dump();
}

std::string format_date_added(std::int64_t micros) {
    return format_rfc3339(Timestamp::from_micros(micros), 6);
}

}  // namespace tocsin::hub
