// Target-based overlap resolution, shared by IP defragmentation and TCP reassembly.
// When two pieces of data claim the same bytes with different content, the receiving host's
// stack decides which one it keeps; an IDS must decide the same way to see what the host saw
// (Novak & Sturges, "Target-Based Fragmentation Reassembly" / "Target-Based TCP Stream
// Reassembly"). Our policies, for the bytes a new piece shares with an older one:
//   first  (windows, vista, macos, hpux): the older data is kept
//   last:                                 the newer data is kept
//   bsd    (old-linux):                   newer wins when it starts before the older piece
//   linux:                                as bsd, and also when both start together and the
//                                         newer piece ends at or after the older one
//   solaris:                              newer wins when it starts before and ends at or
//                                         after the older piece (covers it)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin {

enum class OverlapPolicy : std::uint8_t { first, last, bsd, linux, solaris };

std::optional<OverlapPolicy> parse_overlap_policy(std::string_view name);
std::string_view overlap_policy_name(OverlapPolicy p);

// Whether the newer piece [new_start, new_end) replaces the older [old_start, old_end) on the
// bytes they share. Offsets are in any common unit (stream offset, fragment offset).
constexpr bool newer_data_wins(OverlapPolicy policy, std::uint64_t old_start, std::uint64_t old_end,
                               std::uint64_t new_start, std::uint64_t new_end) {
    switch (policy) {
        case OverlapPolicy::first:
            return false;
        case OverlapPolicy::last:
            return true;
        case OverlapPolicy::bsd:
            return new_start < old_start;
        case OverlapPolicy::linux:
            return new_start < old_start || (new_start == old_start && new_end >= old_end);
        case OverlapPolicy::solaris:
            return new_start < old_start && new_end >= old_end;
    }
    return false;
}

}  // namespace tocsin
