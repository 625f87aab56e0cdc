// The interface through which reassembled TCP data leaves the stream stage. Application-layer
// parsers implement it: they see each direction's bytes in order, exactly once, with explicit
// gaps where capture lost data.
#pragma once

#include <cstdint>

#include "core/cursor.h"
#include "flow/flow.h"

namespace tocsin::stream {

using flow::Direction;
using flow::Flow;

class StreamConsumer {
  public:
    virtual ~StreamConsumer() = default;
    // In-order bytes of one direction; `offset` is the stream offset of data[0] (0 = first
    // byte after the SYN, or the first byte seen when picked up midstream).
    virtual void on_data(Flow& flow, Direction dir, std::uint64_t offset, ByteSpan data) = 0;
    // `length` bytes starting at `offset` will never arrive; data resumes after them.
    virtual void on_gap(Flow& flow, Direction dir, std::uint64_t offset, std::uint64_t length) = 0;
    // The direction is finished (FIN reached in order, RST, or the flow ended).
    virtual void on_close(Flow& flow, Direction dir) = 0;
};

}  // namespace tocsin::stream
