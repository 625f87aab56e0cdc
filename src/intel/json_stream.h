// Streaming JSON for intelligence files too large for one document in memory (a bundle of a
// million indicators is ~400 MB): nlohmann's SAX interface walks the text, and only the items
// a loader needs become small documents, one at a time:
//   - STIX objects: the elements of a top-level "objects" array (bundle, TAXII envelope) or of
//     a top-level array;
//   - MISP: each element of Event.Attribute, Event.Object and Event.Tag;
// plus the scalars of the top-level object and of "Event".
// Bounded: nesting depth and the size of one item (larger items are skipped and reported).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tocsin::intel {

enum class JsonItem : std::uint8_t { stix_object, misp_attribute, misp_object, misp_event_tag };

struct JsonStreamLimits {
    std::size_t max_depth = 64;
    std::size_t max_item_bytes = 16 * 1024 * 1024;
};

class JsonItemSink {
  public:
    virtual void top_key(std::string_view key) { (void)key; }
    virtual void top_scalar(std::string_view key, const nlohmann::json& value) {
        (void)key, (void)value;
    }
    virtual void event_scalar(std::string_view key, const nlohmann::json& value) {
        (void)key, (void)value;
    }
    virtual void item(JsonItem kind, nlohmann::json&& value) = 0;
    virtual void item_too_large(JsonItem kind) { (void)kind; }

  protected:
    ~JsonItemSink() = default;
};

// Walks the document; returns a message on a syntax error or a limit (the items before it
// were delivered).
std::optional<std::string> stream_json(std::istream& in, JsonItemSink& sink,
                                       const JsonStreamLimits& limits = {});

}  // namespace tocsin::intel
