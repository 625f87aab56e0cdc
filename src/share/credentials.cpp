#include "share/credentials.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

namespace tocsin::share {
namespace {

constexpr std::size_t kMaxKeyLength = 4096;

bool is_header_safe(const std::string& text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

// Reads the first line of `path` without ever reading more than a key can be long.
std::optional<std::string> first_line(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string line;
    char c = 0;
    while (line.size() <= kMaxKeyLength && in.get(c) && c != '\n') line += c;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    return line;
}

std::string permission_warning(const std::string& path) {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0 || (info.st_mode & (S_IRWXG | S_IRWXO)) == 0) return {};
    return fmt::format("{}: the key file is readable by other users (chmod 600 it)", path);
}

}  // namespace

std::vector<std::string> secret_forms(const Credentials& credentials) {
    if (credentials.key.empty()) return {};
    std::vector<std::string> forms{credentials.key};
    if (!credentials.user.empty()) {
        const std::string pair = credentials.user + ':' + credentials.key;
        std::string encoded(4 * ((pair.size() + 2) / 3) + 1, '\0');
        const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                           reinterpret_cast<const unsigned char*>(pair.data()),
                                           static_cast<int>(pair.size()));
        encoded.resize(static_cast<std::size_t>(length));
        forms.push_back(std::move(encoded));
    }
    return forms;
}

CredentialsLoad load_credentials(const std::string& key_file, const char* environment_value,
                                 const std::string& user) {
    CredentialsLoad load;
    std::string key;
    if (!key_file.empty()) {
        auto line = first_line(key_file);
        if (!line) {
            load.error = fmt::format("{}: cannot read the key file", key_file);
            return load;
        }
        if (line->empty()) {
            load.error = fmt::format("{}: the first line holds no key", key_file);
            return load;
        }
        key = std::move(*line);
        load.warning = permission_warning(key_file);
    } else if (environment_value != nullptr) {
        key = environment_value;
    }
    if (key.size() > kMaxKeyLength || !is_header_safe(key)) {
        load.error = fmt::format(
            "the API key ({}) is longer than {} characters or holds spaces or control characters",
            key_file.empty() ? kApiKeyEnvironment : key_file, kMaxKeyLength);
        return load;
    }
    if (!user.empty() && (!is_header_safe(user) || user.find(':') != std::string::npos)) {
        load.error = "--user may not hold ':', spaces or control characters";
        return load;
    }
    if (!user.empty() && key.empty()) {
        load.error = fmt::format("--user needs an API key (--key-file or {})", kApiKeyEnvironment);
        return load;
    }
    load.credentials = Credentials{user, std::move(key)};
    return load;
}

}  // namespace tocsin::share
