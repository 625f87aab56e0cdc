#include "output/eve.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tocsin::output {
namespace {

TEST(StatsEvent, DecoderEventsAreNestedByLayerAsSuricataWritesThem) {
    RunStats s;
    for (std::size_t i = 0; i < kAnomalyCount; ++i) s.decode.anomalies[i] = i + 1;
    const auto j = nlohmann::json::parse(stats_event(s, Timestamp{1700000000, 0}));
    const auto& events = j["stats"]["decoder"]["event"];
    std::size_t decode_events = 0;
    for (std::size_t i = 0; i < kAnomalyCount; ++i) {
        const auto a = static_cast<Anomaly>(i);
        if (anomaly_kind(a) != AnomalyKind::decode) continue;
        ++decode_events;
        const std::string name(anomaly_name(a));
        const auto dot = name.find('.');
        // A layer written twice would lose its first half here: every count must survive.
        EXPECT_EQ(events[name.substr(0, dot)][name.substr(dot + 1)], i + 1) << name;
    }
    std::size_t written = 0;
    for (const auto& [layer, counts] : events.items()) written += counts.size();
    EXPECT_EQ(written, decode_events);
}

TEST(FlowEvent, CarriesIpVersionAndNamedProtocols) {
    EXPECT_EQ(proto_name(2), "IGMP");
    EXPECT_EQ(proto_name(6), "TCP");
    EXPECT_EQ(proto_name(250), "250");
}

}  // namespace
}  // namespace tocsin::output
