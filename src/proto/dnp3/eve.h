// EVE output of DNP3 transactions: Suricata's `dnp3` object, one record per request and one
// per response (the record's addresses follow the flow, as Suricata logs them).
#pragma once

#include <cstddef>

#include "applayer/protocol.h"

namespace tocsin::proto::dnp3 {

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n);
void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out);
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out);

}  // namespace tocsin::proto::dnp3
