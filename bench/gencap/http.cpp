// HTTP/1.1 keep-alive conversations: GET and POST requests with browser-like headers and
// responses whose bodies range from 200 B to 200 KB.
#include <algorithm>
#include <array>
#include <string_view>

#include "gencap/apps.h"
#include "gencap/wire.h"

namespace tocsin::gencap {
namespace {

constexpr std::size_t kMinBody = 200;
constexpr std::size_t kMaxBody = 200 * 1000;

// Body text repeated cyclically: cheap to produce and still looks like a page to a dissector.
constexpr std::string_view kFiller =
    "<div class=\"item\"><h2>Lorem ipsum dolor sit amet</h2><p>Consectetur adipiscing elit, sed "
    "do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis "
    "nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>\n"
    "<ul><li>Duis aute irure dolor</li><li>in reprehenderit in voluptate</li><li>velit esse "
    "cillum dolore</li></ul><a href=\"/articles/next\">Excepteur sint occaecat</a></div>\n";

constexpr std::array<std::string_view, 4> kUserAgents{
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "curl/7.88.1"};

constexpr std::array<std::string_view, 4> kServers{"nginx/1.24.0", "Apache/2.4.57 (Debian)",
                                                   "cloudflare", "Microsoft-IIS/10.0"};

struct BodyType {
    std::string_view content_type;
    bool text;
};
constexpr std::array<BodyType, 5> kBodyTypes{{{"text/html; charset=utf-8", true},
                                              {"text/css", true},
                                              {"application/javascript", true},
                                              {"text/plain; charset=utf-8", true},
                                              {"application/octet-stream", false}}};

// Head bytes followed by a generated body.
class HttpMessage final : public Message {
  public:
    HttpMessage(bool from_client, std::string head, std::size_t body_size, bool text_body)
        : Message(from_client),
          head_(std::move(head)),
          body_size_(body_size),
          text_body_(text_body) {}

    std::size_t remaining() const override { return head_.size() + body_size_ - offset_; }

    void take(std::size_t count, Rng& rng, Bytes& out) override {
        count = std::min(count, remaining());
        while (count > 0) {
            const std::size_t n =
                offset_ < head_.size() ? take_head(count, out) : take_body(count, rng, out);
            count -= n;
            offset_ += n;
        }
    }

  private:
    std::size_t take_head(std::size_t count, Bytes& out) const {
        const std::size_t n = std::min(count, head_.size() - offset_);
        wire::append(out, std::string_view(head_).substr(offset_, n));
        return n;
    }

    std::size_t take_body(std::size_t count, Rng& rng, Bytes& out) const {
        if (!text_body_) {
            const std::size_t at = out.size();
            out.resize(at + count);
            rng.fill(std::span(out).subspan(at));
            return count;
        }
        const std::size_t position = (offset_ - head_.size()) % kFiller.size();
        const std::size_t n = std::min(count, kFiller.size() - position);
        wire::append(out, kFiller.substr(position, n));
        return n;
    }

    std::string head_;
    std::size_t body_size_;
    bool text_body_;
    std::size_t offset_ = 0;
};

std::string request_path(Rng& rng) {
    switch (rng.below(6)) {
        case 0:
            return "/";
        case 1:
            return "/index.html";
        case 2:
            return "/static/js/app." + rng.hex(8) + ".js";
        case 3:
            return "/api/v1/items/" + std::to_string(rng.below(100000));
        case 4:
            return "/images/" + rng.hex(12) + ".png";
        default: {
            // Separate statements: the evaluation order of operands of + is unspecified.
            std::string path = "/articles/" + std::to_string(2000 + rng.below(24));
            return path + "/story-" + std::to_string(rng.below(5000)) + ".html";
        }
    }
}

// A form or a JSON document of roughly `size` bytes.
std::pair<std::string, std::string> post_body(Rng& rng, std::size_t size) {
    if (rng.percent(50)) {
        std::string body = "user=user" + std::to_string(rng.below(10000));
        body += "&token=" + rng.hex(32) + "&comment=";
        body.append(size > body.size() ? size - body.size() : 1, 'x');
        return {"application/x-www-form-urlencoded", body};
    }
    std::string body = "{\"id\":" + std::to_string(rng.below(1000000)) +
                       ",\"tags\":[\"alpha\",\"beta\"],\"active\":true,\"note\":\"";
    body.append(size > body.size() + 2 ? size - body.size() - 2 : 1, 'n');
    body += "\"}";
    return {"application/json", body};
}

class HttpConversation final : public Conversation {
  public:
    HttpConversation(Rng& rng, std::string host)
        : host_(std::move(host)),
          user_agent_(rng.pick(std::span<const std::string_view>(kUserAgents))),
          server_(rng.pick(std::span<const std::string_view>(kServers))),
          cookie_(rng.percent(40) ? "session=" + rng.hex(24) : ""),
          rounds_left_(rng.percent(50) ? 1 + rng.between(1, 4) : 1) {}

    std::unique_ptr<Message> next(Rng& rng) override {
        if (response_) return std::move(response_);
        if (rounds_left_ == 0) return nullptr;
        --rounds_left_;
        const bool last = rounds_left_ == 0;
        response_ = make_response(rng, last);
        return make_request(rng, last);
    }

  private:
    std::unique_ptr<Message> make_request(Rng& rng, bool last) const {
        const bool post = rng.percent(20);
        std::string head = std::string(post ? "POST " : "GET ") + request_path(rng) +
                           " HTTP/1.1\r\nHost: " + host_ + "\r\nUser-Agent: " + user_agent_ +
                           "\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,"
                           "*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n"
                           "Accept-Encoding: gzip, deflate, br\r\n";
        if (!cookie_.empty()) head += "Cookie: " + cookie_ + "\r\n";
        head += last ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
        if (post) {
            auto [type, body] = post_body(rng, rng.log_uniform(50, 2000));
            head += "Content-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
        } else {
            head += "\r\n";
        }
        return std::make_unique<HttpMessage>(true, std::move(head), 0, true);
    }

    std::unique_ptr<Message> make_response(Rng& rng, bool last) const {
        std::string status = "200 OK";
        std::size_t body = rng.log_uniform(kMinBody, kMaxBody);
        BodyType type = rng.pick(std::span<const BodyType>(kBodyTypes));
        const auto roll = rng.below(100);
        if (roll < 4) {
            status = "304 Not Modified";
            body = 0;
        } else if (roll < 8) {
            status = "404 Not Found";
            body = 150 + rng.below(300);
            type = kBodyTypes[0];
        } else if (roll < 10) {
            status = "500 Internal Server Error";
            body = 200 + rng.below(200);
            type = kBodyTypes[0];
        }
        std::string head = "HTTP/1.1 " + status +
                           "\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nServer: " + server_ + "\r\n";
        if (body > 0 || roll >= 4) {
            head += "Content-Type: " + std::string(type.content_type) +
                    "\r\nContent-Length: " + std::to_string(body) + "\r\n";
        }
        head += "Cache-Control: max-age=" + std::to_string(60 * rng.between(1, 1440)) + "\r\n";
        head += "ETag: \"" + rng.hex(16) + "\"\r\n";
        head += last ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
        return std::make_unique<HttpMessage>(false, std::move(head), body, type.text);
    }

    std::string host_;
    std::string user_agent_;
    std::string server_;
    std::string cookie_;
    std::uint64_t rounds_left_;
    std::unique_ptr<Message> response_;
};

}  // namespace

std::unique_ptr<Conversation> http_conversation(Rng& rng, std::string host) {
    return std::make_unique<HttpConversation>(rng, std::move(host));
}

}  // namespace tocsin::gencap
