// What an application-layer protocol provides: a probe that recognises it by content, a parser
// that turns each direction's bytes into transactions, the rule buffers a transaction fills and
// the EVE records it writes. Each protocol is a folder under src/proto/ exposing one
// ProtocolSpec; src/proto/registry.cpp lists them.
//
// Layering: parsers see only bytes, the flow and this header. Detection reads transactions
// through `Transaction::buffer`; output writes them through the spec's record functions, which
// live in the protocol's own eve.cpp (the only file of a protocol that includes output code).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/cursor.h"
#include "core/stage_state.h"
#include "core/timestamp.h"
#include "flow/flow.h"

namespace tocsin::output {
class JsonWriter;
}

namespace tocsin::applayer {

using flow::dir_index;
using flow::Direction;

enum class Probe : std::uint8_t {
    no_match,   // this is not the protocol
    need_more,  // too few bytes to tell
    match,
};

// Server ports configured for one protocol (`app-layer.protocols.<name>.detection-ports.dp`,
// or its `.tcp.`/`.udp.` variant for one transport): they replace the protocol's built-in
// ports when deciding whether a flow is on the protocol's port.
struct DetectionPorts {
    std::string protocol;
    bool tcp = true;
    bool udp = true;
    std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;  // inclusive
};

// Which digests every file gets (EVE fileinfo md5/sha1/sha256, rules' filemd5/filesha1/
// filesha256, intelligence on file hashes). Each is a pass over every file byte, so only the
// digests something uses are computed.
struct FileDigests {
    bool md5 = false;
    bool sha1 = false;
    bool sha256 = false;

    static constexpr FileDigests all() { return {true, true, true}; }
    constexpr bool any() const { return md5 || sha1 || sha256; }
    constexpr FileDigests& operator|=(const FileDigests& other) {
        md5 = md5 || other.md5;
        sha1 = sha1 || other.sha1;
        sha256 = sha256 || other.sha256;
        return *this;
    }
    friend constexpr bool operator==(const FileDigests&, const FileDigests&) = default;

    // outputs.eve.fileinfo.force-hash: yes/no, or Suricata's list of names ("[md5, sha256]",
    // flattened to "md5,sha256"). Throws ConfigError on an unknown name.
    static FileDigests from_force_hash(std::string_view setting);
};

// Bounds every protocol honours; from `app-layer.*` in tocsin.yaml.
struct AppLimits {
    std::size_t max_transactions = 256;  // per flow; the oldest are logged and dropped
    std::size_t probe_bytes = 4096;      // held per direction while the protocol is unknown
    // TCP: parse only what the receiver acknowledged (Suricata's IDS timing), holding at most
    // this many unacknowledged bytes per direction; 0 parses data as it arrives.
    std::size_t unacked_bytes = 1 << 20;
    std::size_t request_body_limit = 100 << 10;  // body bytes kept for inspection per tx
    std::size_t response_body_limit = 100 << 10;
    std::size_t max_record_bytes = 256 << 10;  // one protocol record/message (TLS, DNS/TCP)
    // Frame protocols (GOOSE): publishers tracked per worker, and seconds after which an idle
    // one is forgotten (app-layer.max-publishers, app-layer.publisher-timeout).
    std::size_t max_publishers = 1024;
    std::uint32_t publisher_timeout = 120;
    bool log_http_headers = false;  // EVE http: request_headers/response_headers
    std::string filestore_dir;      // "" = files are not written to disk
    // Digests and the libmagic type of every file. Off by default, as in Suricata (force-hash,
    // force-magic): libmagic alone costs more than parsing HTTP. Switched on by configuration,
    // by a loaded rule that needs them (filemagic, filemd5, ...) or by loaded indicators.
    FileDigests file_digests;
    bool file_magic = false;
    // Keep HTTP bodies and file data for rules (http.request_body, file.data...). The pipeline
    // keeps them only when a loaded rule inspects them: copying every body costs a tenth of
    // the app layer's time (perf on the bench capture) and serves nothing else.
    bool keep_bodies = true;
    // EVE dns record format: 3 (Suricata 8, default) or 2 (one record per query/answer);
    // outputs.eve.dns.version, overridden by SURICATA_EVE_DNS_VERSION as in Suricata.
    int dns_log_version = 3;
    std::vector<DetectionPorts> detection_ports;  // configured ports; none: built-in ones
    // Every app-layer.protocols.<protocol>.<key> setting, for a protocol's own options
    // (dnp3.max-objects...), so a parser reads its settings without the app layer knowing them.
    std::vector<std::pair<std::string, std::string>> protocol_settings;

    // A protocol's own setting ("" when absent): protocol_setting("dnp3", "max-objects").
    std::string_view protocol_setting(std::string_view protocol, std::string_view key) const {
        for (const auto& [name, value] : protocol_settings)
            if (name.size() == protocol.size() + 1 + key.size() && name.starts_with(protocol) &&
                name[protocol.size()] == '.' && name.ends_with(key))
                return value;
        return {};
    }

    static AppLimits from_config(const Config& config);
};

struct DeviceFacts;

// A value a transaction shows that threat intelligence can match (intel/intel.h matches them).
enum class Observable : std::uint8_t {
    domain,  // DNS question name, TLS SNI, HTTP host (no port)
    url,     // the requested URL: "http://host[:port]/path?query"
    md5,     // lower-case hex digests of a transferred file
    sha1,
    sha256,
    ja3,  // JA3 / JA3S digests, JA4 fingerprint of a TLS handshake
    ja3s,
    ja4,
    x509_sha1,  // certificate SHA-1 fingerprint, lower-case hex (colons allowed)
};

// Receives a transaction's observables (Transaction::observables): each with the direction of
// the message that showed it (a request's host to_server, a response's file to_client).
class ObservableSink {
  public:
    virtual void add(Observable kind, std::string_view value, Direction side) = 0;

  protected:
    ~ObservableSink() = default;
};

// One exchange: an HTTP request and its response, a DNS query and its answer, a TLS
// handshake. Parsers derive from it; detection and output see it through this base.
class Transaction {
  public:
    virtual ~Transaction() = default;

    std::uint64_t id = 0;        // EVE tx_id: the order within the flow, from 0
    std::array<bool, 2> done{};  // [to_server] request side complete, [to_client] response side
    std::uint64_t updated = 0;   // the packet (AppLayer::begin_packet) that last changed it
    std::array<bool, 2> updated_dir{};  // which directions changed on that packet
    // Changes per direction: detection inspects a transaction on a packet of direction d when
    // progress[d] moved since it last looked.
    std::array<std::uint32_t, 2> progress{};
    std::array<std::uint32_t, 2> inspected{};  // progress detection has seen (detect writes)
    // EVE records the transaction can write now; output writes [records_written, records_ready).
    std::size_t records_ready = 0;
    std::size_t records_written = 0;
    // App-layer events raised on this transaction ("http.request_field_too_long"), static
    // strings named as Suricata names them.
    std::vector<std::string_view> events;
    std::size_t events_logged = 0;             // events[0, events_logged) are in EVE already
    std::unique_ptr<StageState> detect_state;  // which rules already matched it: detect's
    // Completion (records_ready, done[]) when threat intelligence last read its observables
    // (-1: never; the worker's intel matching writes it): a transaction is asked again only
    // when it completed something, not on every packet of a long body.
    std::int64_t intel_seen = -1;

    // Rule buffer `index` of the protocol's list (ProtocolSpec::buffers); `item` selects the
    // n-th of a multi-buffer (dns.query with several questions). nullopt when absent.
    virtual std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const {
        (void)index;
        (void)item;
        return std::nullopt;
    }
    // The same for rules inspecting a packet of `dir`: buffers that exist on both sides of a
    // transaction (ssh.software, http.header) serve that side. Default: `buffer`.
    virtual std::optional<ByteSpan> buffer_for(Direction dir, std::size_t index,
                                               std::size_t item) const {
        (void)dir;
        return buffer(index, item);
    }
    // A number of the transaction for keywords that compare values (tls.version, dns.opcode,
    // filesize...): by keyword name; nullopt when the transaction has no such value.
    virtual std::optional<std::int64_t> number(std::string_view key) const {
        (void)key;
        return std::nullopt;
    }
    // The `item`-th value of a keyword with several (dns.rrtype: one per question or answer;
    // filesize: one per file), for Suricata's multi-integer matching; nullopt past the last.
    // Default: the one value of number().
    virtual std::optional<std::int64_t> number_at(std::string_view key, std::size_t item) const {
        return item == 0 ? number(key) : std::nullopt;
    }

    // What the transaction tells the asset inventory about the devices at its two ends (a
    // Modbus device identification, a CIP ListIdentity, an S7 module id). Default: nothing.
    virtual void describe_devices(DeviceFacts& out) const { (void)out; }

    // Every observable the transaction has shown so far (called as it progresses; a value may
    // be reported again). Default: none.
    virtual void observables(ObservableSink& out) const { (void)out; }

    bool complete() const { return done[0] && done[1]; }
};

// Facts for the asset inventory (src/assets), filled by Transaction::describe_devices. Identity
// keys are shared across protocols so one device seen over two protocols merges: "vendor",
// "vendor_id", "product", "product_code", "model", "serial", "firmware", "revision", "name",
// "device_type", "object_id" (BACnet device instance), "location".
struct DeviceFacts {
    using Fields = std::vector<std::pair<std::string_view, std::string>>;
    Fields server;  // the flow's responder (PLC, outstation, BACnet device answering)
    Fields client;  // the flow's initiator (an I-Am sent by the initiating side)
    // The client programmed or controlled the server (download/upload of logic or firmware, PLC
    // start/stop, mode change): the client is an engineering workstation, the server a PLC.
    bool engineering = false;
    // The client wrote values or sent commands (setpoints, CROB, C_* types): operator/HMI.
    bool control = false;
};

// A rule keyword a protocol evaluates on its own transactions (modbus, dnp3_func, cip_service,
// iec104.typeid): the protocol compiles the value once when a rule loads, so detection needs no
// knowledge of the protocol's messages. Registered through ProtocolSpec::keywords; detection
// inspects only transactions of the keyword's protocol with it, but implementations still check
// the transaction's type (dynamic_cast) and answer false for any other.
class TxTest {
  public:
    virtual ~TxTest() = default;
    // `dir`: the direction of the packet on which detection inspects the transaction.
    virtual bool matches(const Transaction& tx, Direction dir) const = 0;
};

struct ProtocolKeyword {
    std::string_view name;
    enum class Value : std::uint8_t { none, required, optional } value = Value::required;
    // The compiled test, or nullptr with `error` saying why the value is wrong.
    std::unique_ptr<const TxTest> (*compile)(std::string_view value, std::string& error) = nullptr;
};

using Transactions = std::deque<std::unique_ptr<Transaction>>;

// Handed to a parser for each call: where its transactions go, the limits, the clock.
class ParseContext {
  public:
    ParseContext(Transactions& txs, std::uint64_t& next_id, std::vector<std::string_view>& events,
                 const AppLimits& limits, std::uint64_t packet, Timestamp now)
        : txs_(txs),
          next_id_(next_id),
          flow_events_(events),
          limits_(limits),
          packet_(packet),
          now_(now) {}

    // Appends a new transaction (its id assigned) and marks it changed in `dir`.
    template <typename T>
    T& add(std::unique_ptr<T> tx, Direction dir) {
        T& ref = *tx;
        ref.id = next_id_++;
        touch(ref, dir);
        txs_.push_back(std::move(tx));
        return ref;
    }
    // The parser changed `tx` with data of `dir`: detection inspects it on this packet.
    void touch(Transaction& tx, Direction dir) {
        if (tx.updated != packet_) tx.updated_dir = {};
        tx.updated = packet_;
        tx.updated_dir[dir_index(dir)] = true;
        ++tx.progress[dir_index(dir)];
    }
    // An app-layer event (Suricata's name, a static string) on `tx`, or on the flow.
    void event(std::string_view name, Transaction* tx = nullptr) {
        auto& list = tx != nullptr ? tx->events : flow_events_;
        if (list.size() < kMaxEvents) list.push_back(name);
    }
    Transactions& transactions() { return txs_; }
    const AppLimits& limits() const { return limits_; }
    Timestamp now() const { return now_; }

    // The parser's protocol ends here (an HTTP CONNECT answered 2xx): the flow's later bytes
    // are probed for a new protocol, which gets a parser of its own, while the transactions so
    // far are finished and logged as they are. `unparsed` are bytes of `dir` the parser took
    // but did not parse (what followed the response in the chunk, bytes it held): they are
    // probed first. Call once per direction that has such bytes (at least once); the parser
    // parses nothing more after it. At most AppLimits::probe_bytes per direction are kept.
    void change_protocol(Direction dir, ByteSpan unparsed) {
        changed_ = true;
        std::vector<std::uint8_t>& kept = unparsed_[dir_index(dir)];
        const std::size_t room = limits_.probe_bytes - std::min(limits_.probe_bytes, kept.size());
        kept.insert(
            kept.end(), unparsed.begin(),
            unparsed.begin() + static_cast<std::ptrdiff_t>(std::min(room, unparsed.size())));
    }
    // With change_protocol: the server port the new protocol is reached on (a CONNECT's
    // host:port), which decides which protocols count as on their port while probing.
    void change_protocol_port(std::uint16_t port) { changed_port_ = port; }
    bool protocol_changed() const { return changed_; }
    std::uint16_t changed_port() const { return changed_port_; }
    std::vector<std::uint8_t>& unparsed(Direction dir) { return unparsed_[dir_index(dir)]; }

    static constexpr std::size_t kMaxEvents = 64;

  private:
    Transactions& txs_;
    std::uint64_t& next_id_;
    std::vector<std::string_view>& flow_events_;
    const AppLimits& limits_;
    std::uint64_t packet_;
    Timestamp now_;
    bool changed_ = false;
    std::uint16_t changed_port_ = 0;
    std::array<std::vector<std::uint8_t>, 2> unparsed_{};
};

// One flow's parser. TCP: each direction's reassembled bytes in order; UDP: one datagram per
// call. A parser bounds what it buffers by AppLimits and never reads past `data`.
class Parser {
  public:
    virtual ~Parser() = default;
    virtual void parse(Direction dir, ByteSpan data, ParseContext& ctx) = 0;
    // `length` bytes of `dir` were lost (TCP only). Default: nothing more can be parsed there.
    virtual void gap(Direction dir, std::uint64_t length, ParseContext& ctx) {
        (void)length;
        (void)ctx;
        gapped_[dir_index(dir)] = true;
    }
    // The direction ended (FIN/RST). Default: nothing.
    virtual void close(Direction dir, ParseContext& ctx) {
        (void)dir;
        (void)ctx;
    }
    // The flow ends: whatever is pending becomes loggable.
    virtual void finish(ParseContext& ctx) { (void)ctx; }

  protected:
    bool gapped(Direction dir) const { return gapped_[dir_index(dir)]; }

  private:
    std::array<bool, 2> gapped_{};
};

// How an EVE record of a transaction begins: its event type and the direction its addresses
// follow (a file sent by the server has the server as src_ip).
struct RecordHead {
    std::string_view event_type;
    Direction dir = Direction::to_server;
};

struct ProtocolSpec {
    std::string_view name;  // flow app_proto, rule header protocol, EVE event type
    bool tcp = false;
    bool udp = false;
    // Carried directly in Ethernet frames of this type (IEC 61850 GOOSE: 0x88b8), not over IP:
    // frames go to the app layer's publisher table (AppLayer::on_frame), one parser per
    // publisher, each frame parsed as one to_server datagram. 0: an IP protocol.
    std::uint16_t ethertype = 0;
    std::span<const std::uint16_t> ports{};  // ports where `probe` may rely on position alone
    // `on_port`: the flow's server port is one of `ports`.
    Probe (*probe)(ByteSpan data, Direction dir, bool on_port) = nullptr;
    std::unique_ptr<Parser> (*make_parser)(const AppLimits& limits) = nullptr;
    // The rule buffers (as detect/buffers.h names them) Transaction::buffer serves, in order.
    std::span<const std::string_view> buffers{};
    // EVE: the head and body (the members after the common header) of record `n` of `tx`.
    RecordHead (*record_head)(const Transaction& tx, std::size_t n) = nullptr;
    void (*write_record)(const Transaction& tx, std::size_t n, output::JsonWriter& out) = nullptr;
    // Event names in anomaly records: Suricata writes those of its C parsers (HTTP, TLS) in
    // upper case ("MISSING_HOST_HEADER"), those of its Rust parsers (DNS, SSH) as rules do.
    bool upper_case_event_records = false;
    // The protocol's object in an alert on `tx` ("http": {...}); null: none.
    void (*write_alert)(const Transaction& tx, output::JsonWriter& out) = nullptr;
    // Rule keywords the protocol evaluates itself (TxTest); detection registers them all.
    std::span<const ProtocolKeyword> keywords{};
    // Asset inventory roles of the flow's two ends ("modbus client", "modbus server"); "" none.
    std::string_view client_role{};
    std::string_view server_role{};

    // Position of `buffer` in `buffers`, or -1.
    int buffer_index(std::string_view buffer) const {
        for (std::size_t i = 0; i < buffers.size(); ++i)
            if (buffers[i] == buffer) return static_cast<int>(i);
        return -1;
    }
};

}  // namespace tocsin::applayer
