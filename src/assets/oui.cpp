#include "assets/oui.h"

#include <fstream>
#include <istream>
#include <vector>

namespace tocsin::assets {

namespace {

// One CSV record's fields (RFC 4180 quoting: "a, b" and "" for a quote inside).
std::vector<std::string> csv_fields(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

std::optional<std::uint64_t> hex_value(std::string_view s) {
    if (s.empty() || s.size() > 12) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0) return std::nullopt;
        v = v << 4 | static_cast<std::uint64_t>(d);
    }
    return v;
}

std::uint64_t mac_number(const MacAddress& mac) {
    std::uint64_t v = 0;
    for (std::uint8_t b : mac) v = v << 8 | b;
    return v;
}

}  // namespace

std::string format_mac(const MacAddress& mac) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i > 0) out += ':';
        out += kHex[mac[i] >> 4];
        out += kHex[mac[i] & 15];
    }
    return out;
}

std::optional<MacAddress> parse_mac(std::string_view text) {
    std::string digits;
    for (char c : text)
        if (c != ':' && c != '-' && c != '.') digits += c;
    if (digits.size() != 12) return std::nullopt;
    const auto v = hex_value(digits);
    if (!v) return std::nullopt;
    MacAddress mac{};
    for (int i = 5; i >= 0; --i) mac[static_cast<std::size_t>(i)] = (*v >> (8 * (5 - i))) & 0xff;
    return mac;
}

std::size_t OuiTable::load_csv(std::istream& in) {
    std::size_t read = 0;
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = csv_fields(line);
        if (f.size() < 3 || f[0] == "Registry") continue;
        const std::string& assignment = f[1];
        const auto prefix = hex_value(assignment);
        // MA-L: 6 hex digits (24 bits), MA-M: 7 (28), MA-S: 9 (36).
        const unsigned bits = static_cast<unsigned>(assignment.size()) * 4;
        if (!prefix || (bits != 24 && bits != 28 && bits != 36)) continue;
        by_prefix_[key(*prefix, bits)] = f[2];
        ++read;
    }
    return read;
}

std::size_t OuiTable::load_folder(const std::string& folder) {
    std::size_t read = 0;
    for (const char* name : {"oui.csv", "mam.csv", "oui36.csv"}) {
        std::ifstream in(folder + "/" + name);
        if (in) read += load_csv(in);
    }
    return read;
}

std::string_view OuiTable::vendor(const MacAddress& mac) const {
    if ((mac[0] & 0x02) != 0) return {};  // locally administered: no registry entry
    const std::uint64_t n = mac_number(mac);
    for (unsigned bits : {36u, 28u, 24u}) {
        auto it = by_prefix_.find(key(n >> (48 - bits), bits));
        if (it != by_prefix_.end()) return it->second;
    }
    return {};
}

}  // namespace tocsin::assets
