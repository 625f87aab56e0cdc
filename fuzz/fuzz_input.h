// The fuzz input format shared by the fuzz target and its seed generator:
//   byte 0: link type selector (index into kFuzzLinkTypes)
//   then frames, each as a 2-byte big-endian length and that many bytes; each frame is one
//   millisecond after the previous one, and every 64th frame jumps 40 s ahead so flow,
//   fragment and stream timeouts fire.
#pragma once

#include <array>
#include <cstdint>

namespace tocsin::fuzz {

inline constexpr std::array<std::uint32_t, 6> kFuzzLinkTypes = {1, 113, 276, 101, 0, 108};

}  // namespace tocsin::fuzz
