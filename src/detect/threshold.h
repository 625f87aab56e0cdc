// Alert thresholding as Suricata does it: the rule keywords `threshold` and `detection_filter`,
// the sensor's classification.config and threshold.config, and the runtime that counts matches.
//
// Time is always the packet's (Timestamp), never the wall clock, so replaying a capture gives
// the same alerts every time.
//
// Windows are fixed, not sliding: a tracked key's window opens at the first match it sees and
// covers [start, start + seconds); the first match at or after its end opens the next window
// with a fresh count. Within a window, with C = count and n = the match's number in it:
//   limit            alert while n <= C                       (at most C alerts per window)
//   threshold        alert when n reaches C, then n restarts   (every Cth match; window kept)
//   both             alert when n == C                        (once per window, after C)
//   backoff          no window; alert on match C, C*M, C*M^2, ...      (M = multiplier)
//   detection_filter alert while n > C                        (every match after the Cth)
//   detection_filter with unique_on: n counts distinct ports instead of matches; once they
//                    exceed C every match in the window alerts.
//
// threshold.config entries with gen_id 0 or sig_id 0 are wildcards (0 matches any value). A
// wildcard threshold applies only to rules without their own threshold or detection_filter;
// an exact gen_id/sig_id entry replaces the rule's own, as Suricata documents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/address.h"
#include "core/timestamp.h"
#include "detect/net_expression.h"

namespace tocsin::detect {

// ---- rule keywords ----------------------------------------------------------------------

enum class ThresholdType : std::uint8_t { limit, threshold, both, backoff, detection_filter };
enum class TrackBy : std::uint8_t { by_src, by_dst, by_rule, by_both, by_flow };
enum class UniqueOn : std::uint8_t { none, src_port, dst_port };

struct ThresholdSpec {
    ThresholdType type = ThresholdType::limit;
    TrackBy track = TrackBy::by_src;
    std::uint32_t count = 0;              // >= 1
    std::uint32_t seconds = 0;            // >= 1; unused by backoff
    std::uint32_t multiplier = 0;         // backoff only, >= 1
    UniqueOn unique_on = UniqueOn::none;  // detection_filter only
};

// `threshold: type <limit|threshold|both|backoff>, track <by_src|by_dst|by_rule|by_both|by_flow>,
//  count <N>, seconds <T>` (backoff: `multiplier <M>` instead of seconds, track by_flow only).
// Options may come in any order. Returns "" and fills `out`, or the reason (out untouched).
std::string parse_threshold(std::string_view value, ThresholdSpec& out);

// `detection_filter: track <...>, count <N>, seconds <T>[, unique_on <src_port|dst_port>]`.
// Whether the rule's protocol has ports (unique_on needs them) is the rule builder's check.
std::string parse_detection_filter(std::string_view value, ThresholdSpec& out);

std::string_view to_string(ThresholdType type);
std::string_view to_string(TrackBy track);

// ---- classification.config ---------------------------------------------------------------

struct Classification {
    std::string name;         // "trojan-activity"
    std::string description;  // "A Network Trojan was detected" (EVE alert.category)
    int priority = 0;         // 1 (most severe) .. 255 (EVE alert.severity)
};

class Classifications {
  public:
    // Lines `config classification: shortname,short description,priority`; blank lines and
    // '#' comments are skipped. Bad lines are reported as "line N: reason" and left out; a
    // redefined name is an error and the first definition stays.
    static Classifications parse(std::string_view text, std::vector<std::string>& errors);

    // The standard Snort/Suricata classtypes, for when no classification file is configured.
    static const Classifications& builtin();

    // Names compare case-insensitively, as Suricata's do. Null when unknown.
    const Classification* find(std::string_view name) const;

    const std::vector<Classification>& all() const { return entries_; }  // in file order
    std::size_t size() const { return entries_.size(); }

  private:
    struct NameLess {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const;
    };
    // false when the name is taken (nothing added).
    bool add(Classification entry);

    std::vector<Classification> entries_;
    std::map<std::string, std::size_t, NameLess> by_name_;
};

// ---- threshold.config ----------------------------------------------------------------------

enum class SuppressTrack : std::uint8_t { all, by_src, by_dst, by_either };

struct SuppressEntry {
    std::uint32_t gid = 0;                     // 0: any
    std::uint32_t sid = 0;                     // 0: any
    SuppressTrack track = SuppressTrack::all;  // all: no ip, the alert is always dropped
    AddressSet addresses;                      // unused when track is all
    std::size_t line = 0;
};

struct ThresholdEntry {  // `threshold` and `event_filter` lines
    std::uint32_t gid = 0;
    std::uint32_t sid = 0;
    ThresholdSpec spec;
    std::size_t line = 0;
};

// Suricata parses sdrop and log but implements neither; so does Tocsin.
enum class RateAction : std::uint8_t { alert, drop, pass, reject, sdrop, log };
std::string_view to_string(RateAction action);

struct RateFilterEntry {
    std::uint32_t gid = 0;
    std::uint32_t sid = 0;
    TrackBy track = TrackBy::by_rule;
    std::uint32_t count = 0;  // matches in `seconds` that switch the action
    std::uint32_t seconds = 0;
    RateAction new_action = RateAction::alert;
    std::uint32_t timeout = 0;  // seconds the new action stays in force
    std::size_t line = 0;
};

class ThresholdConfig {
  public:
    // threshold.config text: '#' comments, blank lines, lines continued with a trailing '\'.
    //   suppress gen_id G, sig_id S[, track by_src|by_dst|by_either, ip <address expression>]
    //   threshold|event_filter gen_id G, sig_id S, type T, track K, count C, seconds N
    //   rate_filter gen_id G, sig_id S, track K, count C, seconds N, new_action A, timeout T
    // `ip` takes what a rule header takes: an address, CIDR, range, [list] or $VARIABLE.
    // Bad lines are reported as "line N: reason" and left out; the rest is kept. A second
    // threshold (or rate_filter) for the same gen_id/sig_id is an error; the first stays.
    static ThresholdConfig parse(std::string_view text, const NetVariables& vars,
                                 std::vector<std::string>& errors);

    // The threshold.config threshold for rule gid:sid, or null. `rule_has_own` says whether
    // the rule carries threshold/detection_filter itself: then only an exact entry applies.
    const ThresholdEntry* threshold_for(std::uint32_t gid, std::uint32_t sid,
                                        bool rule_has_own) const;
    const RateFilterEntry* rate_filter_for(std::uint32_t gid, std::uint32_t sid) const;
    bool suppressed(std::uint32_t gid, std::uint32_t sid, const IpAddress& src,
                    const IpAddress& dst) const;

    const std::vector<SuppressEntry>& suppressions() const { return suppressions_; }
    std::size_t threshold_count() const { return thresholds_.size(); }
    std::size_t rate_filter_count() const { return rate_filters_.size(); }

  private:
    using Id = std::pair<std::uint32_t, std::uint32_t>;  // gid, sid
    std::string add_line(std::string_view line, std::size_t number, const NetVariables& vars);

    std::vector<SuppressEntry> suppressions_;
    std::multimap<Id, std::size_t> suppress_index_;  // into suppressions_
    std::map<Id, ThresholdEntry> thresholds_;
    std::map<Id, RateFilterEntry> rate_filters_;
};

// Whether an alert of gid:sid between src and dst is suppressed by `config`.
bool suppressed(const ThresholdConfig& config, std::uint32_t gid, std::uint32_t sid,
                const IpAddress& src, const IpAddress& dst);

// ---- runtime -----------------------------------------------------------------------------

// What the tracker needs to know about one rule match.
struct ThresholdMatch {
    IpAddress src;
    IpAddress dst;
    std::uint16_t src_port = 0;  // read by unique_on only
    std::uint16_t dst_port = 0;
    std::uint64_t flow_id = 0;  // read by by_flow only
    Timestamp ts;
};

// Counts matches of thresholded rules. Thread-safe: one mutex, taken only when a rule with a
// threshold, detection_filter or rate_filter matches, which is rare next to packet work.
// Memory-bounded: at most `max_entries` tracked keys; when full, the least recently used key
// is forgotten (counted in evicted()) and starts afresh if it matches again.
class ThresholdTracker {
  public:
    static constexpr std::size_t kDefaultMaxEntries = 65536;
    explicit ThresholdTracker(std::size_t max_entries = kDefaultMaxEntries);

    // Whether this match of rule gid:sid, thresholded by `spec`, raises an alert.
    bool should_alert(const ThresholdSpec& spec, std::uint32_t gid, std::uint32_t sid,
                      const ThresholdMatch& match);
    bool should_alert(const ThresholdSpec& spec, std::uint32_t gid, std::uint32_t sid,
                      const IpAddress& src, const IpAddress& dst, std::uint64_t flow_id,
                      Timestamp now);

    // The action that replaces the rule's own for this match, or nullopt while the rate is
    // below the filter's. The count-th match within `seconds` switches to new_action, which
    // then holds for every match of the key for `timeout` seconds; afterwards counting starts
    // over. Applying the action (dropping, passing) is the caller's business.
    std::optional<RateAction> rate_action(const RateFilterEntry& filter, std::uint32_t gid,
                                          std::uint32_t sid, const ThresholdMatch& match);

    std::size_t size() const;
    std::uint64_t evicted() const;

  private:
    struct Key {
        std::uint32_t gid = 0;
        std::uint32_t sid = 0;
        std::uint8_t kind = 0;  // ThresholdType, or kRateKind: the same rule may have both
        TrackBy track = TrackBy::by_rule;
        IpAddress a;
        IpAddress b;
        std::uint64_t flow = 0;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& key) const;
    };
    struct State {
        Timestamp start;                   // of the current window (or of the rate action)
        std::uint64_t count = 0;           // matches (or distinct ports) in the window
        std::uint64_t next_alert = 0;      // backoff: the match number that alerts next
        bool active = false;               // rate_filter: new_action in force since start
        std::vector<std::uint16_t> ports;  // unique_on: sorted distinct ports in the window
        std::list<Key>::iterator lru;
    };
    static constexpr std::uint8_t kRateKind = 0xff;

    static Key make_key(std::uint8_t kind, TrackBy track, std::uint32_t gid, std::uint32_t sid,
                        const ThresholdMatch& match);
    // The key's state, created (evicting if full) when new; `fresh` says which it was.
    State& touch(const Key& key, bool& fresh);

    static bool decide(const ThresholdSpec& spec, State& state, const ThresholdMatch& match,
                       bool fresh);

    mutable std::mutex mutex_;
    std::size_t max_entries_;
    std::uint64_t evicted_ = 0;
    std::list<Key> lru_;  // most recently used first
    std::unordered_map<Key, State, KeyHash> states_;
};

}  // namespace tocsin::detect
