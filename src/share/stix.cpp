#include "share/stix.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "core/rfc3339.h"

namespace tocsin::share {
namespace {

struct TooDeep : std::runtime_error {
    TooDeep() : std::runtime_error("too deep") {}
};

}  // namespace

std::optional<Json> parse_json(std::string_view text, std::string& error) {
    try {
        // The callback sees every value with its depth before the parser goes deeper.
        return Json::parse(text, [](int depth, Json::parse_event_t, Json&) {
            if (depth > kMaxJsonDepth) throw TooDeep();
            return true;
        });
    } catch (const TooDeep&) {
        error = fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth);
    } catch (const Json::exception& e) {
        error = fmt::format("invalid JSON ({})", e.what());
    }
    return std::nullopt;
}

std::string new_bundle_id() {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("the system's random generator failed");
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    std::string id = "bundle--";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
        id += fmt::format("{:02x}", bytes[i]);
    }
    return id;
}

std::string make_bundle(const Json& objects) {
    Json bundle = Json::object();
    bundle["type"] = "bundle";
    bundle["id"] = new_bundle_id();
    bundle["objects"] = objects;
    return bundle.dump();
}

std::string object_version(const Json& object) {
    for (const char* field : {"modified", "created"}) {
        const auto it = object.find(field);
        if (it != object.end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

bool same_version(std::string_view a, std::string_view b) {
    if (a == b) return true;
    const auto ta = parse_rfc3339(a, true);
    const auto tb = parse_rfc3339(b, true);
    return ta && tb && *ta == *tb;
}

}  // namespace tocsin::share
