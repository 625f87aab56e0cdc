// One HTTP/1.x request and its response, copied out of libhtp's transaction as the parse
// progresses (libhtp frees its own transaction once both sides are done; ours lives on until
// the framework has detected and logged it). Detection reads it through `buffer`, output
// through eve.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "applayer/protocol.h"
#include "proto/files/files.h"

namespace tocsin::proto::http {

using applayer::Direction;

// The rule buffers an HTTP transaction serves, in ProtocolSpec::buffers order.
enum class Buffer : std::uint8_t {
    uri,
    uri_raw,
    method,
    protocol,
    request_line,
    host,
    host_raw,
    user_agent,
    header,
    header_raw,
    header_names,
    cookie,
    request_body,
    response_body,
    stat_code,
    stat_msg,
    response_line,
    content_type,
    content_len,
    accept,
    accept_enc,
    accept_lang,
    referer,
    connection,
    location,
    server,
    start,
    request_header,
    response_header,
    file_data,
    file_name,
    file_magic,  // libmagic's description, once known (file.magic; filemagic)
    count,
};

// Buffer names exactly as detect/buffers.cpp spells them, indexed by Buffer.
std::span<const std::string_view> buffer_names();

// The direction a buffer is served from when the caller does not say: the request side for
// buffers that exist in both (http.header, http.cookie...).
Direction default_direction(Buffer buffer);

// Buffers both the request and the response have (http.header, http.cookie...); files
// (file.data, file.name) travel both ways too but are items of their own.
bool two_sided(Buffer buffer);

struct Header {
    std::string name;   // as sent
    std::string value;  // libhtp's: folded lines joined, repeated headers joined with ", "
};

// A Content-Range value "bytes FIRST-LAST/SIZE" (RFC 9110 §14.4); size absent for "*".
struct ContentRange {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::optional<std::uint64_t> size;

    static std::optional<ContentRange> parse(std::string_view value);
};

// One side of the exchange: the request or the response.
struct Message {
    std::string line;      // request line / status line, without CRLF
    std::string protocol;  // "HTTP/1.1"
    std::vector<Header> headers;
    std::string raw_headers;  // the header block as received (up to kMaxHeaderBlock)
    std::string body;         // dechunked, decompressed; up to the body limit
    std::uint64_t body_seen = 0;
    bool headers_done = false;

    // Built once when the headers are complete, so buffer() returns stable views.
    std::string header_buffer;              // http.header: "Name: value\r\n"..., cookies left out
    std::string header_names;               // "\r\nName\r\nName\r\n\r\n"
    std::string start;                      // line, then every header, then an empty line
    std::vector<std::string> header_items;  // "name: value" each

    // First header called `name` (case-insensitive), or null.
    const Header* find(std::string_view name) const;
    // Builds the derived buffers above; `cookie_header` is left out of header_buffer.
    void finish_headers(std::string_view cookie_header);
};

// A file an HTTP message carries: an uploaded body or multipart part, or a response body.
struct HttpFile {
    files::File file;
    Direction dir;
};

// What EVE record `n` of a transaction is: the http record, or the fileinfo of files[index].
struct RecordSlot {
    bool http = false;
    std::size_t file = 0;
};

class HttpTransaction : public applayer::Transaction {
  public:
    static constexpr std::size_t kMaxHeaderBlock = 64 << 10;

    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    // filesize: item n is the n-th file (uploads first, then response files).
    std::optional<std::int64_t> number_at(std::string_view key, std::size_t item) const override;

    // One function serves each buffer; `dir` picks the side of buffers that have two (and
    // the files of that direction for file.data/file.name).
    std::optional<ByteSpan> buffer(Buffer buffer, Direction dir, std::size_t item) const;
    // Rule buffer `index` as a packet of direction `dir` sees it (detection calls this).
    std::optional<ByteSpan> buffer_for(Direction dir, std::size_t index,
                                       std::size_t item) const override {
        if (index >= static_cast<std::size_t>(Buffer::count)) return std::nullopt;
        return buffer(static_cast<Buffer>(index), dir, item);
    }

    // The host, the requested URL (as normalised and, when different, as sent) and the
    // digests of every file carried in either direction.
    void observables(applayer::ObservableSink& out) const override;

    const Message& message(Direction dir) const {
        return dir == Direction::to_server ? request : response;
    }

    // The files of one direction in order: item n of file.data / file.name.
    const HttpFile* file(Direction dir, std::size_t item) const;
    // The file of `dir` still receiving data, or null.
    HttpFile* open_file(Direction dir);

    // Queues the http record (once) / the fileinfo record of files[index].
    void ready_http_record();
    void ready_file_record(std::size_t index);

    Message request;
    Message response;

    std::string method;
    std::string uri_raw;
    std::string uri;       // normalised: libhtp's decoded path, then ?query and #fragment
    std::string path;      // libhtp's decoded path alone: the name of the files it carries
    std::string hostname;  // libhtp's, from the URI or Host header, no port (EVE hostname)
    std::string host;      // hostname in lower case (http.host)
    std::string host_raw;  // absolute-URI host or Host header, as sent
    std::optional<std::uint16_t> port;  // from the Host header or the URI
    std::string status;                 // "200"
    std::optional<std::int64_t> status_number;
    std::string status_message;
    std::int64_t response_length = 0;  // response message-body bytes as sent (EVE length)

    std::vector<HttpFile> files;
    std::vector<RecordSlot> records;  // records_ready == records.size()
    bool http_record_queued = false;
    bool log_headers = false;  // EVE request_headers/response_headers (AppLimits)
};

}  // namespace tocsin::proto::http
