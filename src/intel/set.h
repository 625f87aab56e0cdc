// Building the immutable IntelSet: indicators arrive one at a time from the loaders; the
// builder keeps, per indicator id, the version with the latest `modified` (a revoked one
// removes the id), compiles each pattern once, and at the end builds the match indexes:
//   - addresses: per family, a sorted table of the network boundaries of every CIDR, each
//     segment pointing to the innermost network covering it; networks point to the next one
//     enclosing them, so one binary search finds every indicator whose network holds an address
//     (overlapping /8, /16, /32 ... all fire, not only the longest);
//   - domains: a hash map of canonical names, looked up for the name and each parent;
//   - URLs, hashes, JA3/JA3S/JA4, certificate fingerprints: hash maps of canonical values;
//   - ports: a hash map of (side, port); patterns anchored on port ranges or protocols only are
//     evaluated on every flow (few feeds have them).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "intel/compile.h"
#include "intel/intel.h"

namespace tocsin::intel {

struct IndicatorDraft {
    std::string_view id;
    std::string_view name;
    std::string_view pattern;
    std::span<const std::string> types;
    std::uint32_t source = 0;  // from IntelSetBuilder::add_source
    Tlp tlp = Tlp::none;
    std::int64_t valid_from_us = 0;  // 0: no bound
    std::int64_t valid_until_us = 0;
    std::int64_t modified_us = 0;  // versions of one id: the latest wins
    bool revoked = false;
};

enum class AddOutcome : std::uint8_t {
    added,        // a new id
    replaced,     // a newer version of an id already loaded (`loser_source` held the older)
    stale,        // an equal or newer version is already loaded: this one is ignored
    revoked,      // the id is revoked (and removed if it was loaded)
    dropped,      // max_indicators reached
    unsupported,  // the pattern is not evaluable (`reason`)
};

struct AddResult {
    AddOutcome outcome = AddOutcome::added;
    std::string reason;
    std::uint32_t loser_source = std::numeric_limits<std::uint32_t>::max();
};

struct SetOptions {
    bool ignore_validity = false;  // intel.validity: ignore
    std::size_t max_indicators = 10'000'000;
    PatternLimits limits;
};

// Per source, how many of the indicators that made it into the set are of each category.
using CategoryCounts = std::array<std::size_t, kCategories>;

class IntelSetBuilder {
  public:
    explicit IntelSetBuilder(SetOptions options = {});
    ~IntelSetBuilder();
    IntelSetBuilder(const IntelSetBuilder&) = delete;
    IntelSetBuilder& operator=(const IntelSetBuilder&) = delete;

    // Names a file or collection once; indicators refer to it by the returned number.
    std::uint32_t add_source(std::string_view name);
    AddResult add(const IndicatorDraft& draft);
    // Raises the marking of a loaded indicator (markings defined after their use in a bundle).
    void raise_tlp(std::string_view id, Tlp tlp);
    std::size_t live() const;  // indicators the set would hold now

    // The set; `loaded` receives, per source, the categories of its indicators in the set.
    std::shared_ptr<const IntelSet> build(std::vector<CategoryCounts>* loaded = nullptr);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace tocsin::intel
