// Threat-intelligence matching in the worker: when to ask the IntelSet, and how a hit becomes an
// EVE alert (an ordinary alert whose `alert.metadata` names the indicator, so every existing
// alert consumer sees it) and a sighting for the run's STIX bundle.
#include <algorithm>

#include <fmt/format.h>

#include "detect/signature.h"
#include "output/eve.h"
#include "pipeline/worker.h"

namespace tocsin::pipeline {

namespace {

// Intelligence alerts use their own generator id, so they never collide with rule sids; the
// signature id is a stable hash of the indicator id (the same on every sensor and run).
constexpr std::uint32_t kIntelGid = 9000;

// At most this many distinct indicators alert on one flow; later ones are not remembered (and
// so may alert again): bounded state per flow whatever a hostile flow shows.
constexpr std::size_t kMaxIndicatorsPerFlow = 64;

struct IntelFlowState final : StageState {
    std::vector<std::uint32_t> fired;

    // True the first time `indicator` fires on the flow.
    bool first_hit(std::uint32_t indicator) {
        if (std::find(fired.begin(), fired.end(), indicator) != fired.end()) return false;
        if (fired.size() < kMaxIndicatorsPerFlow) fired.push_back(indicator);
        return true;
    }
};

IntelFlowState& intel_state(flow::Flow& flow) {
    if (flow.intel_state == nullptr) flow.intel_state = std::make_unique<IntelFlowState>();
    return static_cast<IntelFlowState&>(*flow.intel_state);
}

intel::ObservableKind to_intel(applayer::Observable kind) {
    switch (kind) {
        case applayer::Observable::domain:
            return intel::ObservableKind::domain;
        case applayer::Observable::url:
            return intel::ObservableKind::url;
        case applayer::Observable::md5:
            return intel::ObservableKind::md5;
        case applayer::Observable::sha1:
            return intel::ObservableKind::sha1;
        case applayer::Observable::sha256:
            return intel::ObservableKind::sha256;
        case applayer::Observable::ja3:
            return intel::ObservableKind::ja3;
        case applayer::Observable::ja3s:
            return intel::ObservableKind::ja3s;
        case applayer::Observable::ja4:
            return intel::ObservableKind::ja4;
        case applayer::Observable::x509_sha1:
            return intel::ObservableKind::x509_sha1;
    }
    return intel::ObservableKind::none;
}

std::string_view observable_label(applayer::Observable kind) {
    switch (kind) {
        case applayer::Observable::domain:
            return "domain";
        case applayer::Observable::url:
            return "url";
        case applayer::Observable::md5:
            return "md5";
        case applayer::Observable::sha1:
            return "sha1";
        case applayer::Observable::sha256:
            return "sha256";
        case applayer::Observable::ja3:
            return "ja3";
        case applayer::Observable::ja3s:
            return "ja3s";
        case applayer::Observable::ja4:
            return "ja4";
        case applayer::Observable::x509_sha1:
            return "x509-sha1";
    }
    return "";
}

// 32-bit FNV-1a, folded to a positive signature id.
std::uint32_t stable_sid(std::string_view id) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : id) h = (h ^ c) * 16777619u;
    return (h & 0x7fffffffu) | 1u;
}

// The packet's header as seen from the other side (the alert's endpoints and direction).
Packet reversed(const Packet& pkt) {
    Packet r = pkt;
    std::swap(r.src, r.dst);
    std::swap(r.sport, r.dport);
    return r;
}

intel::Observation flow_observation(const flow::Flow& flow, const Packet& pkt) {
    intel::Observation o;
    o.client = flow.client_addr;
    o.server = flow.server_addr;
    o.client_port = flow.client_port;
    o.server_port = flow.server_port;
    o.ip_proto = flow.proto;
    o.app_proto = flow.app_proto;
    o.time = pkt.ts;
    return o;
}

// The Suricata alert a hit becomes: severity from the indicator's types (malicious activity
// and attribution 1, anomalous or unknown 3, the rest 2).
detect::Signature intel_signature(const intel::IndicatorInfo& info, std::string_view matched) {
    detect::Signature sig;
    sig.gid = kIntelGid;
    sig.sid = stable_sid(info.id);
    sig.rev = 1;
    sig.msg = fmt::format("TOCSIN INTEL {} ({})", info.name.empty() ? info.id : info.name, matched);
    sig.category = "Threat intelligence indicator";
    sig.priority = 2;
    for (const std::string& type : info.types) {
        if (type == "malicious-activity" || type == "attribution" || type == "compromised")
            sig.priority = 1;
        else if ((type == "anomalous-activity" || type == "unknown") && sig.priority == 2)
            sig.priority = 3;
    }
    sig.metadata.emplace_back("intel_id", info.id);
    if (!info.name.empty()) sig.metadata.emplace_back("intel_name", info.name);
    sig.metadata.emplace_back("intel_source", info.source);
    if (info.tlp != intel::Tlp::none)
        sig.metadata.emplace_back("intel_tlp", std::string(intel::tlp_name(info.tlp)));
    sig.metadata.emplace_back("intel_pattern", info.pattern);
    sig.metadata.emplace_back("intel_match", std::string(matched));
    for (const std::string& type : info.types) sig.metadata.emplace_back("intel_type", type);
    return sig;
}

// Feeds a transaction's observables to the IntelSet and reports what fired.
// `Report` is called as (kind, value, side) for a value that fired; held by reference, so
// matching a transaction allocates nothing.
template <class Report>
class ObservableMatcher final : public applayer::ObservableSink {
  public:
    ObservableMatcher(const intel::IntelSet& set, intel::Observation base, intel::Hits& hits,
                      const Report& report)
        : set_(set), base_(base), hits_(hits), report_(report) {}

    void add(applayer::Observable kind, std::string_view value, flow::Direction side) override {
        const intel::ObservableKind k = to_intel(kind);
        if (!set_.wants(k)) return;
        // Certificates print their fingerprint with colons; indicators carry bare hex.
        std::string bare;
        if (kind == applayer::Observable::x509_sha1 && value.find(':') != std::string_view::npos) {
            for (char c : value)
                if (c != ':') bare += c;
            value = bare;
        }
        intel::Observation o = base_;
        o.kind = k;
        o.value = value;
        hits_.clear();
        set_.match(o, hits_);
        if (!hits_.empty()) report_(kind, value, side);
    }

  private:
    const intel::IntelSet& set_;
    intel::Observation base_;
    intel::Hits& hits_;
    const Report& report_;
};

}  // namespace

void Worker::match_intel(const Packet& pkt, flow::Flow& flow, flow::Direction dir,
                         const std::string& filename, bool flow_end) {
    if (flow.client_addr.family == 0) return;  // a frame protocol's pseudo flow: no addresses
    intel_order_ = (1ULL << 61) + (1ULL << 40);
    const intel::Observation base = flow_observation(flow, pkt);
    if (intel_->wants_flows()) {
        const bool first_packet = !flow_end && flow.pkts[0] + flow.pkts[1] == 1;
        const bool protocol_now_known = !flow.app_proto.empty() && !flow.intel_protocol_matched;
        if (first_packet || protocol_now_known) {
            if (protocol_now_known) flow.intel_protocol_matched = true;
            intel_hits_.clear();
            intel_->match(base, intel_hits_);
            if (!intel_hits_.empty()) {
                const std::string matched = fmt::format(
                    "flow {} -> {}", flow.client_addr.to_string(), flow.server_addr.to_string());
                report_intel_hits(pkt, flow, dir, nullptr, nullptr, applayer::Observable::domain,
                                  matched, filename, flow_end);
            }
        }
    }
    const applayer::FlowApp* app = applayer::AppLayer::state(flow);
    if (app == nullptr || app->spec == nullptr) return;
    for (const std::unique_ptr<applayer::Transaction>& tx : app->txs) {
        if (!flow_end) {
            if (tx->updated != app_.current_packet()) continue;
            const auto completion = static_cast<std::int64_t>(
                tx->records_ready * 4 + (tx->done[0] ? 2 : 0) + (tx->done[1] ? 1 : 0));
            if (tx->intel_seen == completion) continue;
            tx->intel_seen = completion;
        }
        const applayer::Transaction* current = tx.get();
        const auto report = [&](applayer::Observable kind, std::string_view value,
                                flow::Direction side) {
            // The alert reads as the message that showed the value: a request's host from
            // client to server even when the server's ACK released the request.
            if (side == dir) {
                report_intel_hits(pkt, flow, side, current, app->spec, kind, value, filename,
                                  flow_end);
            } else {
                const Packet oriented = reversed(pkt);
                report_intel_hits(oriented, flow, side, current, app->spec, kind, value, filename,
                                  flow_end);
            }
        };
        ObservableMatcher matcher(*intel_, base, intel_hits_, report);
        tx->observables(matcher);
    }
}

// intel_hits_ holds what fired on `value` (or, tx null, on the flow's addresses).
void Worker::report_intel_hits(const Packet& pkt, flow::Flow& flow, flow::Direction dir,
                               const applayer::Transaction* tx, const applayer::ProtocolSpec* spec,
                               applayer::Observable kind, std::string_view value,
                               const std::string& filename, bool flow_end) {
    IntelFlowState& state = intel_state(flow);
    const std::string matched =
        tx == nullptr ? std::string(value) : fmt::format("{} {}", observable_label(kind), value);
    for (std::uint32_t index : intel_hits_) {
        if (!state.first_hit(index)) continue;
        flow.alerted = true;
        std::string json;
        if (outputs_.alert) {
            const detect::Signature sig = intel_signature(intel_->indicator(index), matched);
            detect::Alert alert;
            alert.sig = &sig;
            alert.tx = tx;
            alert.protocol = spec;
            json = output::alert_event(pkt, &flow, dir, alert, filename, outputs_.alert_extras);
        }
        EventKey key = current_;
        key.order = flow_end ? flow.first_pcap_cnt : intel_order_++;
        key.tiebreak = flow_end ? flow.hash : 0;
        out_->push_back(EventRecord{key, std::move(json), EventKind::alert, nullptr,
                                    static_cast<std::int64_t>(index), pkt.ts});
    }
}

}  // namespace tocsin::pipeline
