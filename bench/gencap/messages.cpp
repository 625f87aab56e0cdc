// Generic messages and names shared by the application generators.
#include <algorithm>
#include <array>
#include <string_view>

#include "gencap/apps.h"

namespace tocsin::gencap {
namespace {

class StoredMessage final : public Message {
  public:
    StoredMessage(bool from_client, Bytes bytes) : Message(from_client), bytes_(std::move(bytes)) {}

    std::size_t remaining() const override { return bytes_.size() - offset_; }

    void take(std::size_t count, Rng& /*rng*/, Bytes& out) override {
        count = std::min(count, remaining());
        out.insert(out.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
                   bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + count));
        offset_ += count;
    }

  private:
    Bytes bytes_;
    std::size_t offset_ = 0;
};

constexpr std::array<std::string_view, 40> kDomains{
    "example.com",      "example.net",     "example.org",      "shop-online.test",
    "newsportal.test",  "videocdn.test",   "mail-host.test",   "social-app.test",
    "weather.test",     "maps-svc.test",   "bank-secure.test", "travel-deals.test",
    "sports-live.test", "code-forge.test", "cloud-files.test", "music-stream.test",
    "photo-share.test", "learn-more.test", "health-info.test", "games-hub.test",
    "ads-metrics.test", "fonts-cdn.test",  "jslib-cdn.test",   "telemetry.test",
    "updates.test",     "docs-wiki.test",  "forum-talk.test",  "market-data.test",
    "city-gov.test",    "univ-edu.test",   "jobs-board.test",  "recipes.test",
    "auto-parts.test",  "pets-store.test", "home-decor.test",  "books-read.test",
    "crypto-x.test",    "radio-live.test", "tickets.test",     "podcasts.test"};

constexpr std::array<std::string_view, 8> kPrefixes{"www.", "api.", "cdn.",   "static.",
                                                    "img.", "",     "login.", "m."};

}  // namespace

std::unique_ptr<Message> stored_message(bool from_client, Bytes bytes) {
    return std::make_unique<StoredMessage>(from_client, std::move(bytes));
}

std::string random_host_name(Rng& rng) {
    std::string name(rng.pick(std::span<const std::string_view>(kPrefixes)));
    name += rng.pick(std::span<const std::string_view>(kDomains));
    return name;
}

}  // namespace tocsin::gencap
