// Helpers for the intel tests: sets built from literal patterns, observations, temp folders.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "intel/intel.h"
#include "intel/set.h"
#include "pipeline/harness.h"

namespace tocsin::intel::test {

struct Ind {
    std::string id;
    std::string pattern;
    std::int64_t valid_from_us = 0;
    std::int64_t valid_until_us = 0;
    std::int64_t modified_us = 0;
    bool revoked = false;
};

inline std::shared_ptr<const IntelSet> make_set(const std::vector<Ind>& indicators,
                                                SetOptions options = {}) {
    IntelSetBuilder builder(options);
    const std::uint32_t source = builder.add_source("test");
    for (const Ind& i : indicators) {
        IndicatorDraft d;
        d.id = i.id;
        d.name = i.id;
        d.pattern = i.pattern;
        d.source = source;
        d.valid_from_us = i.valid_from_us;
        d.valid_until_us = i.valid_until_us;
        d.modified_us = i.modified_us;
        d.revoked = i.revoked;
        const AddResult r = builder.add(d);
        EXPECT_NE(r.outcome, AddOutcome::unsupported) << i.pattern << ": " << r.reason;
    }
    return builder.build();
}

inline IpAddress ip(std::string_view text) {
    const auto a = IpAddress::parse(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(IpAddress{});
}

inline Observation flow(std::string_view client, std::string_view server,
                        std::uint16_t client_port = 40000, std::uint16_t server_port = 80,
                        std::uint8_t ip_proto = 6, std::string_view app = {}) {
    Observation o;
    o.client = ip(client);
    o.server = ip(server);
    o.client_port = client_port;
    o.server_port = server_port;
    o.ip_proto = ip_proto;
    o.app_proto = app;
    o.time = Timestamp{1700000000, 0};
    return o;
}

inline Observation observe(ObservableKind kind, std::string_view value,
                           Observation base = flow("192.0.2.10", "198.51.100.20")) {
    base.kind = kind;
    base.value = value;
    return base;
}

// The ids that fire, sorted.
inline std::vector<std::string> fired(const IntelSet& set, const Observation& o) {
    Hits hits;
    set.match(o, hits);
    std::vector<std::string> ids;
    for (std::uint32_t h : hits) ids.push_back(set.indicator(h).id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

using Ids = std::vector<std::string>;

// The pipeline tests' temporary folder, plus writing a file into it (sub-folders created).
class TempDir : public tocsin::testing::TempDir {
  public:
    std::string write(const std::string& name, const std::string& text) const {
        const auto file = path() / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file.string();
    }
};

}  // namespace tocsin::intel::test
