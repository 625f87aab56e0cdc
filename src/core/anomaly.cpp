#include "core/anomaly.h"

#include <array>

namespace tocsin {
namespace {

struct AnomalyInfo {
    AnomalyKind kind;
    std::string_view name;
};

constexpr std::array<AnomalyInfo, kAnomalyCount> kAnomalies = {{
#define TOCSIN_ANOMALY_INFO(id, kind, name) {AnomalyKind::kind, name},
    TOCSIN_ANOMALIES(TOCSIN_ANOMALY_INFO)
#undef TOCSIN_ANOMALY_INFO
}};

}  // namespace

std::string_view anomaly_name(Anomaly a) {
    return kAnomalies[static_cast<std::size_t>(a)].name;
}

AnomalyKind anomaly_kind(Anomaly a) {
    return kAnomalies[static_cast<std::size_t>(a)].kind;
}

std::string_view anomaly_kind_name(Anomaly a) {
    return anomaly_kind(a) == AnomalyKind::decode ? "decode" : "stream";
}

}  // namespace tocsin
