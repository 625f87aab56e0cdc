// The API key a partner was given by the hub, and how it is found: the first line of
// --key-file, else the environment variable TOCSIN_API_KEY. Never from the command line (argv is
// visible to every user of the machine).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tocsin::share {

inline constexpr const char* kApiKeyEnvironment = "TOCSIN_API_KEY";

struct Credentials {
    std::string user;  // non-empty: HTTP Basic user:key; empty: Bearer key
    std::string key;   // empty: no Authorization header at all

    bool empty() const { return key.empty(); }
};

struct CredentialsLoad {
    std::optional<Credentials> credentials;  // nullopt: `error` says why
    std::string error;
    std::string warning;  // e.g. the key file is readable by others
};

// `key_file` empty: use `environment_value` (null or empty: no key). A key file must exist and
// hold a key on its first line; keys with control characters or spaces are refused (they would
// break or inject into the Authorization header).
CredentialsLoad load_credentials(const std::string& key_file, const char* environment_value,
                                 const std::string& user);

// Every form in which the key travels (the key itself; base64 of "user:key" for Basic): what
// Messages must redact.
std::vector<std::string> secret_forms(const Credentials& credentials);

}  // namespace tocsin::share
