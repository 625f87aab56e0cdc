// The inspection buffers a rule can look into, one table for all of them.
//
// A buffer is named as rules name it (`http.uri`, `dns.query`, `pkt_data`), may have legacy
// spellings (the content modifier `http_uri`, `dns_query`), a pcre flag letter, the
// application protocol that fills it and the direction it exists in. Packet-level buffers are
// filled by the engine itself; application buffers by the protocol parsers. A buffer whose
// parser is not built yet is still known here, so rules using it load and simply have nothing
// to match until the parser lands.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tocsin::detect {

using BufferId = std::uint16_t;

enum class BufferDirection : std::uint8_t { both, to_server, to_client };

// What fills the buffer, for rule validation and engine dispatch.
enum class BufferSource : std::uint8_t {
    packet,  // the packet payload (pkt_data)
    stream,  // reassembled TCP payload ("raw" stream)
    header,  // a protocol header of the packet (ipv4.hdr, tcp.hdr, ...)
    app,     // an application-layer parser
};

struct BufferSpec {
    std::string_view name;       // sticky-buffer keyword: "http.uri"
    std::string_view legacy;     // content modifier or old name: "http_uri" ("" none)
    std::string_view alias;      // second legacy spelling ("" none)
    char pcre_flag;              // pcre buffer-selecting flag ('\0' none)
    std::string_view app_proto;  // "http" ("" packet-level)
    BufferSource source;
    BufferDirection direction;
};

// Built-in buffer ids the engine fills itself.
constexpr BufferId kBufferPayload = 0;  // pkt_data / the default payload of a rule
constexpr BufferId kBufferStream = 1;   // raw reassembled stream (tcp rules without sticky buffer)

std::span<const BufferSpec> buffer_table();
const BufferSpec& buffer_spec(BufferId id);
// By sticky-buffer name or legacy modifier name; -1 when unknown.
int find_buffer(std::string_view name);
int find_buffer_by_legacy(std::string_view modifier);
int find_buffer_by_pcre_flag(char flag);

}  // namespace tocsin::detect
