// Configuration: a flat map of dotted keys ("stream.midstream") to text values.
// Defaults live in one table (config.cpp) so Tocsin needs no file; a YAML file (-c) and
// --set KEY=VALUE override them, in that order. Keys Tocsin does not know are reported once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct ConfigKeyInfo {
    std::string_view key;
    std::string_view default_value;
    std::string_view help;
};

class Config {
  public:
    Config();  // the built-in defaults

    // Merge a YAML file; nested maps become dotted keys. Throws ConfigError.
    void load_yaml_file(const std::string& path);
    void load_yaml_text(std::string_view text);
    // "KEY=VALUE"; throws ConfigError when there is no '='.
    void set_override(std::string_view assignment);
    void set(std::string_view key, std::string_view value);

    std::optional<std::string> get(std::string_view key) const;
    std::string get_string(std::string_view key) const;
    bool get_bool(std::string_view key) const;  // yes/no/true/false/on/off/1/0
    std::int64_t get_int(std::string_view key) const;
    std::uint64_t get_size(std::string_view key) const;     // "64mb", "1gb", "4096"
    std::uint32_t get_seconds(std::string_view key) const;  // "60", "2m"

    // Every key under `prefix` ("vars.address-groups."), with the prefix removed.
    std::vector<std::pair<std::string, std::string>> with_prefix(std::string_view prefix) const;

    // Keys that were set but have no meaning in Tocsin.
    std::vector<std::string> unknown_keys() const;

    static const std::vector<ConfigKeyInfo>& known_keys();

  private:
    std::map<std::string, std::string, std::less<>> values_;
};

// Parsers exposed for tests and for callers with their own text.
std::optional<std::uint64_t> parse_size(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);

}  // namespace tocsin
