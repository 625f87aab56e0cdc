#include "share/messages.h"

namespace tocsin::share {

Messages::Messages(Sink sink, std::vector<std::string> secrets)
    : sink_(std::move(sink)), secrets_(std::move(secrets)) {}

void Messages::say(std::string_view line) const {
    if (sink_) sink_(Kind::progress, clean(line, 64 * 1024));
}

void Messages::warn(std::string_view line) const {
    if (sink_) sink_(Kind::warning, clean(line, 64 * 1024));
}

std::string Messages::clean(std::string_view text, std::size_t max_length) const {
    std::string out(text);
    for (const auto& secret : secrets_) {
        if (secret.empty()) continue;
        for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at))
            out.replace(at, secret.size(), "[redacted]");
    }
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7f) c = '?';
    }
    if (out.size() > max_length) {
        out.resize(max_length);
        out += "...";
    }
    return out;
}

}  // namespace tocsin::share
