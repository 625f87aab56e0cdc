#include "intel/json_stream.h"

#include <vector>

#include <fmt/format.h>

namespace tocsin::intel {

namespace {

using json = nlohmann::json;

class CaptureHandler final : public nlohmann::json_sax<json> {
  public:
    CaptureHandler(JsonItemSink& sink, const JsonStreamLimits& limits)
        : sink_(sink), limits_(limits) {}

    const std::optional<std::string>& error() const { return error_; }

    bool null() override { return scalar(json(nullptr)); }
    bool boolean(bool v) override { return scalar(json(v)); }
    bool number_integer(number_integer_t v) override { return scalar(json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return scalar(json(v)); }
    bool number_float(number_float_t v, const string_t&) override { return scalar(json(v)); }
    bool string(string_t& v) override {
        bytes_ += v.size();
        return scalar(json(std::move(v)));
    }
    bool binary(binary_t&) override { return scalar(json(nullptr)); }

    bool start_object(std::size_t) override { return open(true); }
    bool start_array(std::size_t) override { return open(false); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

    bool key(string_t& k) override {
        if (capturing_) {
            bytes_ += k.size();
            key_ = std::move(k);
            return true;
        }
        frames_.back().key = k;
        if (frames_.size() == 1) sink_.top_key(k);
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& e) override {
        error_ = fmt::format("JSON syntax error at byte {}: {}", position, e.what());
        return false;
    }

  private:
    struct Frame {
        bool array = false;
        std::string key;  // objects: the key of the value being read
    };

    // Where a value starting now sits, outside any captured item.
    enum class Place : std::uint8_t { item, top_member, event_member, other };
    struct Location {
        Place place = Place::other;
        JsonItem item = JsonItem::stix_object;  // place == item
    };

    Location locate() const {
        const std::size_t n = frames_.size();
        if (n == 1 && frames_[0].array) return {Place::item, JsonItem::stix_object};
        if (n == 1) return {Place::top_member};
        if (n == 2 && !frames_[0].array && frames_[0].key == "objects" && frames_[1].array)
            return {Place::item, JsonItem::stix_object};
        const bool in_event =
            n >= 2 && !frames_[0].array && frames_[0].key == "Event" && !frames_[1].array;
        if (in_event && n == 2) return {Place::event_member};
        if (in_event && n == 3 && frames_[2].array) {
            const std::string& list = frames_[1].key;
            if (list == "Attribute") return {Place::item, JsonItem::misp_attribute};
            if (list == "Object") return {Place::item, JsonItem::misp_object};
            if (list == "Tag") return {Place::item, JsonItem::misp_event_tag};
        }
        return {};
    }

    bool too_deep() {
        if (frames_.size() + depth_ <= limits_.max_depth) return false;
        error_ = fmt::format("JSON nested deeper than {} levels", limits_.max_depth);
        return true;
    }

    bool open(bool object) {
        if (capturing_) {
            ++depth_;
            if (too_deep()) return false;
            bytes_ += 16;
            if (!skipping_) stack_.push_back(add(object ? json::object() : json::array()));
            check_size();
            return true;
        }
        const Location where = locate();
        if (object && where.place == Place::item) {
            capturing_ = true;
            skipping_ = false;
            kind_ = where.item;
            depth_ = 1;
            bytes_ = 0;
            root_ = json::object();
            stack_.assign(1, &root_);
            return !too_deep();
        }
        frames_.push_back(Frame{!object, {}});
        return !too_deep();
    }

    bool close() {
        if (!capturing_) {
            frames_.pop_back();
            return true;
        }
        if (!skipping_) stack_.pop_back();
        if (--depth_ > 0) return true;
        capturing_ = false;
        if (skipping_)
            sink_.item_too_large(kind_);
        else
            sink_.item(kind_, std::move(root_));
        root_ = json();
        return true;
    }

    bool scalar(json&& v) {
        if (capturing_) {
            bytes_ += 8;
            if (!skipping_) add(std::move(v));
            check_size();
            return true;
        }
        const Place where = locate().place;
        if (where == Place::top_member) sink_.top_scalar(frames_[0].key, v);
        if (where == Place::event_member) sink_.event_scalar(frames_[1].key, v);
        return true;
    }

    // Adds a value to the container being captured; returns where it now lives.
    json* add(json&& v) {
        json& parent = *stack_.back();
        if (parent.is_object()) {
            json& slot = parent[key_];
            slot = std::move(v);
            return &slot;
        }
        parent.push_back(std::move(v));
        return &parent.back();
    }

    // Past the item limit the rest of the item is walked but no longer kept.
    void check_size() {
        if (skipping_ || bytes_ <= limits_.max_item_bytes) return;
        skipping_ = true;
        stack_.clear();
        root_ = json();
    }

    JsonItemSink& sink_;
    const JsonStreamLimits& limits_;
    std::vector<Frame> frames_;
    bool capturing_ = false;
    bool skipping_ = false;
    JsonItem kind_ = JsonItem::stix_object;
    std::size_t depth_ = 0;
    std::size_t bytes_ = 0;
    json root_;
    std::vector<json*> stack_;
    std::string key_;
    std::optional<std::string> error_;
};

}  // namespace

std::optional<std::string> stream_json(std::istream& in, JsonItemSink& sink,
                                       const JsonStreamLimits& limits) {
    CaptureHandler handler(sink, limits);
    const bool ok = json::sax_parse(in, &handler);
    if (ok) return std::nullopt;
    if (handler.error()) return handler.error();
    return std::string("JSON parse stopped");
}

}  // namespace tocsin::intel
