#include "detect/threshold.h"
#include "detect/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <limits>

namespace tocsin::detect {
namespace {

// ---- text helpers ------------------------------------------------------------------------

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Joins the pieces of a message. (Also keeps GCC 12 from a false -Wrestrict alarm that
// `"literal" + std::string` raises.)
std::string cat(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const auto part : parts) out.append(part);
    return out;
}

// Splits off the first whitespace-delimited word; `rest` is what follows, trimmed.
std::string_view first_word(std::string_view text, std::string_view& rest) {
    text = trim(text);
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    rest = trim(text.substr(end));
    return text.substr(0, end);
}

// Calls fn(line_number, line) for each line, 1-based, without its '\r\n' or '\n'.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    std::size_t number = 0;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        fn(++number, line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

std::string at_line(std::size_t number, std::string_view why) {
    return cat({"line ", std::to_string(number), ": ", why});
}

// ---- "name value, name value" option lists -----------------------------------------------

struct Option {
    std::string_view name;
    std::string_view value;
    bool used = false;
};

// The options of a threshold keyword or threshold.config line. Values are taken by name, so
// order does not matter; whatever is never taken is an unknown option.
class Options {
  public:
    // Splits at commas outside brackets: an `ip [a, b]` list holds commas of its own.
    std::string split(std::string_view text) {
        if (trim(text).empty()) return {};  // so that the first required option is reported
        int depth = 0;
        std::size_t from = 0;
        for (std::size_t i = 0; i <= text.size(); ++i) {
            const char c = i < text.size() ? text[i] : ',';
            if (c == '[') ++depth;
            if (c == ']' && depth > 0) --depth;
            if (c != ',' || (depth > 0 && i < text.size())) continue;
            if (auto error = add(text.substr(from, i - from)); !error.empty()) return error;
            from = i + 1;
        }
        return {};
    }

    std::optional<std::string_view> take(std::string_view name) {
        for (auto& option : items_) {
            if (option.name != name) continue;
            option.used = true;
            return option.value;
        }
        return std::nullopt;
    }

    bool has(std::string_view name) const {
        return std::any_of(items_.begin(), items_.end(),
                           [&](const Option& o) { return o.name == name; });
    }

    // "" when every option was taken, else the complaint about the first that was not.
    std::string leftover() const {
        for (const auto& option : items_) {
            if (!option.used) return cat({"unknown option ", quoted(option.name)});
        }
        return {};
    }

  private:
    std::string add(std::string_view item) {
        item = trim(item);
        if (item.empty()) return "empty option (stray ',')";
        Option option;
        option.name = first_word(item, option.value);
        if (option.value.empty()) return cat({quoted(option.name), " needs a value"});
        if (has(option.name)) return cat({quoted(option.name), " given twice"});
        items_.push_back(option);
        return {};
    }

    std::vector<Option> items_;
};

// ---- values ------------------------------------------------------------------------------

// A decimal number; zero only when allowed. Signs, fractions and overflow are refused.
std::string parse_number(std::string_view name, std::string_view text, bool allow_zero,
                         std::uint32_t& out) {
    if (!text.empty() && text.front() == '-') return cat({quoted(name), " must not be negative"});
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc{} && value > std::numeric_limits<std::uint32_t>::max()))
        return cat({quoted(name), " is out of range: ", text});
    if (ec != std::errc{} || end != text.data() + text.size())
        return cat({quoted(name), " must be a number, not ", quoted(text)});
    if (value == 0 && !allow_zero) return cat({quoted(name), " must be at least 1"});
    out = static_cast<std::uint32_t>(value);
    return {};
}

template <typename Enum>
struct Word {
    std::string_view text;
    Enum value;
};

constexpr std::array<Word<ThresholdType>, 4> kTypes{{{"limit", ThresholdType::limit},
                                                     {"threshold", ThresholdType::threshold},
                                                     {"both", ThresholdType::both},
                                                     {"backoff", ThresholdType::backoff}}};
constexpr std::array<Word<TrackBy>, 5> kTracks{{{"by_src", TrackBy::by_src},
                                                {"by_dst", TrackBy::by_dst},
                                                {"by_rule", TrackBy::by_rule},
                                                {"by_both", TrackBy::by_both},
                                                {"by_flow", TrackBy::by_flow}}};
constexpr std::array<Word<UniqueOn>, 2> kUniqueOn{
    {{"src_port", UniqueOn::src_port}, {"dst_port", UniqueOn::dst_port}}};
constexpr std::array<Word<SuppressTrack>, 3> kSuppressTracks{
    {{"by_src", SuppressTrack::by_src},
     {"by_dst", SuppressTrack::by_dst},
     {"by_either", SuppressTrack::by_either}}};
constexpr std::array<Word<RateAction>, 6> kActions{{{"alert", RateAction::alert},
                                                    {"drop", RateAction::drop},
                                                    {"pass", RateAction::pass},
                                                    {"reject", RateAction::reject},
                                                    {"sdrop", RateAction::sdrop},
                                                    {"log", RateAction::log}}};

template <typename Enum, std::size_t N>
std::string parse_word(std::string_view name, std::string_view text,
                       const std::array<Word<Enum>, N>& words, Enum& out) {
    for (const auto& word : words) {
        if (word.text != text) continue;
        out = word.value;
        return {};
    }
    std::string expected;
    for (const auto& word : words) expected.append(expected.empty() ? "" : "|").append(word.text);
    return cat({"unknown ", name, " ", quoted(text), " (expected ", expected, ")"});
}

template <typename Enum, std::size_t N>
std::string_view word_of(Enum value, const std::array<Word<Enum>, N>& words) {
    for (const auto& word : words) {
        if (word.value == value) return word.text;
    }
    return "?";
}

// A required option's value, or the complaint that it is missing.
std::string require(Options& options, std::string_view name, std::string_view& value) {
    const auto found = options.take(name);
    if (!found) return cat({"missing ", quoted(name)});
    value = *found;
    return {};
}

std::string require_number(Options& options, std::string_view name, bool allow_zero,
                           std::uint32_t& out) {
    std::string_view text;
    if (auto error = require(options, name, text); !error.empty()) return error;
    return parse_number(name, text, allow_zero, out);
}

template <typename Enum, std::size_t N>
std::string require_word(Options& options, std::string_view name,
                         const std::array<Word<Enum>, N>& words, Enum& out) {
    std::string_view text;
    if (auto error = require(options, name, text); !error.empty()) return error;
    return parse_word(name, text, words, out);
}

// `seconds` for windowed types; `multiplier` (and by_flow) for backoff, which has no window.
std::string read_period(Options& options, ThresholdSpec& spec) {
    if (spec.type != ThresholdType::backoff) {
        if (options.has("multiplier")) return "'multiplier' is for type backoff only";
        return require_number(options, "seconds", false, spec.seconds);
    }
    if (options.has("seconds")) return "type backoff takes 'multiplier', not 'seconds'";
    if (spec.track != TrackBy::by_flow) return "type backoff needs track by_flow";
    return require_number(options, "multiplier", false, spec.multiplier);
}

// The options the threshold keyword shares with threshold.config's threshold lines.
std::string read_threshold(Options& options, ThresholdSpec& spec) {
    if (auto e = require_word(options, "type", kTypes, spec.type); !e.empty()) return e;
    if (auto e = require_word(options, "track", kTracks, spec.track); !e.empty()) return e;
    if (auto e = require_number(options, "count", false, spec.count); !e.empty()) return e;
    return read_period(options, spec);
}

std::string read_detection_filter(Options& options, ThresholdSpec& spec) {
    spec.type = ThresholdType::detection_filter;
    if (auto e = require_word(options, "track", kTracks, spec.track); !e.empty()) return e;
    if (auto e = require_number(options, "count", false, spec.count); !e.empty()) return e;
    if (auto e = require_number(options, "seconds", false, spec.seconds); !e.empty()) return e;
    const auto unique = options.take("unique_on");
    if (!unique) return {};
    if (auto e = parse_word("unique_on", *unique, kUniqueOn, spec.unique_on); !e.empty()) return e;
    // Only 65536 distinct ports exist: a larger count could never be exceeded.
    if (spec.count > std::numeric_limits<std::uint16_t>::max())
        return "'count' with unique_on must be below 65536";
    return {};
}

using OptionReader = std::string (*)(Options&, ThresholdSpec&);

std::string parse_keyword(std::string_view value, OptionReader read, ThresholdSpec& out) {
    Options options;
    if (auto e = options.split(value); !e.empty()) return e;
    ThresholdSpec spec;
    if (auto e = read(options, spec); !e.empty()) return e;
    if (auto e = options.leftover(); !e.empty()) return e;
    out = spec;
    return {};
}

}  // namespace

// ---- rule keywords -----------------------------------------------------------------------

std::string parse_threshold(std::string_view value, ThresholdSpec& out) {
    return parse_keyword(value, read_threshold, out);
}

std::string parse_detection_filter(std::string_view value, ThresholdSpec& out) {
    return parse_keyword(value, read_detection_filter, out);
}

std::string_view to_string(ThresholdType type) {
    return type == ThresholdType::detection_filter ? "detection_filter" : word_of(type, kTypes);
}

std::string_view to_string(TrackBy track) {
    return word_of(track, kTracks);
}

std::string_view to_string(RateAction action) {
    return word_of(action, kActions);
}

// ---- classification.config ---------------------------------------------------------------

bool Classifications::NameLess::operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return lower(x) < lower(y); });
}

bool Classifications::add(Classification entry) {
    if (by_name_.find(entry.name) != by_name_.end()) return false;
    by_name_.emplace(entry.name, entries_.size());
    entries_.push_back(std::move(entry));
    return true;
}

const Classification* Classifications::find(std::string_view name) const {
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &entries_[it->second];
}

namespace {

// "config classification:" with any spacing; `rest` is what follows the colon.
bool classification_prefix(std::string_view line, std::string_view& rest) {
    std::string_view after;
    if (first_word(line, after) != "config") return false;
    constexpr std::string_view kWord = "classification";
    if (after.substr(0, kWord.size()) != kWord) return false;
    after = trim(after.substr(kWord.size()));
    if (after.empty() || after.front() != ':') return false;
    rest = trim(after.substr(1));
    return true;
}

// `shortname,short description,priority`; the description may itself hold commas.
std::string parse_classification(std::string_view line, Classification& out) {
    std::string_view rest;
    if (!classification_prefix(line, rest)) return "expected 'config classification: ...'";
    const std::size_t first = rest.find(',');
    const std::size_t last = rest.rfind(',');
    if (first == std::string_view::npos || first == last)
        return "expected 'shortname,short description,priority'";
    const std::string_view name = trim(rest.substr(0, first));
    const std::string_view description = trim(rest.substr(first + 1, last - first - 1));
    if (name.empty()) return "empty classification name";
    if (std::any_of(name.begin(), name.end(), is_space))
        return cat({"classification name ", quoted(name), " contains spaces"});
    if (description.empty()) return cat({"empty description for ", quoted(name)});
    std::uint32_t priority = 0;
    if (auto e = parse_number("priority", trim(rest.substr(last + 1)), false, priority); !e.empty())
        return e;
    if (priority > 255) return "'priority' must be 1..255";
    out = {std::string(name), std::string(description), static_cast<int>(priority)};
    return {};
}

bool blank_or_comment(std::string_view line) {
    line = trim(line);
    return line.empty() || line.front() == '#';
}

}  // namespace

Classifications Classifications::parse(std::string_view text, std::vector<std::string>& errors) {
    Classifications result;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        if (blank_or_comment(line)) return;
        Classification entry;
        if (auto e = parse_classification(line, entry); !e.empty()) {
            errors.push_back(at_line(number, e));
        } else if (const std::string name = entry.name; !result.add(std::move(entry))) {
            errors.push_back(at_line(number, cat({"classification ", quoted(name), " redefined"})));
        }
    });
    return result;
}

const Classifications& Classifications::builtin() {
    // Snort's and Suricata's standard classtypes: name, description, priority.
    struct Row {
        std::string_view name;
        std::string_view description;
        int priority;
    };
    static constexpr Row kRows[] = {
        {"not-suspicious", "Not Suspicious Traffic", 3},
        {"unknown", "Unknown Traffic", 3},
        {"bad-unknown", "Potentially Bad Traffic", 2},
        {"attempted-recon", "Attempted Information Leak", 2},
        {"successful-recon-limited", "Information Leak", 2},
        {"successful-recon-largescale", "Large Scale Information Leak", 2},
        {"attempted-dos", "Attempted Denial of Service", 2},
        {"successful-dos", "Denial of Service", 2},
        {"attempted-user", "Attempted User Privilege Gain", 1},
        {"unsuccessful-user", "Unsuccessful User Privilege Gain", 1},
        {"successful-user", "Successful User Privilege Gain", 1},
        {"attempted-admin", "Attempted Administrator Privilege Gain", 1},
        {"successful-admin", "Successful Administrator Privilege Gain", 1},
        {"rpc-portmap-decode", "Decode of an RPC Query", 2},
        {"shellcode-detect", "Executable code was detected", 1},
        {"string-detect", "A suspicious string was detected", 3},
        {"suspicious-filename-detect", "A suspicious filename was detected", 2},
        {"suspicious-login", "An attempted login using a suspicious username was detected", 2},
        {"system-call-detect", "A system call was detected", 2},
        {"tcp-connection", "A TCP connection was detected", 4},
        {"trojan-activity", "A Network Trojan was detected", 1},
        {"unusual-client-port-connection", "A client was using an unusual port", 2},
        {"network-scan", "Detection of a Network Scan", 3},
        {"denial-of-service", "Detection of a Denial of Service Attack", 2},
        {"non-standard-protocol", "Detection of a non-standard protocol or event", 2},
        {"protocol-command-decode", "Generic Protocol Command Decode", 3},
        {"web-application-activity", "access to a potentially vulnerable web application", 2},
        {"web-application-attack", "Web Application Attack", 1},
        {"misc-activity", "Misc activity", 3},
        {"misc-attack", "Misc Attack", 2},
        {"icmp-event", "Generic ICMP event", 3},
        {"inappropriate-content", "Inappropriate Content was Detected", 1},
        {"policy-violation", "Potential Corporate Privacy Violation", 1},
        {"default-login-attempt", "Attempt to login by a default username and password", 2},
        {"targeted-activity", "Targeted Malicious Activity was Detected", 1},
        {"exploit-kit", "Exploit Kit Activity Detected", 1},
        {"external-ip-check", "Device Retrieving External IP Address Detected", 2},
        {"domain-c2", "Domain Observed Used for C2 Detected", 1},
        {"pup-activity", "Possibly Unwanted Program Detected", 2},
        {"credential-theft", "Successful Credential Theft Detected", 1},
        {"social-engineering", "Possible Social Engineering Attempted", 2},
        {"coin-mining", "Crypto Currency Mining Activity Detected", 2},
        {"command-and-control", "Malware Command and Control Activity Detected", 1},
    };
    static const Classifications table = [] {
        Classifications c;
        for (const auto& row : kRows)
            c.add({std::string(row.name), std::string(row.description), row.priority});
        return c;
    }();
    return table;
}

// ---- threshold.config --------------------------------------------------------------------

namespace {

std::string read_ids(Options& options, std::uint32_t& gid, std::uint32_t& sid) {
    if (auto e = require_number(options, "gen_id", true, gid); !e.empty()) return e;
    return require_number(options, "sig_id", true, sid);
}

// `track` and `ip` go together: a bare suppress drops every alert of the rule.
std::string read_suppress(Options& options, const NetVariables& vars, SuppressEntry& out) {
    if (auto e = read_ids(options, out.gid, out.sid); !e.empty()) return e;
    const auto track = options.take("track");
    const auto ip = options.take("ip");
    if (!track && !ip) return options.leftover();
    if (!track) return "'ip' needs 'track by_src|by_dst|by_either'";
    if (!ip) return "'track' needs 'ip'";
    if (auto e = parse_word("track", *track, kSuppressTracks, out.track); !e.empty()) return e;
    auto parsed = AddressSet::parse(*ip, vars);
    if (!parsed.set) return cat({"ip ", quoted(*ip), ": ", parsed.error});
    out.addresses = std::move(*parsed.set);
    return options.leftover();
}

std::string read_rate_filter(Options& options, RateFilterEntry& out) {
    if (auto e = read_ids(options, out.gid, out.sid); !e.empty()) return e;
    if (auto e = require_word(options, "track", kTracks, out.track); !e.empty()) return e;
    if (auto e = require_number(options, "count", false, out.count); !e.empty()) return e;
    if (auto e = require_number(options, "seconds", false, out.seconds); !e.empty()) return e;
    if (auto e = require_word(options, "new_action", kActions, out.new_action); !e.empty())
        return e;
    if (auto e = require_number(options, "timeout", false, out.timeout); !e.empty()) return e;
    return options.leftover();
}

std::string read_config_threshold(Options& options, ThresholdEntry& out) {
    if (auto e = read_ids(options, out.gid, out.sid); !e.empty()) return e;
    if (auto e = read_threshold(options, out.spec); !e.empty()) return e;
    return options.leftover();
}

// Keeps the first entry for a gen_id/sig_id: a second one is reported rather than silently
// replacing it or being applied on top.
template <typename Map, typename Entry>
std::string add_unique(Map& map, const Entry& entry, std::string_view what) {
    const auto [it, added] = map.emplace(std::pair{entry.gid, entry.sid}, entry);
    if (added) return {};
    return cat({"second ", what, " for ", std::to_string(entry.gid), ":", std::to_string(entry.sid),
                " (first on line ", std::to_string(it->second.line), ")"});
}

// The entries that may apply to rule gid:sid, most specific first: gen_id 0 and sig_id 0
// stand for any value. Duplicates (a rule id holding a 0 itself) are harmless to callers.
std::array<std::pair<std::uint32_t, std::uint32_t>, 4> candidates(std::uint32_t gid,
                                                                  std::uint32_t sid) {
    return {{{gid, sid}, {0, sid}, {gid, 0}, {0, 0}}};
}

bool has_address(const IpAddress& a) {
    return a.family == 4 || a.family == 6;
}

bool suppress_matches(const SuppressEntry& entry, const IpAddress& src, const IpAddress& dst) {
    const auto in = [&](const IpAddress& a) {
        return has_address(a) && entry.addresses.contains(a);
    };
    switch (entry.track) {
        case SuppressTrack::all:
            return true;
        case SuppressTrack::by_src:
            return in(src);
        case SuppressTrack::by_dst:
            return in(dst);
        case SuppressTrack::by_either:
            return in(src) || in(dst);
    }
    return false;
}

// Calls fn(line_number, logical_line) with '\'-continued lines joined; the number is where the
// logical line starts. Comments and blank lines between logical lines are skipped.
template <typename Fn>
void for_each_logical_line(std::string_view text, Fn&& fn) {
    std::string pending;
    std::size_t start = 0;
    bool continuing = false;
    for_each_line(text, [&](std::size_t number, std::string_view line) {
        if (!continuing && blank_or_comment(line)) return;
        if (!continuing) start = number;
        line = trim(line);
        continuing = !line.empty() && line.back() == '\\';
        if (continuing) line.remove_suffix(1);
        pending.append(line);
        pending.push_back(' ');
        if (continuing) return;
        fn(start, std::string_view(pending));
        pending.clear();
    });
    if (continuing) fn(start, std::string_view(pending));  // a '\' on the last line
}

}  // namespace

std::string ThresholdConfig::add_line(std::string_view line, std::size_t number,
                                      const NetVariables& vars) {
    std::string_view rest;
    const std::string_view directive = first_word(line, rest);
    Options options;
    if (auto e = options.split(rest); !e.empty()) return e;
    if (directive == "suppress") {
        SuppressEntry entry;
        entry.line = number;
        if (auto e = read_suppress(options, vars, entry); !e.empty()) return e;
        suppress_index_.emplace(Id{entry.gid, entry.sid}, suppressions_.size());
        suppressions_.push_back(std::move(entry));
        return {};
    }
    if (directive == "threshold" || directive == "event_filter") {
        ThresholdEntry entry;
        entry.line = number;
        if (auto e = read_config_threshold(options, entry); !e.empty()) return e;
        return add_unique(thresholds_, entry, "threshold");
    }
    if (directive == "rate_filter") {
        RateFilterEntry entry;
        entry.line = number;
        if (auto e = read_rate_filter(options, entry); !e.empty()) return e;
        return add_unique(rate_filters_, entry, "rate_filter");
    }
    return cat({"unknown directive ", quoted(directive),
                " (expected suppress, threshold, event_filter or rate_filter)"});
}

ThresholdConfig ThresholdConfig::parse(std::string_view text, const NetVariables& vars,
                                       std::vector<std::string>& errors) {
    ThresholdConfig config;
    for_each_logical_line(text, [&](std::size_t number, std::string_view line) {
        if (auto e = config.add_line(line, number, vars); !e.empty())
            errors.push_back(at_line(number, e));
    });
    return config;
}

const ThresholdEntry* ThresholdConfig::threshold_for(std::uint32_t gid, std::uint32_t sid,
                                                     bool rule_has_own) const {
    for (const auto& id : candidates(gid, sid)) {
        if (const auto it = thresholds_.find(id); it != thresholds_.end()) return &it->second;
        // Suricata lets wildcards add thresholds but not replace a rule's own.
        if (rule_has_own) return nullptr;
    }
    return nullptr;
}

const RateFilterEntry* ThresholdConfig::rate_filter_for(std::uint32_t gid,
                                                        std::uint32_t sid) const {
    for (const auto& id : candidates(gid, sid)) {
        if (const auto it = rate_filters_.find(id); it != rate_filters_.end()) return &it->second;
    }
    return nullptr;
}

bool ThresholdConfig::suppressed(std::uint32_t gid, std::uint32_t sid, const IpAddress& src,
                                 const IpAddress& dst) const {
    for (const auto& id : candidates(gid, sid)) {
        const auto [first, last] = suppress_index_.equal_range(id);
        for (auto it = first; it != last; ++it) {
            if (suppress_matches(suppressions_[it->second], src, dst)) return true;
        }
    }
    return false;
}

bool suppressed(const ThresholdConfig& config, std::uint32_t gid, std::uint32_t sid,
                const IpAddress& src, const IpAddress& dst) {
    return config.suppressed(gid, sid, src, dst);
}

// ---- runtime -----------------------------------------------------------------------------

namespace {

// Whether `now` falls before start + seconds. Saturates instead of overflowing, so a corrupt
// capture clock cannot cause undefined behaviour; a clock that steps back stays in the window.
bool within(Timestamp start, std::uint32_t seconds, Timestamp now) {
    if (start.sec > std::numeric_limits<std::int64_t>::max() - seconds) return true;
    return now < Timestamp{start.sec + seconds, start.usec};
}

std::uint64_t saturating_multiply(std::uint64_t a, std::uint64_t b) {
    if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b)
        return std::numeric_limits<std::uint64_t>::max();
    return a * b;
}

void mix(std::size_t& hash, std::uint64_t value) {
    // 64-bit FNV-1a step per value: cheap, and good enough for a table that is rarely touched.
    hash = (hash ^ static_cast<std::size_t>(value)) * 1099511628211ULL;
}

}  // namespace

std::size_t ThresholdTracker::KeyHash::operator()(const Key& key) const {
    std::size_t hash = 14695981039346656037ULL;
    mix(hash, (std::uint64_t{key.gid} << 32) | key.sid);
    mix(hash, (std::uint64_t{key.kind} << 8) | static_cast<std::uint8_t>(key.track));
    for (const IpAddress* address : {&key.a, &key.b}) {
        mix(hash, address->family);
        for (const std::uint8_t byte : address->bytes) mix(hash, byte);
    }
    mix(hash, key.flow);
    return hash;
}

ThresholdTracker::ThresholdTracker(std::size_t max_entries)
    : max_entries_(std::max<std::size_t>(max_entries, 1)) {}

ThresholdTracker::Key ThresholdTracker::make_key(std::uint8_t kind, TrackBy track,
                                                 std::uint32_t gid, std::uint32_t sid,
                                                 const ThresholdMatch& match) {
    Key key;
    key.gid = gid;
    key.sid = sid;
    key.kind = kind;
    key.track = track;
    switch (track) {
        case TrackBy::by_src:
            key.a = match.src;
            break;
        case TrackBy::by_dst:
            key.a = match.dst;
            break;
        case TrackBy::by_both:
            // Suricata tracks a pair the same in both directions: order the two addresses.
            key.a = std::min(match.src, match.dst);
            key.b = std::max(match.src, match.dst);
            break;
        case TrackBy::by_flow:
            key.flow = match.flow_id;
            break;
        case TrackBy::by_rule:
            break;
    }
    return key;
}

ThresholdTracker::State& ThresholdTracker::touch(const Key& key, bool& fresh) {
    if (const auto it = states_.find(key); it != states_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        fresh = false;
        return it->second;
    }
    if (states_.size() >= max_entries_) {
        states_.erase(lru_.back());
        lru_.pop_back();
        ++evicted_;
    }
    lru_.push_front(key);
    State& state = states_[key];
    state.lru = lru_.begin();
    fresh = true;
    return state;
}

namespace {

template <typename State>
void open_window(State& state, Timestamp now) {
    state.start = now;
    state.count = 0;
    state.ports.clear();
}

// unique_on: the window's distinct ports exceed the count. Growth stops once they do, so a
// key never holds more than count + 1 ports.
template <typename State>
bool exceeds_distinct(const ThresholdSpec& spec, State& state, std::uint16_t port) {
    auto& ports = state.ports;
    if (ports.size() <= spec.count) {
        const auto at = std::lower_bound(ports.begin(), ports.end(), port);
        if (at == ports.end() || *at != port) ports.insert(at, port);
    }
    return ports.size() > spec.count;
}

// backoff: alert on match number count, count*multiplier, count*multiplier^2, ...
template <typename State>
bool backoff_step(const ThresholdSpec& spec, State& state, bool fresh) {
    if (fresh) state.next_alert = spec.count;
    ++state.count;
    if (state.count != state.next_alert) return false;
    state.next_alert = saturating_multiply(state.next_alert, spec.multiplier);
    return true;
}

}  // namespace

bool ThresholdTracker::decide(const ThresholdSpec& spec, State& state, const ThresholdMatch& match,
                              bool fresh) {
    if (spec.type == ThresholdType::backoff) return backoff_step(spec, state, fresh);
    if (fresh || !within(state.start, spec.seconds, match.ts)) open_window(state, match.ts);
    if (spec.type == ThresholdType::detection_filter && spec.unique_on != UniqueOn::none) {
        const bool source = spec.unique_on == UniqueOn::src_port;
        return exceeds_distinct(spec, state, source ? match.src_port : match.dst_port);
    }
    ++state.count;
    switch (spec.type) {
        case ThresholdType::limit:
            return state.count <= spec.count;
        case ThresholdType::threshold:
            if (state.count < spec.count) return false;
            state.count = 0;  // every Cth match: start counting to the next one
            return true;
        case ThresholdType::both:
            return state.count == spec.count;
        case ThresholdType::detection_filter:
            return state.count > spec.count;
        case ThresholdType::backoff:
            break;
    }
    return false;
}

bool ThresholdTracker::should_alert(const ThresholdSpec& spec, std::uint32_t gid, std::uint32_t sid,
                                    const ThresholdMatch& match) {
    const Key key = make_key(static_cast<std::uint8_t>(spec.type), spec.track, gid, sid, match);
    const std::lock_guard lock(mutex_);
    bool fresh = false;
    State& state = touch(key, fresh);
    return decide(spec, state, match, fresh);
}

bool ThresholdTracker::should_alert(const ThresholdSpec& spec, std::uint32_t gid, std::uint32_t sid,
                                    const IpAddress& src, const IpAddress& dst,
                                    std::uint64_t flow_id, Timestamp now) {
    ThresholdMatch match;
    match.src = src;
    match.dst = dst;
    match.flow_id = flow_id;
    match.ts = now;
    return should_alert(spec, gid, sid, match);
}

std::optional<RateAction> ThresholdTracker::rate_action(const RateFilterEntry& filter,
                                                        std::uint32_t gid, std::uint32_t sid,
                                                        const ThresholdMatch& match) {
    const Key key = make_key(kRateKind, filter.track, gid, sid, match);
    const std::lock_guard lock(mutex_);
    bool fresh = false;
    State& state = touch(key, fresh);
    if (!fresh && state.active) {
        if (within(state.start, filter.timeout, match.ts)) return filter.new_action;
        state.active = false;  // timed out: the rate has to be reached again
        fresh = true;
    }
    if (fresh || !within(state.start, filter.seconds, match.ts)) open_window(state, match.ts);
    if (++state.count < filter.count) return std::nullopt;
    state.active = true;
    state.start = match.ts;  // the timeout runs from the match that reached the rate
    return filter.new_action;
}

std::size_t ThresholdTracker::size() const {
    const std::lock_guard lock(mutex_);
    return states_.size();
}

std::uint64_t ThresholdTracker::evicted() const {
    const std::lock_guard lock(mutex_);
    return evicted_;
}

}  // namespace tocsin::detect
