// EVE output of IEC 104 transactions: one `iec104` record per APDU (docs/eve-schema.md).
#pragma once

#include <cstddef>

#include "applayer/protocol.h"

namespace tocsin::proto::iec104 {

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n);
void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out);
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out);

}  // namespace tocsin::proto::iec104
