#include "intel/set.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "intel/normalize.h"
#include "intel/tlp.h"

namespace tocsin::intel {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Strings of the whole set in 1 MiB blocks that never move, so views into them stay valid.
class StringArena {
  public:
    std::string_view store(std::string_view s) {
        if (s.empty()) return {};
        if (s.size() > kBlock / 8) {  // a large string gets a block of its own
            auto block = std::make_unique_for_overwrite<char[]>(s.size());
            std::memcpy(block.get(), s.data(), s.size());
            const std::string_view stored(block.get(), s.size());
            blocks_.push_back(std::move(block));
            return stored;
        }
        if (used_ + s.size() > kBlock) {
            blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlock));
            current_ = blocks_.back().get();
            used_ = 0;
        }
        char* at = current_ + used_;
        std::memcpy(at, s.data(), s.size());
        used_ += s.size();
        return {at, s.size()};
    }

  private:
    static constexpr std::size_t kBlock = std::size_t{1} << 20;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* current_ = nullptr;
    std::size_t used_ = kBlock;
};

// Which end of the flow an address or port posting applies to.
enum class Side : std::uint8_t { any, client, server };

struct Posting {
    std::uint32_t indicator = 0;
    Side side = Side::any;
};

struct Range {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
};

// 128-bit keys for IPv6, compared as numbers (high half first).
struct U128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    auto operator<=>(const U128&) const = default;
};

template <typename K>
struct KeyTraits;

template <>
struct KeyTraits<std::uint32_t> {
    static std::uint32_t from(const IpAddress& a) {
        return std::uint32_t{a.bytes[0]} << 24 | std::uint32_t{a.bytes[1]} << 16 |
               std::uint32_t{a.bytes[2]} << 8 | a.bytes[3];
    }
    static std::uint32_t last(std::uint32_t start, unsigned length) {
        return length >= 32 ? start : start | (~std::uint32_t{0} >> length);
    }
    static constexpr std::uint32_t max() { return ~std::uint32_t{0}; }
    static std::uint32_t next(std::uint32_t k) { return k + 1; }
};

template <>
struct KeyTraits<U128> {
    static U128 from(const IpAddress& a) {
        U128 k;
        for (int i = 0; i < 8; ++i) k.hi = k.hi << 8 | a.bytes[static_cast<std::size_t>(i)];
        for (int i = 8; i < 16; ++i) k.lo = k.lo << 8 | a.bytes[static_cast<std::size_t>(i)];
        return k;
    }
    static U128 last(U128 start, unsigned length) {
        constexpr std::uint64_t ones = ~std::uint64_t{0};
        if (length >= 128) return start;
        if (length >= 64) return {start.hi, start.lo | (ones >> (length - 64))};
        return {start.hi | (ones >> length), ones};
    }
    static constexpr U128 max() { return {~std::uint64_t{0}, ~std::uint64_t{0}}; }
    static U128 next(U128 k) {
        return k.lo == ~std::uint64_t{0} ? U128{k.hi + 1, 0} : U128{k.hi, k.lo + 1};
    }
};

// Every network of one family, for "which networks hold this address" in one binary search.
template <typename K>
class PrefixTable {
  public:
    struct Entry {
        K start{};
        std::uint8_t length = 0;
        Posting posting;
    };

    bool empty() const { return nodes_.empty(); }

    void build(std::vector<Entry>& entries) {
        using T = KeyTraits<K>;
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            if (a.start != b.start) return a.start < b.start;
            if (a.length != b.length) return a.length < b.length;
            return a.posting.indicator < b.posting.indicator;
        });
        // One node per distinct network, in (start, length) order: outer networks first.
        for (const Entry& e : entries) {
            if (nodes_.empty() || nodes_.back().start != e.start ||
                nodes_.back().length != e.length) {
                Node node;
                node.start = e.start;
                node.last = T::last(e.start, e.length);
                node.length = e.length;
                node.postings.first = static_cast<std::uint32_t>(postings_.size());
                nodes_.push_back(node);
            }
            postings_.push_back(e.posting);
            ++nodes_.back().postings.count;
        }
        // Sweep: a stack of the networks enclosing the current position.
        starts_.push_back(K{});
        segments_.push_back(kNone);
        std::vector<std::uint32_t> open;
        auto close_top = [&] {
            const std::uint32_t top = open.back();
            open.pop_back();
            if (nodes_[top].last != T::max())
                mark(T::next(nodes_[top].last), open.empty() ? kNone : open.back());
        };
        for (std::uint32_t n = 0; n < nodes_.size(); ++n) {
            while (!open.empty() && nodes_[open.back()].last < nodes_[n].start) close_top();
            nodes_[n].parent = open.empty() ? kNone : open.back();
            mark(nodes_[n].start, n);
            open.push_back(n);
        }
        while (!open.empty()) close_top();
        entries.clear();
        entries.shrink_to_fit();
    }

    // Calls f(posting) for every network holding the address, innermost first.
    template <typename F>
    void visit(const IpAddress& address, F&& f) const {
        const K key = KeyTraits<K>::from(address);
        const auto it = std::upper_bound(starts_.begin(), starts_.end(), key);
        if (it == starts_.begin()) return;
        std::uint32_t n = segments_[static_cast<std::size_t>(it - starts_.begin() - 1)];
        while (n != kNone) {
            const Node& node = nodes_[n];
            for (std::uint32_t i = 0; i < node.postings.count; ++i)
                f(postings_[node.postings.first + i]);
            n = node.parent;
        }
    }

  private:
    struct Node {
        K start{};
        K last{};
        std::uint32_t parent = kNone;
        Range postings;
        std::uint8_t length = 0;
    };

    // From `at` on (until the next mark) the innermost network is `node`.
    void mark(K at, std::uint32_t node) {
        if (starts_.back() == at) {
            segments_.back() = node;
        } else if (segments_.back() != node) {
            starts_.push_back(at);
            segments_.push_back(node);
        }
    }

    std::vector<K> starts_;
    std::vector<std::uint32_t> segments_;
    std::vector<Node> nodes_;
    std::vector<Posting> postings_;
};

// Canonical value -> indicators.
//
// Nearly every lookup misses (traffic is mostly benign), and with a million indicators a miss
// in the hash map costs a walk through cold buckets and nodes. A bitset of 16 bits per value,
// one bit set per value's hash, answers about 94% of misses from a table small enough to stay
// in cache (512 KiB for 250,000 domains); only the rest reach the map.
template <typename Key>
class ValueIndex {
  public:
    struct Entry {
        Key key{};
        std::uint32_t indicator = 0;
    };

    bool empty() const { return map_.empty(); }

    void build(std::vector<Entry>& entries) {
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return a.key != b.key ? a.key < b.key : a.indicator < b.indicator;
        });
        map_.reserve(entries.size());
        postings_.reserve(entries.size());
        for (std::size_t i = 0; i < entries.size();) {
            std::size_t j = i;
            Range range{static_cast<std::uint32_t>(postings_.size()), 0};
            for (; j < entries.size() && entries[j].key == entries[i].key; ++j) {
                postings_.push_back(entries[j].indicator);
                ++range.count;
            }
            map_.emplace(entries[i].key, range);
            i = j;
        }
        entries.clear();
        entries.shrink_to_fit();
        build_filter();
    }

    template <typename F>
    void visit(const Key& key, F&& f) const {
        if (!maybe_present(key)) return;
        const auto it = map_.find(key);
        if (it == map_.end()) return;
        for (std::uint32_t i = 0; i < it->second.count; ++i) f(postings_[it->second.first + i]);
    }

  private:
    static constexpr std::size_t kFilterBitsPerValue = 16;

    // The filter's bit for `key`: the top bits of the key's hash, mixed (std::hash of an
    // integer is the integer itself) by a Fibonacci multiply.
    std::size_t filter_bit(const Key& key) const {
        const std::uint64_t mixed =
            static_cast<std::uint64_t>(std::hash<Key>{}(key)) * 0x9E3779B97F4A7C15ULL;
        return static_cast<std::size_t>(mixed >> filter_shift_);
    }

    void build_filter() {
        std::size_t bits = 64;
        while (bits < map_.size() * kFilterBitsPerValue) bits *= 2;
        filter_.assign(bits / 64, 0);
        filter_shift_ = 64 - static_cast<unsigned>(std::countr_zero(bits));
        for (const auto& [key, range] : map_) {
            const std::size_t bit = filter_bit(key);
            filter_[bit / 64] |= std::uint64_t{1} << (bit % 64);
        }
    }

    bool maybe_present(const Key& key) const {
        if (filter_.empty()) return false;
        const std::size_t bit = filter_bit(key);
        return (filter_[bit / 64] >> (bit % 64) & 1) != 0;
    }

    std::unordered_map<Key, Range> map_;
    std::vector<std::uint32_t> postings_;
    std::vector<std::uint64_t> filter_;  // empty until built: nothing is present
    unsigned filter_shift_ = 64;
};

using TextIndex = ValueIndex<std::string_view>;
using PortIndex = ValueIndex<std::uint32_t>;  // side << 16 | port

std::uint32_t port_key(Side side, std::uint16_t port) {
    return static_cast<std::uint32_t>(side) << 16 | port;
}

struct Record {
    std::string_view id;
    std::string_view name;
    std::string_view pattern;
    std::string_view types;  // joined by '\n'
    std::int64_t valid_from_us = 0;
    std::int64_t valid_until_us = 0;
    std::int64_t modified_us = 0;
    std::uint32_t source = 0;
    std::uint32_t compound = kNone;  // index of its CompiledPattern, when a hit needs evaluating
    Tlp tlp = Tlp::none;
    Category category = Category::mixed;
    bool gone = false;  // revoked, or its latest version is unsupported: the id is not live
    bool dead = false;  // replaced by a newer record of the same id
};

constexpr std::size_t kObservableKinds = static_cast<std::size_t>(ObservableKind::x509_sha1) + 1;

// What an indicator became for the matcher, before build() renumbers the live ones.
struct PendingIndexes {
    std::vector<PrefixTable<std::uint32_t>::Entry> v4;
    std::vector<PrefixTable<U128>::Entry> v6;
    std::array<std::vector<TextIndex::Entry>, kObservableKinds> text;
    std::vector<PortIndex::Entry> ports;
    std::vector<std::uint32_t> scan;
};

// Frees the set's lazily made IndicatorInfo objects.
class InfoSlots {
  public:
    explicit InfoSlots(std::size_t n)
        : slots_(std::make_unique<std::atomic<const IndicatorInfo*>[]>(n)), size_(n) {}
    ~InfoSlots() {
        for (std::size_t i = 0; i < size_; ++i)
            std::unique_ptr<const IndicatorInfo>(slots_[i].load(std::memory_order_relaxed));
    }
    InfoSlots(const InfoSlots&) = delete;
    InfoSlots& operator=(const InfoSlots&) = delete;

    // The slot's object, made by `make` the first time (several threads may race; one wins).
    template <typename Make>
    const IndicatorInfo& get(std::size_t i, Make&& make) const {
        const IndicatorInfo* existing = slots_[i].load(std::memory_order_acquire);
        if (existing != nullptr) return *existing;
        std::unique_ptr<const IndicatorInfo> fresh = make();
        if (slots_[i].compare_exchange_strong(existing, fresh.get(), std::memory_order_acq_rel))
            return *fresh.release();
        return *existing;
    }

  private:
    std::unique_ptr<std::atomic<const IndicatorInfo*>[]> slots_;
    std::size_t size_;
};

class IndexedIntelSet final : public IntelSet {
  public:
    IndexedIntelSet(StringArena arena, std::vector<std::string> sources,
                    std::vector<Record> records, std::vector<CompiledPattern> compounds,
                    PendingIndexes& pending, bool ignore_validity)
        : arena_(std::move(arena)),
          sources_(std::move(sources)),
          records_(std::move(records)),
          compounds_(std::move(compounds)),
          infos_(records_.size()),
          ignore_validity_(ignore_validity) {
        v4_.build(pending.v4);
        v6_.build(pending.v6);
        for (std::size_t k = 0; k < kObservableKinds; ++k) text_[k].build(pending.text[k]);
        ports_.build(pending.ports);
        scan_ = std::move(pending.scan);
    }

    void match(const Observation& o, Hits& hits) const override {
        const std::size_t first = hits.size();
        if (o.kind == ObservableKind::none) {
            match_flow(o, hits, first);
            return;
        }
        const auto kind = static_cast<std::size_t>(o.kind);
        if (kind >= kObservableKinds || text_[kind].empty()) return;
        const TextIndex& index = text_[kind];
        std::array<char, 512> small;  // written before it is read
        switch (o.kind) {
            case ObservableKind::domain: {
                const std::string_view name = normalize_domain_into(o.value, small);
                // The name itself, then each parent: "a.b.example.com", "b.example.com", ...
                for (std::string_view suffix = name; !suffix.empty();) {
                    index.visit(suffix,
                                [&](std::uint32_t i) { consider(i, o, name, hits, first); });
                    const std::size_t dot = suffix.find('.');
                    suffix =
                        dot == std::string_view::npos ? std::string_view{} : suffix.substr(dot + 1);
                }
                return;
            }
            case ObservableKind::url: {
                std::array<char, 4096> buffer;  // written before it is read
                const std::size_t size = normalize_url_into(o.value, buffer);
                if (size <= buffer.size()) {
                    const std::string_view url(buffer.data(), size);
                    index.visit(url, [&](std::uint32_t i) { consider(i, o, url, hits, first); });
                } else {  // a URL longer than 4 KiB: rare enough to allocate for
                    std::string large(size, '\0');
                    normalize_url_into(o.value, large);
                    index.visit(large,
                                [&](std::uint32_t i) { consider(i, o, large, hits, first); });
                }
                return;
            }
            default: {
                const std::string_view value = lower_into(o.value, small);
                index.visit(value, [&](std::uint32_t i) { consider(i, o, value, hits, first); });
                return;
            }
        }
    }

    const IndicatorInfo& indicator(std::uint32_t index) const override {
        return infos_.get(index, [&] { return make_info(records_[index]); });
    }

    std::size_t size() const override { return records_.size(); }

    bool wants(ObservableKind kind) const override {
        const auto k = static_cast<std::size_t>(kind);
        return kind != ObservableKind::none && k < kObservableKinds && !text_[k].empty();
    }

    bool wants_flows() const override {
        return !v4_.empty() || !v6_.empty() || !ports_.empty() || !scan_.empty();
    }

  private:
    void match_flow(const Observation& o, Hits& hits, std::size_t first) const {
        const auto address = [&](const IpAddress& a, Side side) {
            const auto on_posting = [&](const Posting& p) {
                if (p.side == Side::any || p.side == side)
                    consider(p.indicator, o, {}, hits, first);
            };
            if (a.family == 4) v4_.visit(a, on_posting);
            if (a.family == 6) v6_.visit(a, on_posting);
        };
        address(o.client, Side::client);
        address(o.server, Side::server);
        if (!ports_.empty()) {
            const auto on_port = [&](std::uint32_t i) { consider(i, o, {}, hits, first); };
            ports_.visit(port_key(Side::client, o.client_port), on_port);
            ports_.visit(port_key(Side::server, o.server_port), on_port);
        }
        for (std::uint32_t i : scan_) consider(i, o, {}, hits, first);
    }

    // Records `index` as a hit unless it is outside its validity, already hit by this call, or
    // (a compound pattern) not satisfied by the observation as a whole.
    void consider(std::uint32_t index, const Observation& o, std::string_view value, Hits& hits,
                  std::size_t first) const {
        const Record& r = records_[index];
        if (!ignore_validity_) {
            const std::int64_t t = o.time.micros();
            if ((r.valid_from_us != 0 && t < r.valid_from_us) ||
                (r.valid_until_us != 0 && t >= r.valid_until_us))
                return;
        }
        if (std::find(hits.begin() + static_cast<std::ptrdiff_t>(first), hits.end(), index) !=
            hits.end())
            return;
        if (r.compound != kNone && !evaluate(compounds_[r.compound], o, value)) return;
        hits.push_back(index);
    }

    std::unique_ptr<const IndicatorInfo> make_info(const Record& r) const {
        auto info = std::make_unique<IndicatorInfo>();
        info->id = std::string(r.id);
        info->name = std::string(r.name);
        info->source = sources_[r.source];
        info->pattern = std::string(r.pattern);
        for (std::string_view rest = r.types; !rest.empty();) {
            const std::size_t nl = rest.find('\n');
            info->types.emplace_back(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
        info->tlp = r.tlp;
        info->valid_from_us = r.valid_from_us;
        info->valid_until_us = r.valid_until_us;
        return info;
    }

    StringArena arena_;
    std::vector<std::string> sources_;
    std::vector<Record> records_;
    std::vector<CompiledPattern> compounds_;
    InfoSlots infos_;
    bool ignore_validity_;
    PrefixTable<std::uint32_t> v4_;
    PrefixTable<U128> v6_;
    std::array<TextIndex, kObservableKinds> text_;
    PortIndex ports_;
    std::vector<std::uint32_t> scan_;
};

Side side_of(Field field) {
    switch (field) {
        case Field::server_address:
        case Field::server_port:
            return Side::server;
        case Field::client_address:
        case Field::client_port:
            return Side::client;
        default:
            return Side::any;
    }
}

}  // namespace

struct IntelSetBuilder::State {
    SetOptions options;
    StringArena arena;
    std::vector<std::string> sources;
    std::vector<Record> records;
    std::vector<CompiledPattern> compounds;
    std::unordered_map<std::string_view, std::uint32_t> ids;  // id -> its latest record
    PendingIndexes pending;
    std::size_t live = 0;

    // An id that is not live, remembered so that older versions loaded later stay out.
    void add_tombstone(std::string_view id, std::int64_t modified_us) {
        Record tombstone;
        tombstone.id = arena.store(id);
        tombstone.modified_us = modified_us;
        tombstone.gone = true;
        records.push_back(tombstone);
        ids.emplace(tombstone.id, static_cast<std::uint32_t>(records.size() - 1));
    }

    // Files the compiled pattern's anchors under record `index`.
    void index(std::uint32_t index, CompiledPattern& compiled) {
        if (compiled.scan) {
            pending.scan.push_back(index);
            return;
        }
        for (std::uint32_t a : compiled.anchors) {
            const Atom& atom = compiled.atoms[a];
            const Side side = side_of(atom.field);
            for (const IpPrefix& p : atom.prefixes) {
                if (p.network.family == 4)
                    pending.v4.push_back({KeyTraits<std::uint32_t>::from(p.network), p.length,
                                          Posting{index, side}});
                else
                    pending.v6.push_back(
                        {KeyTraits<U128>::from(p.network), p.length, Posting{index, side}});
            }
            for (const PortRange& r : atom.ports)  // anchors hold single ports only
                pending.ports.push_back({port_key(side, r.low), index});
            const ObservableKind kind = observable_of(atom.field);
            if (kind != ObservableKind::none)
                for (const std::string& t : atom.texts)
                    pending.text[static_cast<std::size_t>(kind)].push_back({arena.store(t), index});
        }
    }
};

IntelSetBuilder::IntelSetBuilder(SetOptions options) : state_(std::make_unique<State>()) {
    state_->options = options;
}

IntelSetBuilder::~IntelSetBuilder() = default;

std::uint32_t IntelSetBuilder::add_source(std::string_view name) {
    state_->sources.emplace_back(name);
    return static_cast<std::uint32_t>(state_->sources.size() - 1);
}

std::size_t IntelSetBuilder::live() const {
    return state_->live;
}

void IntelSetBuilder::raise_tlp(std::string_view id, Tlp tlp) {
    const auto it = state_->ids.find(id);
    if (it == state_->ids.end()) return;
    Record& r = state_->records[it->second];
    r.tlp = most_restrictive(r.tlp, tlp);
}

AddResult IntelSetBuilder::add(const IndicatorDraft& d) {
    State& s = *state_;
    AddResult result;
    const auto it = s.ids.find(d.id);
    Record* latest = it == s.ids.end() ? nullptr : &s.records[it->second];
    if (latest != nullptr) {
        // Equal times keep the version loaded first, unless the new one revokes it.
        const bool newer = d.modified_us > latest->modified_us ||
                           (d.modified_us == latest->modified_us && d.revoked && !latest->gone);
        if (!newer) {
            result.outcome = AddOutcome::stale;
            return result;
        }
    }
    const bool was_live = latest != nullptr && !latest->gone;
    if (d.revoked) {
        result.outcome = AddOutcome::revoked;
        if (latest != nullptr) {
            if (was_live) {
                result.loser_source = latest->source;
                --s.live;
            }
            latest->gone = true;
            latest->modified_us = d.modified_us;
        } else {  // remember the revocation against older versions still to come
            s.add_tombstone(d.id, d.modified_us);
        }
        return result;
    }
    if (!was_live && s.live >= s.options.max_indicators) {
        result.outcome = AddOutcome::dropped;
        return result;
    }
    CompileOutcome compiled = compile_pattern_text(d.pattern, s.options.limits);
    if (!compiled.compiled) {
        result.outcome = AddOutcome::unsupported;
        result.reason = std::move(compiled.unsupported);
        // The latest version is what counts: older ones go, whether loaded before or after.
        if (latest != nullptr) {
            if (was_live) {
                result.loser_source = latest->source;
                --s.live;
            }
            latest->gone = true;
            latest->modified_us = d.modified_us;
        } else {
            s.add_tombstone(d.id, d.modified_us);
        }
        return result;
    }
    Record r;
    r.id = latest != nullptr ? latest->id : s.arena.store(d.id);
    r.name = s.arena.store(d.name);
    r.pattern = s.arena.store(d.pattern);
    std::string types;
    for (const std::string& t : d.types) {
        if (!types.empty()) types += '\n';
        types += t;
    }
    r.types = s.arena.store(types);
    r.valid_from_us = d.valid_from_us;
    r.valid_until_us = d.valid_until_us;
    r.modified_us = d.modified_us;
    r.source = d.source;
    r.tlp = d.tlp;
    r.category = compiled.compiled->category;
    const auto index = static_cast<std::uint32_t>(s.records.size());
    s.index(index, *compiled.compiled);
    if (!compiled.compiled->direct) {
        r.compound = static_cast<std::uint32_t>(s.compounds.size());
        s.compounds.push_back(std::move(*compiled.compiled));
    }
    s.records.push_back(r);
    if (latest == nullptr) {
        s.ids.emplace(r.id, index);
        ++s.live;
        result.outcome = AddOutcome::added;
        return result;
    }
    // `latest` may have moved with the push_back: look it up again.
    Record& older = s.records[it->second];
    older.dead = true;
    if (was_live) {
        result.outcome = AddOutcome::replaced;
        result.loser_source = older.source;
    } else {
        ++s.live;
        result.outcome = AddOutcome::added;
    }
    it->second = index;
    return result;
}

std::shared_ptr<const IntelSet> IntelSetBuilder::build(std::vector<CategoryCounts>* loaded) {
    State& s = *state_;
    if (loaded != nullptr) loaded->assign(s.sources.size(), CategoryCounts{});
    // Keep live records in load order, renumbered; compounds follow their records.
    std::vector<std::uint32_t> renumber(s.records.size(), kNone);
    std::vector<CompiledPattern> compounds;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < s.records.size(); ++i) {
        Record& r = s.records[i];
        if (r.gone || r.dead) continue;
        renumber[i] = static_cast<std::uint32_t>(kept);
        if (r.compound != kNone) {
            compounds.push_back(std::move(s.compounds[r.compound]));
            r.compound = static_cast<std::uint32_t>(compounds.size() - 1);
        }
        if (loaded != nullptr) ++(*loaded)[r.source][static_cast<std::size_t>(r.category)];
        s.records[kept++] = r;
    }
    s.records.resize(kept);
    s.records.shrink_to_fit();
    s.compounds.clear();
    s.ids.clear();
    const auto remap = [&](auto& entries, auto&& indicator_of) {
        std::size_t out = 0;
        for (auto& e : entries) {
            std::uint32_t& ind = indicator_of(e);
            if (renumber[ind] == kNone) continue;
            ind = renumber[ind];
            entries[out++] = e;
        }
        entries.resize(out);
    };
    remap(s.pending.v4, [](auto& e) -> std::uint32_t& { return e.posting.indicator; });
    remap(s.pending.v6, [](auto& e) -> std::uint32_t& { return e.posting.indicator; });
    for (auto& t : s.pending.text) remap(t, [](auto& e) -> std::uint32_t& { return e.indicator; });
    remap(s.pending.ports, [](auto& e) -> std::uint32_t& { return e.indicator; });
    remap(s.pending.scan, [](std::uint32_t& e) -> std::uint32_t& { return e; });
    auto set = std::make_shared<IndexedIntelSet>(std::move(s.arena), std::move(s.sources),
                                                 std::move(s.records), std::move(compounds),
                                                 s.pending, s.options.ignore_validity);
    state_ = std::make_unique<State>();
    return set;
}

}  // namespace tocsin::intel
