// Flow table: direction mapping, roles, state, timeouts, memcap eviction and the hash table.
#include "flow/flow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/config.h"
#include "decode/decoder.h"
#include "support/packet_builder.h"

namespace tocsin::flow {
namespace {

namespace tb = tocsin::testsupport;

constexpr std::int64_t kStart = 1'700'000'000;  // capture time of the first packet

// What a test needs to know about a flow after the table has forgotten it.
struct EndedFlow {
    std::uint64_t flow_id = 0;
    EndReason reason = EndReason::timeout;
    FlowState state = FlowState::fresh;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    std::uint64_t first_pcap_cnt = 0;
    std::array<std::uint64_t, 2> pkts{};
    Timestamp now;
};

class RecordingEndHandler : public FlowEndHandler {
  public:
    void on_flow_end(Flow& flow, EndReason reason, Timestamp now) override {
        ended.push_back(EndedFlow{flow.flow_id, reason, flow.state, flow.client_port,
                                  flow.server_port, flow.first_pcap_cnt, flow.pkts, now});
    }

    std::vector<std::uint16_t> client_ports() const {
        std::vector<std::uint16_t> ports;
        for (const EndedFlow& e : ended) ports.push_back(e.client_port);
        return ports;
    }

    std::vector<EndedFlow> ended;
};

// Decodes crafted Ethernet frames into Packets that stay valid for the whole test.
class Packets {
  public:
    Packet& decode(tb::Bytes frame, std::int64_t sec = kStart) {
        frames_.push_back(std::move(frame));
        Packet& pkt = packets_.emplace_back();
        pkt.data = ByteSpan(frames_.back());
        pkt.wire_len = static_cast<std::uint32_t>(pkt.data.size());
        pkt.ts = Timestamp{sec, 0};
        pkt.pcap_cnt = ++count_;
        decoder_.decode(decode::kLinkEthernet, pkt, reassembled_);
        EXPECT_TRUE(pkt.has_flow_key);
        return pkt;
    }

    Packet& udp(const std::string& src, std::uint16_t sport, const std::string& dst,
                std::uint16_t dport, std::int64_t sec = kStart, std::string_view payload = "x",
                const std::vector<std::uint16_t>& vlans = {}) {
        const tb::Bytes data(payload.begin(), payload.end());
        return decode(tb::ethernet(tb::kEthertypeIpv4,
                                   tb::ip_packet(src, dst, tb::kProtoUdp,
                                                 tb::udp(sport, dport, data, src, dst)),
                                   vlans),
                      sec);
    }

    Packet& tcp(const std::string& src, std::uint16_t sport, const std::string& dst,
                std::uint16_t dport, std::uint8_t flags, std::int64_t sec = kStart) {
        tb::TcpSpec spec;
        spec.sport = sport;
        spec.dport = dport;
        spec.seq = 1000;
        spec.ack = (flags & tb::kAck) ? 2000 : 0;
        spec.flags = flags;
        return decode(tb::ethernet(tb::kEthertypeIpv4, tb::ip_packet(src, dst, tb::kProtoTcp,
                                                                     tb::tcp(spec, {}, src, dst))),
                      sec);
    }

  private:
    decode::Decoder decoder_{decode::DecodeOptions{}};
    std::deque<tb::Bytes> frames_;
    std::deque<Packet> packets_;
    std::vector<std::uint8_t> reassembled_;
    std::uint64_t count_ = 0;
};

FlowTableOptions default_options() {
    return FlowTableOptions::from_config(Config{}, 1);
}

IpAddress addr(std::string_view text) {
    return *IpAddress::parse(text);
}

TEST(FlowTable, BothDirectionsOfUdpShareOneFlow) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    const Packet& q1 = p.udp("10.0.0.1", 5353, "10.0.0.2", 53, kStart, "query");
    const Packet& r1 = p.udp("10.0.0.2", 53, "10.0.0.1", 5353, kStart, "answer!");
    const Packet& q2 = p.udp("10.0.0.1", 5353, "10.0.0.2", 53, kStart, "query2");

    const FlowTable::Lookup a = table.track(q1);
    const FlowTable::Lookup b = table.track(r1);
    const FlowTable::Lookup c = table.track(q2);

    ASSERT_NE(a.flow, nullptr);
    EXPECT_TRUE(a.created);
    EXPECT_FALSE(b.created);
    EXPECT_FALSE(c.created);
    EXPECT_EQ(a.flow, b.flow);
    EXPECT_EQ(a.flow, c.flow);
    EXPECT_EQ(a.direction, Direction::to_server);
    EXPECT_EQ(b.direction, Direction::to_client);
    EXPECT_EQ(c.direction, Direction::to_server);

    const Flow& f = *a.flow;
    EXPECT_EQ(f.pkts[0], 2u);
    EXPECT_EQ(f.pkts[1], 1u);
    EXPECT_EQ(f.bytes[0], q1.data.size() + q2.data.size());
    EXPECT_EQ(f.bytes[1], r1.data.size());
    EXPECT_EQ(f.client_addr, addr("10.0.0.1"));
    EXPECT_EQ(f.server_addr, addr("10.0.0.2"));
    EXPECT_EQ(f.client_port, 5353);
    EXPECT_EQ(f.server_port, 53);
    EXPECT_EQ(f.proto, kProtoUdp);
    EXPECT_TRUE(f.payload_seen);
    EXPECT_EQ(table.active(), 1u);
    EXPECT_EQ(table.stats().created, 1u);
    EXPECT_EQ(table.stats().udp, 1u);
}

TEST(FlowTable, BothDirectionsOfTcpShareOneFlowWithTheSynSenderAsClient) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    // The client has the higher address, so the normalised key is swapped for its packets.
    tb::TcpSession session("10.0.0.9", 40000, "10.0.0.3", 80);
    std::vector<tb::Bytes> frames = session.handshake();
    frames.push_back(session.client_data(tb::Bytes{'G', 'E', 'T'}));
    frames.push_back(session.server_ack());

    std::vector<FlowTable::Lookup> lookups;
    for (tb::Bytes& frame : frames) lookups.push_back(table.track(p.decode(std::move(frame))));

    ASSERT_EQ(lookups.size(), 5u);
    for (const auto& l : lookups) EXPECT_EQ(l.flow, lookups[0].flow);
    EXPECT_EQ(lookups[0].direction, Direction::to_server);  // SYN
    EXPECT_EQ(lookups[1].direction, Direction::to_client);  // SYN/ACK
    EXPECT_EQ(lookups[2].direction, Direction::to_server);  // ACK
    EXPECT_EQ(lookups[3].direction, Direction::to_server);  // data
    EXPECT_EQ(lookups[4].direction, Direction::to_client);  // ACK

    const Flow& f = *lookups[0].flow;
    EXPECT_EQ(f.client_addr, addr("10.0.0.9"));
    EXPECT_EQ(f.client_port, 40000);
    EXPECT_EQ(f.server_addr, addr("10.0.0.3"));
    EXPECT_EQ(f.server_port, 80);
    EXPECT_EQ(f.pkts[0], 3u);
    EXPECT_EQ(f.pkts[1], 2u);
    EXPECT_EQ(f.tcp_flags[0], kTcpSyn | kTcpAck | kTcpPsh);
    EXPECT_EQ(f.tcp_flags[1], kTcpSyn | kTcpAck);
    EXPECT_EQ(table.stats().tcp, 1u);
}

TEST(FlowTable, SynAckFirstMakesItsSenderTheServer) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    const FlowTable::Lookup synack =
        table.track(p.tcp("10.0.0.2", 443, "10.0.0.1", 50000, tb::kSyn | tb::kAck));
    const FlowTable::Lookup ack = table.track(p.tcp("10.0.0.1", 50000, "10.0.0.2", 443, tb::kAck));

    ASSERT_NE(synack.flow, nullptr);
    EXPECT_EQ(synack.flow, ack.flow);
    EXPECT_EQ(synack.direction, Direction::to_client);
    EXPECT_EQ(ack.direction, Direction::to_server);
    EXPECT_EQ(synack.flow->server_addr, addr("10.0.0.2"));
    EXPECT_EQ(synack.flow->server_port, 443);
    EXPECT_EQ(synack.flow->client_addr, addr("10.0.0.1"));
    EXPECT_EQ(synack.flow->client_port, 50000);
    EXPECT_EQ(synack.flow->pkts[1], 1u);
    EXPECT_EQ(synack.flow->pkts[0], 1u);
}

TEST(FlowTable, UdpFlowBecomesEstablishedAfterAReply) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    Flow* f = table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 2000)).flow;
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->state, FlowState::fresh);
    table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 2000));
    EXPECT_EQ(f->state, FlowState::fresh);
    table.track(p.udp("10.0.0.2", 2000, "10.0.0.1", 1000));
    EXPECT_EQ(f->state, FlowState::established);
    EXPECT_EQ(flow_state_name(f->state), "established");
}

TEST(FlowTable, TcpFlowStateIsLeftToTheStreamStage) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    Flow* f = table.track(p.tcp("10.0.0.1", 1000, "10.0.0.2", 80, tb::kSyn)).flow;
    table.track(p.tcp("10.0.0.2", 80, "10.0.0.1", 1000, tb::kSyn | tb::kAck));
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->state, FlowState::fresh);
}

TEST(FlowTable, DifferentVlansAreDifferentFlows) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    const auto a = table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart, "x", {10}));
    const auto b = table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart, "x", {20}));
    const auto c = table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart, "x", {}));
    const auto d = table.track(p.udp("10.0.0.2", 53, "10.0.0.1", 1000, kStart, "x", {20}));

    EXPECT_TRUE(a.created);
    EXPECT_TRUE(b.created);
    EXPECT_TRUE(c.created);
    EXPECT_FALSE(d.created);
    EXPECT_NE(a.flow, b.flow);
    EXPECT_NE(a.flow, c.flow);
    EXPECT_NE(b.flow, c.flow);
    EXPECT_EQ(d.flow, b.flow);
    EXPECT_EQ(d.direction, Direction::to_client);
    EXPECT_EQ(table.active(), 3u);
}

TEST(FlowTable, NewUdpFlowTimesOutAfterItsTimeoutAndNotBefore) {
    const std::int64_t timeout = Config{}.get_seconds("flow-timeouts.udp.new");
    ASSERT_GT(timeout, 0);
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart));

    table.expire(Timestamp{kStart + timeout, 0});
    EXPECT_TRUE(ends.ended.empty());
    EXPECT_EQ(table.active(), 1u);

    table.expire(Timestamp{kStart + timeout + 1, 0});
    ASSERT_EQ(ends.ended.size(), 1u);
    EXPECT_EQ(ends.ended[0].reason, EndReason::timeout);
    EXPECT_EQ(ends.ended[0].state, FlowState::fresh);
    EXPECT_EQ(ends.ended[0].now, (Timestamp{kStart + timeout + 1, 0}));
    EXPECT_EQ(table.active(), 0u);
    EXPECT_EQ(table.stats().ended_timeout, 1u);
}

TEST(FlowTable, EstablishedUdpFlowUsesTheEstablishedTimeout) {
    const Config config;
    const std::int64_t new_timeout = config.get_seconds("flow-timeouts.udp.new");
    const std::int64_t timeout = config.get_seconds("flow-timeouts.udp.established");
    ASSERT_GT(timeout, new_timeout + 1);
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart));
    table.track(p.udp("10.0.0.2", 53, "10.0.0.1", 1000, kStart + 5));  // last seen: kStart + 5

    table.expire(Timestamp{kStart + 5 + new_timeout + 1, 0});
    table.expire(Timestamp{kStart + 5 + timeout, 0});
    EXPECT_TRUE(ends.ended.empty());

    table.expire(Timestamp{kStart + 5 + timeout + 1, 0});
    ASSERT_EQ(ends.ended.size(), 1u);
    EXPECT_EQ(ends.ended[0].reason, EndReason::timeout);
    EXPECT_EQ(ends.ended[0].state, FlowState::established);
}

TEST(FlowTable, TrafficKeepsAFlowAlive) {
    const std::int64_t timeout = Config{}.get_seconds("flow-timeouts.udp.new");
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    for (std::int64_t t = 0; t <= 3 * timeout; t += timeout / 2) {
        table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart + t));
        table.expire(Timestamp{kStart + t + timeout / 2, 0});
    }
    EXPECT_TRUE(ends.ended.empty());
    EXPECT_EQ(table.active(), 1u);
}

TEST(FlowTable, EndAllEndsEveryFlowWithShutdown) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    for (std::uint16_t port = 1000; port < 1005; ++port)
        table.track(p.udp("10.0.0.1", port, "10.0.0.2", 53));

    table.end_all(EndReason::shutdown, Timestamp{kStart + 1, 0});

    ASSERT_EQ(ends.ended.size(), 5u);
    for (const EndedFlow& e : ends.ended) EXPECT_EQ(e.reason, EndReason::shutdown);
    EXPECT_EQ(table.active(), 0u);
    EXPECT_EQ(table.stats().ended_shutdown, 5u);
    EXPECT_EQ(end_reason_name(EndReason::shutdown), "shutdown");
}

FlowTableOptions options_for_capacity(std::size_t flows) {
    FlowTableOptions o = default_options();
    o.memcap = flows * FlowTable::flow_cost();
    o.initial_buckets = 64;
    return o;
}

TEST(FlowTable, MemcapEvictsTheLeastRecentlyUsedFlow) {
    RecordingEndHandler ends;
    FlowTable table(options_for_capacity(16), ends);
    ASSERT_EQ(table.capacity(), 16u);
    Packets p;
    for (std::uint16_t port = 1000; port < 1016; ++port)
        table.track(p.udp("10.0.0.1", port, "10.0.0.2", 53));
    EXPECT_TRUE(ends.ended.empty());
    table.track(p.udp("10.0.0.2", 53, "10.0.0.1", 1000));  // 1000 is now the most recent

    const FlowTable::Lookup extra = table.track(p.udp("10.0.0.1", 2000, "10.0.0.2", 53));

    EXPECT_TRUE(extra.created);
    ASSERT_NE(extra.flow, nullptr);
    ASSERT_EQ(ends.ended.size(), 1u);
    EXPECT_EQ(ends.ended[0].client_port, 1001);
    EXPECT_EQ(ends.ended[0].reason, EndReason::forced);
    EXPECT_EQ(table.stats().memcap_evictions, 1u);
    EXPECT_EQ(table.stats().ended_forced, 1u);
    EXPECT_EQ(table.active(), 16u);
    EXPECT_FALSE(table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53)).created);
    EXPECT_TRUE(table.track(p.udp("10.0.0.1", 1001, "10.0.0.2", 53)).created);  // evicts 1002
}

TEST(FlowTable, MemcapKeepsMemoryBounded) {
    RecordingEndHandler ends;
    FlowTable table(options_for_capacity(16), ends);
    Packets p;
    const std::uint64_t full = 16 * FlowTable::flow_cost();
    std::uint64_t slot_bytes = 0;
    for (int i = 0; i < 1000; ++i) {
        table.track(p.udp("10.0.0.1", static_cast<std::uint16_t>(1000 + i), "10.0.0.2", 53));
        ASSERT_LE(table.active(), table.capacity());
        slot_bytes =
            std::max(slot_bytes, table.memory_in_use() - table.active() * FlowTable::flow_cost());
    }
    EXPECT_EQ(table.active(), 16u);
    EXPECT_EQ(table.stats().memcap_evictions, 1000u - 16u);
    EXPECT_EQ(table.stats().memcap_refused, 0u);
    EXPECT_EQ(table.stats().peak_active, 16u);
    EXPECT_EQ(ends.ended.size(), 1000u - 16u);
    // The slot array never needed to grow past its initial size for 16 flows.
    EXPECT_LE(table.memory_in_use(), full + slot_bytes);
    EXPECT_EQ(slot_bytes, 64u * sizeof(std::uint64_t));
}

TEST(FlowTable, FlowsEndingTogetherAreReportedInFirstSeenOrder) {
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    const std::uint16_t ports[] = {1000, 1001, 1002, 1003};
    for (std::uint16_t port : ports) table.track(p.udp("10.0.0.1", port, "10.0.0.2", 53));
    // Touch them so that recency order differs from first-seen order.
    for (std::uint16_t port : {1003, 1001, 1000, 1002})
        table.track(p.udp("10.0.0.1", port, "10.0.0.2", 53));

    table.end_all(EndReason::shutdown, Timestamp{kStart + 1, 0});

    EXPECT_EQ(ends.client_ports(), (std::vector<std::uint16_t>{1000, 1001, 1002, 1003}));
    for (std::size_t i = 1; i < ends.ended.size(); ++i)
        EXPECT_LT(ends.ended[i - 1].first_pcap_cnt, ends.ended[i].first_pcap_cnt);
}

TEST(FlowTable, FlowsTimingOutTogetherAreReportedInFirstSeenOrder) {
    const std::int64_t timeout = Config{}.get_seconds("flow-timeouts.udp.new");
    RecordingEndHandler ends;
    FlowTable table(default_options(), ends);
    Packets p;
    table.track(p.udp("10.0.0.1", 3000, "10.0.0.2", 53, kStart));
    table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart));
    table.track(p.udp("10.0.0.1", 2000, "10.0.0.2", 53, kStart));
    table.track(p.udp("10.0.0.1", 4000, "10.0.0.2", 53, kStart + 100));  // stays
    table.track(p.udp("10.0.0.1", 1000, "10.0.0.2", 53, kStart + 1));    // touched later
    table.track(p.udp("10.0.0.1", 3000, "10.0.0.2", 53, kStart + 2));

    table.expire(Timestamp{kStart + 2 + timeout + 1, 0});

    EXPECT_EQ(ends.client_ports(), (std::vector<std::uint16_t>{3000, 1000, 2000}));
    EXPECT_EQ(table.active(), 1u);
}

// UDP flow number `key`: 10.1.x.y:(1024 + key % 50000) -> 192.0.2.1:53, decoded once.
class KeyedPackets {
  public:
    const Packet& operator()(int key) {
        auto [it, fresh] = cache_.try_emplace(key, nullptr);
        if (fresh) {
            const std::string src =
                "10.1." + std::to_string(key / 256) + "." + std::to_string(key % 256);
            it->second =
                &packets_.udp(src, static_cast<std::uint16_t>(1024 + key % 50000), "192.0.2.1", 53);
        }
        return *it->second;
    }

  private:
    Packets packets_;
    std::map<int, const Packet*> cache_;
};

struct LiveFlow {
    int key;
    Flow* flow;
    std::uint64_t flow_id;
};

// Every live flow is found again (not recreated) and is the same flow as before.
void expect_all_found(FlowTable& table, KeyedPackets& packet_for,
                      const std::vector<LiveFlow>& live) {
    for (const LiveFlow& l : live) {
        const FlowTable::Lookup found = table.track(packet_for(l.key));
        ASSERT_FALSE(found.created) << "flow " << l.key << " was lost";
        ASSERT_EQ(found.flow, l.flow);
        ASSERT_EQ(found.flow->flow_id, l.flow_id);
    }
}

TEST(FlowTable, LookupsStayCorrectAcrossManyInsertAndEraseCycles) {
    RecordingEndHandler ends;
    FlowTableOptions options = default_options();
    options.initial_buckets = 64;  // grow from tiny, with long probe sequences along the way
    FlowTable table(options, ends);
    KeyedPackets packet_for;
    std::mt19937 rng(12345);
    std::vector<LiveFlow> live;
    int next_key = 0;
    auto create = [&](int count) {
        for (int n = 0; n < count; ++n) {
            const int key = next_key++;
            const FlowTable::Lookup l = table.track(packet_for(key));
            ASSERT_TRUE(l.created) << "flow " << key;
            live.push_back({key, l.flow, l.flow->flow_id});
        }
    };

    create(10000);
    for (int round = 0; round < 4; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        std::shuffle(live.begin(), live.end(), rng);
        const std::size_t half = live.size() / 2;
        std::vector<int> ended_keys;
        for (std::size_t i = half; i < live.size(); ++i) {
            ended_keys.push_back(live[i].key);
            table.end(*live[i].flow, EndReason::forced, Timestamp{kStart, 0});
        }
        live.resize(half);
        EXPECT_EQ(table.active(), live.size());
        expect_all_found(table, packet_for, live);

        // Ended flows are really gone: looking one up creates it afresh.
        for (std::size_t i = 0; i < 50; ++i) {
            const int key = ended_keys[i];
            const FlowTable::Lookup again = table.track(packet_for(key));
            ASSERT_TRUE(again.created) << "flow " << key << " survived its end";
            live.push_back({key, again.flow, again.flow->flow_id});
        }
        create(5000);
    }
    expect_all_found(table, packet_for, live);
    EXPECT_EQ(table.active(), live.size());
    EXPECT_EQ(table.stats().created, static_cast<std::uint64_t>(next_key) + 4 * 50);
}

TEST(FlowTable, LookupsStayCorrectWhenProbeSequencesWrapAroundTheSlotArray) {
    // 64 slots holding up to 30 flows never grow, so clusters often wrap past the last slot.
    RecordingEndHandler ends;
    FlowTableOptions options = default_options();
    options.initial_buckets = 64;
    FlowTable table(options, ends);
    KeyedPackets packet_for;
    std::mt19937 rng(777);
    std::vector<LiveFlow> live;
    int next_key = 0;
    for (int cycle = 0; cycle < 3000; ++cycle) {
        while (live.size() < 30) {
            const int key = next_key++;
            const FlowTable::Lookup l = table.track(packet_for(key));
            ASSERT_TRUE(l.created);
            live.push_back({key, l.flow, l.flow->flow_id});
        }
        const std::size_t victim = std::uniform_int_distribution<std::size_t>(0, 29)(rng);
        table.end(*live[victim].flow, EndReason::forced, Timestamp{kStart, 0});
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        expect_all_found(table, packet_for, live);
        if (HasFatalFailure()) return;
    }
    EXPECT_EQ(table.memory_in_use(),
              live.size() * FlowTable::flow_cost() + 64 * sizeof(std::uint64_t));
}

}  // namespace
}  // namespace tocsin::flow
