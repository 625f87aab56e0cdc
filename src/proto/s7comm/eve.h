// EVE output of S7comm transactions: the `s7comm` object (docs/eve-schema.md).
#pragma once

#include <cstddef>

#include "applayer/protocol.h"

namespace tocsin::proto::s7comm {

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n);
void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out);
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out);

}  // namespace tocsin::proto::s7comm
