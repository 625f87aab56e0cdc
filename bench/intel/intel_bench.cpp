// tocsin-intel-bench FILE|DIR... [--observations N]: loads threat intelligence as `tocsin run`
// does and reports load time, peak RSS (getrusage ru_maxrss) and match throughput for flow
// observations (random IPv4 and IPv6 pairs: nearly all misses) and for domain, URL and hash
// observations (90% misses, 10% hits on loaded indicators).
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "intel/load.h"

namespace {

using Clock = std::chrono::steady_clock;
using tocsin::intel::ObservableKind;
using tocsin::intel::Observation;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

// The compared value of a generated pattern "[<prefix>... = '<value>']".
std::string value_of(const std::string& pattern, std::string_view prefix) {
    if (pattern.rfind(prefix, 0) != 0) return {};
    const std::size_t open = pattern.find(" = '");
    const std::size_t close = pattern.find('\'', open + 4);
    return open == std::string::npos || close == std::string::npos
               ? std::string()
               : pattern.substr(open + 4, close - open - 4);
}

void report(const char* what, std::size_t n, double secs, std::size_t hits) {
    fmt::print("match {:<8} {:>10.0f} observations/s ({} in {:.3f} s, {} hits)\n", what, n / secs,
               n, secs, hits);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> paths;
    std::size_t n = 2'000'000;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--observations" && i + 1 < argc)
            n = std::strtoull(argv[++i], nullptr, 10);
        else
            paths.push_back(arg);
    }
    if (paths.empty()) {
        fmt::print(stderr, "usage: tocsin-intel-bench FILE|DIR... [--observations N]\n");
        return 2;
    }
    const long rss_before = peak_rss_mib();
    const auto load_start = Clock::now();
    const tocsin::intel::LoadResult loaded = tocsin::intel::load_intel(paths);
    const double load_secs = seconds_since(load_start);
    const auto& set = *loaded.set;
    fmt::print(
        "loaded {} indicators in {:.2f} s; peak RSS {} MiB (before loading {} MiB); "
        "{} unsupported, {} errors\n",
        set.size(), load_secs, peak_rss_mib(), rss_before, loaded.report.unsupported_total,
        loaded.report.errors_total);

    // Observations, prepared before timing.
    std::mt19937_64 rng(7);
    std::vector<Observation> flows(n);
    for (Observation& o : flows) {
        const bool v6 = rng() % 20 == 0;
        for (tocsin::IpAddress* a : {&o.client, &o.server}) {
            a->family = v6 ? 6 : 4;
            if (v6) {
                a->bytes = {0x20, 0x01, 0x0d, 0xb8};
                for (std::size_t b = 4; b < 16; ++b) a->bytes[b] = static_cast<std::uint8_t>(rng());
            } else {
                for (std::size_t b = 0; b < 4; ++b) a->bytes[b] = static_cast<std::uint8_t>(rng());
            }
        }
        o.client_port = static_cast<std::uint16_t>(rng());
        o.server_port = 443;
        o.ip_proto = 6;
        o.time = tocsin::Timestamp{1710000000, 0};
    }
    std::vector<std::string> domains, urls, hashes;
    for (std::uint32_t i = 0; i < set.size() && domains.size() < 20000; i += 7) {
        const std::string& p = set.indicator(i).pattern;
        if (auto d = value_of(p, "[domain-name"); !d.empty()) domains.push_back("www." + d);
        if (auto u = value_of(p, "[url"); !u.empty()) urls.push_back(u);
        if (auto h = value_of(p, "[file:hashes.'SHA-256'"); !h.empty()) hashes.push_back(h);
    }
    auto mixed = [&](const std::vector<std::string>& hits, auto make_miss) {
        std::vector<std::string> values(n / 4);
        for (std::string& v : values)
            v = !hits.empty() && rng() % 10 == 0 ? hits[rng() % hits.size()] : make_miss();
        return values;
    };
    auto letters = [&](std::size_t k) {
        std::string w;
        for (std::size_t i = 0; i < k; ++i) w += static_cast<char>('a' + rng() % 26);
        return w;
    };
    const auto domain_values =
        mixed(domains, [&] { return fmt::format("www.{}.{}.com", letters(6), letters(8)); });
    const auto url_values = mixed(urls, [&] {
        return fmt::format("http://{}.com/{}/index.php?id=1", letters(9), letters(5));
    });
    const auto hash_values = mixed(hashes, [&] {
        std::string h;
        for (int i = 0; i < 64; ++i) h += "0123456789abcdef"[rng() % 16];
        return h;
    });

    tocsin::intel::Hits hits;
    hits.reserve(64);
    std::size_t fired = 0;
    auto start = Clock::now();
    for (const Observation& o : flows) {
        hits.clear();
        set.match(o, hits);
        fired += hits.size();
    }
    report("flow", flows.size(), seconds_since(start), fired);

    const auto run_values = [&](const char* what, ObservableKind kind,
                                const std::vector<std::string>& values) {
        Observation o = flows.front();
        o.kind = kind;
        std::size_t count = 0;
        const auto t = Clock::now();
        for (const std::string& v : values) {
            o.value = v;
            hits.clear();
            set.match(o, hits);
            count += hits.size();
        }
        report(what, values.size(), seconds_since(t), count);
    };
    run_values("domain", ObservableKind::domain, domain_values);
    run_values("url", ObservableKind::url, url_values);
    run_values("sha256", ObservableKind::sha256, hash_values);
    fmt::print("peak RSS at the end {} MiB\n", peak_rss_mib());
    return 0;
}
