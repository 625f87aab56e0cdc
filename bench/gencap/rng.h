// Deterministic random numbers for the capture generator.
//
// std::mt19937_64 is specified bit for bit by the standard, but the std::*_distribution classes
// are not, so a capture made with libstdc++ would differ from one made with libc++. All draws
// here are therefore integer-only helpers on top of the raw engine output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>

namespace tocsin::gencap {

class Rng {
  public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    std::uint64_t next() { return engine_(); }

    // Uniform in [0, n). The modulo bias is below 2^-40 for the small n used here.
    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }

    // Uniform in [lo, hi], inclusive.
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }

    // True with probability parts_per_million / 1e6.
    bool chance_ppm(std::uint64_t parts_per_million) { return below(1000000) < parts_per_million; }
    bool percent(std::uint32_t pct) { return below(100) < pct; }

    // Roughly log-uniform in [lo, hi]: an octave is picked uniformly, then a value inside it, so
    // small and large sizes are both common, as with real object sizes.
    std::uint64_t log_uniform(std::uint64_t lo, std::uint64_t hi) {
        int octaves = 0;
        while ((lo << (octaves + 1)) <= hi) ++octaves;
        const std::uint64_t base = lo << below(static_cast<std::uint64_t>(octaves) + 1);
        const std::uint64_t value = base + below(base);
        return value > hi ? hi : value;
    }

    template <typename T>
    const T& pick(std::span<const T> items) {
        return items[below(items.size())];
    }

    void fill(std::span<std::uint8_t> out) {
        std::size_t i = 0;
        while (i < out.size()) {
            std::uint64_t word = next();
            for (int b = 0; b < 8 && i < out.size(); ++b, ++i, word >>= 8) {
                out[i] = static_cast<std::uint8_t>(word);
            }
        }
    }

    std::string hex(std::size_t digits) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string text(digits, '0');
        for (char& c : text) c = kDigits[below(16)];
        return text;
    }

  private:
    std::mt19937_64 engine_;
};

}  // namespace tocsin::gencap
