#include "proto/http/transaction.h"

#include <array>

namespace tocsin::proto::http {

namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(Buffer::count)> kBufferNames = {
    "http.uri",
    "http.uri.raw",
    "http.method",
    "http.protocol",
    "http.request_line",
    "http.host",
    "http.host.raw",
    "http.user_agent",
    "http.header",
    "http.header.raw",
    "http.header_names",
    "http.cookie",
    "http.request_body",
    "http.response_body",
    "http.stat_code",
    "http.stat_msg",
    "http.response_line",
    "http.content_type",
    "http.content_len",
    "http.accept",
    "http.accept_enc",
    "http.accept_lang",
    "http.referer",
    "http.connection",
    "http.location",
    "http.server",
    "http.start",
    "http.request_header",
    "http.response_header",
    "file.data",
    "file.name",
    "file.magic",
};

ByteSpan bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c | 0x20) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// A single-valued buffer: present once, as item 0.
std::optional<ByteSpan> single(std::string_view text, std::size_t item) {
    if (item != 0) return std::nullopt;
    return bytes(text);
}

// A single-valued buffer that is absent while empty (fields not yet seen).
std::optional<ByteSpan> single_if_set(const std::string& text, std::size_t item) {
    if (text.empty()) return std::nullopt;
    return single(text, item);
}

std::optional<ByteSpan> header_value(const Message& message, std::string_view name,
                                     std::size_t item) {
    const Header* header = message.find(name);
    if (header == nullptr) return std::nullopt;
    return single(header->value, item);
}

std::string_view cookie_header(Direction dir) {
    return dir == Direction::to_server ? "cookie" : "set-cookie";
}

}  // namespace

std::span<const std::string_view> buffer_names() {
    return kBufferNames;
}

Direction default_direction(Buffer buffer) {
    switch (buffer) {
        case Buffer::response_body:
        case Buffer::stat_code:
        case Buffer::stat_msg:
        case Buffer::response_line:
        case Buffer::location:
        case Buffer::server:
        case Buffer::response_header:
            return Direction::to_client;
        default:
            return Direction::to_server;
    }
}

std::optional<ContentRange> ContentRange::parse(std::string_view value) {
    ByteCursor cursor(bytes(value));
    const auto skip_spaces = [&] {
        while (cursor.peek_u8() == ' ' || cursor.peek_u8() == '\t') cursor.skip(1);
    };
    // Up to 19 digits: no overflow of 64 bits.
    const auto number = [&]() -> std::optional<std::uint64_t> {
        std::uint64_t n = 0;
        std::size_t digits = 0;
        while (cursor.peek_u8() >= '0' && cursor.peek_u8() <= '9' && digits < 19) {
            n = n * 10 + (cursor.u8() - '0');
            ++digits;
        }
        if (digits == 0) return std::nullopt;
        return n;
    };
    skip_spaces();
    const ByteSpan unit = cursor.bytes(5);
    if (!cursor.ok() ||
        !iequals(std::string_view(reinterpret_cast<const char*>(unit.data()), 5), "bytes"))
        return std::nullopt;
    skip_spaces();
    ContentRange range;
    const auto first = number();
    if (!first || cursor.u8() != '-') return std::nullopt;
    const auto last = number();
    if (!last || cursor.u8() != '/' || *last < *first) return std::nullopt;
    range.start = *first;
    range.end = *last;
    if (cursor.peek_u8() != '*') range.size = number();
    return range;
}

bool two_sided(Buffer buffer) {
    switch (buffer) {
        case Buffer::protocol:
        case Buffer::header:
        case Buffer::header_raw:
        case Buffer::header_names:
        case Buffer::cookie:
        case Buffer::content_type:
        case Buffer::content_len:
        case Buffer::connection:
        case Buffer::start:
            return true;
        default:
            return false;
    }
}

const Header* Message::find(std::string_view name) const {
    for (const Header& header : headers)
        if (iequals(header.name, name)) return &header;
    return nullptr;
}

void Message::finish_headers(std::string_view cookie_name) {
    header_buffer.clear();
    header_names.assign("\r\n");
    start = line;
    start.append("\r\n");
    header_items.clear();
    header_items.reserve(headers.size());
    for (const Header& header : headers) {
        const std::size_t size = header.name.size() + 2 + header.value.size();
        std::string item;
        item.reserve(size);
        item.append(header.name).append(": ").append(header.value);
        if (!iequals(header.name, cookie_name)) header_buffer.append(item).append("\r\n");
        start.append(item).append("\r\n");
        header_names.append(header.name).append("\r\n");
        header_items.push_back(std::move(item));
    }
    // http.start and http.header_names end as the header block does, with an empty line;
    // http.header does not (Suricata left that out so existing rules keep matching).
    header_names.append("\r\n");
    start.append("\r\n");
    headers_done = true;
}

const HttpFile* HttpTransaction::file(Direction dir, std::size_t item) const {
    for (const HttpFile& f : files) {
        if (f.dir != dir) continue;
        if (item == 0) return &f;
        --item;
    }
    return nullptr;
}

HttpFile* HttpTransaction::open_file(Direction dir) {
    for (auto it = files.rbegin(); it != files.rend(); ++it)
        if (it->dir == dir && it->file.state() == files::FileState::open) return &*it;
    return nullptr;
}

void HttpTransaction::ready_http_record() {
    if (http_record_queued) return;
    http_record_queued = true;
    records.push_back(RecordSlot{.http = true});
    records_ready = records.size();
}

void HttpTransaction::ready_file_record(std::size_t index) {
    records.push_back(RecordSlot{.http = false, .file = index});
    records_ready = records.size();
}

std::optional<ByteSpan> HttpTransaction::buffer(std::size_t index, std::size_t item) const {
    if (index >= static_cast<std::size_t>(Buffer::count)) return std::nullopt;
    const auto which = static_cast<Buffer>(index);
    if (which == Buffer::file_data || which == Buffer::file_name || which == Buffer::file_magic) {
        // Without a direction from the caller, uploads come first, then response files.
        std::size_t uploads = 0;
        for (const HttpFile& f : files) uploads += f.dir == Direction::to_server ? 1 : 0;
        return item < uploads ? buffer(which, Direction::to_server, item)
                              : buffer(which, Direction::to_client, item - uploads);
    }
    if (two_sided(which)) {
        // Without a direction from the caller, a buffer both sides have lists the request's
        // value, then the response's, so a to_client rule still finds the response's.
        const auto request_value = buffer(which, Direction::to_server, 0);
        if (request_value) {
            if (item == 0) return request_value;
            --item;
        }
        return item == 0 ? buffer(which, Direction::to_client, 0) : std::nullopt;
    }
    return buffer(which, default_direction(which), item);
}

std::optional<ByteSpan> HttpTransaction::buffer(Buffer which, Direction dir,
                                                std::size_t item) const {
    const Message& side = message(dir);
    switch (which) {
        case Buffer::uri:
            return single_if_set(uri, item);
        case Buffer::uri_raw:
            return single_if_set(uri_raw, item);
        case Buffer::method:
            return single_if_set(method, item);
        case Buffer::protocol:
            return single_if_set(side.protocol, item);
        case Buffer::request_line:
            return single_if_set(request.line, item);
        case Buffer::host:
            return single_if_set(host, item);
        case Buffer::host_raw:
            return single_if_set(host_raw, item);
        case Buffer::user_agent:
            return header_value(request, "user-agent", item);
        case Buffer::header:
            if (!side.headers_done) return std::nullopt;
            return single(side.header_buffer, item);
        case Buffer::header_raw:
            return single_if_set(side.raw_headers, item);
        case Buffer::header_names:
            if (!side.headers_done) return std::nullopt;
            return single(side.header_names, item);
        case Buffer::cookie:
            return header_value(side, cookie_header(dir), item);
        case Buffer::request_body:
            return single_if_set(request.body, item);
        case Buffer::response_body:
            return single_if_set(response.body, item);
        case Buffer::stat_code:
            return single_if_set(status, item);
        case Buffer::stat_msg:
            return single_if_set(status_message, item);
        case Buffer::response_line:
            return single_if_set(response.line, item);
        case Buffer::content_type:
            return header_value(side, "content-type", item);
        case Buffer::content_len:
            return header_value(side, "content-length", item);
        case Buffer::accept:
            return header_value(request, "accept", item);
        case Buffer::accept_enc:
            return header_value(request, "accept-encoding", item);
        case Buffer::accept_lang:
            return header_value(request, "accept-language", item);
        case Buffer::referer:
            return header_value(request, "referer", item);
        case Buffer::connection:
            return header_value(side, "connection", item);
        case Buffer::location:
            return header_value(response, "location", item);
        case Buffer::server:
            return header_value(response, "server", item);
        case Buffer::start:
            if (!side.headers_done) return std::nullopt;
            return single(side.start, item);
        case Buffer::request_header:
            if (item >= request.header_items.size()) return std::nullopt;
            return bytes(request.header_items[item]);
        case Buffer::response_header:
            if (item >= response.header_items.size()) return std::nullopt;
            return bytes(response.header_items[item]);
        case Buffer::file_data: {
            const HttpFile* f = file(dir, item);
            if (f == nullptr) return std::nullopt;
            return f->file.data();
        }
        case Buffer::file_name: {
            const HttpFile* f = file(dir, item);
            if (f == nullptr) return std::nullopt;
            return bytes(f->file.name());
        }
        case Buffer::file_magic: {
            // Absent until libmagic has seen enough of the file (or when it is off): a
            // negated filemagic must not match a file whose type is not known.
            const HttpFile* f = file(dir, item);
            if (f == nullptr || f->file.magic().empty()) return std::nullopt;
            return bytes(f->file.magic());
        }
        case Buffer::count:
            break;
    }
    return std::nullopt;
}

std::optional<std::int64_t> HttpTransaction::number(std::string_view key) const {
    if (key == "http.stat_code") return status_number;
    if (key == "filesize") {
        const HttpFile* f = file(Direction::to_client, 0);
        if (f == nullptr) f = file(Direction::to_server, 0);
        if (f == nullptr) return std::nullopt;
        return static_cast<std::int64_t>(f->file.size());
    }
    return std::nullopt;
}

std::optional<std::int64_t> HttpTransaction::number_at(std::string_view key,
                                                       std::size_t item) const {
    if (key != "filesize") return item == 0 ? number(key) : std::nullopt;
    if (item >= files.size()) return std::nullopt;
    std::size_t uploads = 0;
    for (const HttpFile& f : files) uploads += f.dir == Direction::to_server ? 1 : 0;
    const HttpFile* f = item < uploads ? file(Direction::to_server, item)
                                       : file(Direction::to_client, item - uploads);
    if (f == nullptr) return std::nullopt;
    return static_cast<std::int64_t>(f->file.size());
}

namespace {

// "http://host[:port]" + target; an absolute-form target (a proxy request) is the URL itself.
std::string request_url(std::string_view hostname, std::optional<std::uint16_t> port,
                        std::string_view target) {
    if (target.starts_with("http://") || target.starts_with("https://")) return std::string(target);
    std::string url = "http://";
    url += hostname;
    if (port && *port != 80) {
        url += ':';
        url += std::to_string(*port);
    }
    if (!target.starts_with('/')) url += '/';
    url += target;
    return url;
}

}  // namespace

void HttpTransaction::observables(applayer::ObservableSink& out) const {
    if (!host.empty()) out.add(applayer::Observable::domain, host, Direction::to_server);
    if (!hostname.empty() && !uri.empty() && method != "CONNECT") {
        const std::string normalised = request_url(hostname, port, uri);
        out.add(applayer::Observable::url, normalised, Direction::to_server);
        if (!uri_raw.empty() && uri_raw != uri) {
            const std::string raw = request_url(hostname, port, uri_raw);
            out.add(applayer::Observable::url, raw, Direction::to_server);
        }
    }
    for (const HttpFile& f : files) {
        if (!f.file.md5().empty()) out.add(applayer::Observable::md5, f.file.md5(), f.dir);
        if (!f.file.sha1().empty()) out.add(applayer::Observable::sha1, f.file.sha1(), f.dir);
        if (!f.file.sha256().empty()) out.add(applayer::Observable::sha256, f.file.sha256(), f.dir);
    }
}

}  // namespace tocsin::proto::http
