// Counts heap allocations in the test binary (operator new is replaced in alloc_counter.cpp),
// so a test can prove a path allocates nothing.
#pragma once

#include <cstddef>

namespace tocsin::intel::test {
std::size_t allocation_count();
}  // namespace tocsin::intel::test
