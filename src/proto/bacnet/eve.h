// EVE output of BACnet transactions: one `bacnet` record per datagram (docs/eve-schema.md).
#pragma once

#include <cstddef>

#include "applayer/protocol.h"

namespace tocsin::proto::bacnet {

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n);
void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out);
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out);

}  // namespace tocsin::proto::bacnet
