#include "intel/uuid.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace tocsin::intel {

Uuid uuid_v5(const Uuid& name_space, std::string_view name) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, name_space.data(), name_space.size()) == 1 &&
                    EVP_DigestUpdate(ctx, name.data(), name.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, digest, &length) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || length < 16) throw std::runtime_error("SHA-1 unavailable");
    Uuid out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = digest[i];
    out[6] = static_cast<std::uint8_t>((out[6] & 0x0f) | 0x50);  // version 5
    out[8] = static_cast<std::uint8_t>((out[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return out;
}

std::string uuid_text(const Uuid& uuid) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < uuid.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[uuid[i] >> 4];
        out += kHex[uuid[i] & 0x0f];
    }
    return out;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
    if (text.size() != 36) return std::nullopt;
    Uuid out{};
    std::size_t byte = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            ++i;
            continue;
        }
        int pair = 0;
        for (int k = 0; k < 2; ++k, ++i) {
            const char c = text[i];
            int v = -1;
            if (c >= '0' && c <= '9') v = c - '0';
            if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            if (v < 0) return std::nullopt;
            pair = pair * 16 + v;
        }
        out[byte++] = static_cast<std::uint8_t>(pair);
    }
    return out;
}

std::string derived_stix_id(std::string_view prefix, std::string_view name) {
    return std::string(prefix) + "--" + uuid_text(uuid_v5(kTocsinNamespace, name));
}

bool is_stix_id(std::string_view id) {
    const std::size_t sep = id.find("--");
    if (sep == 0 || sep == std::string_view::npos) return false;
    for (char c : id.substr(0, sep))
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return parse_uuid(id.substr(sep + 2)).has_value();
}

}  // namespace tocsin::intel
