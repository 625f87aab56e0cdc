// STIX 2.1 bundles / TAXII envelopes / arrays of objects, and MISP event files: both are JSON,
// streamed through json_stream.h; what the top level holds decides which one a file is.
#include <charconv>

#include <fmt/format.h>

#include "core/rfc3339.h"
#include "intel/json_stream.h"
#include "intel/loader_context.h"
#include "intel/types.h"
#include "intel/uuid.h"

namespace tocsin::intel {

namespace {

using json = nlohmann::json;

std::string_view text_of(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    return it->get_ref<const std::string&>();
}

// MISP writes booleans as true/false, "1"/"0" or 1/0 depending on version and endpoint.
bool flag_of(const json& object, const char* key, bool fallback) {
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_number_integer()) return it->get<std::int64_t>() != 0;
    if (it->is_string()) {
        const std::string& s = it->get_ref<const std::string&>();
        if (s == "1" || s == "true" || s == "True") return true;
        if (s == "0" || s == "false" || s == "False") return false;
    }
    return fallback;
}

std::int64_t integer_of(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end()) return 0;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_string()) {
        const std::string& s = it->get_ref<const std::string&>();
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc{} && end == s.data() + s.size()) return v;
    }
    return 0;
}

std::vector<std::string> strings_of(const json& object, const char* key) {
    std::vector<std::string> out;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_array()) return out;
    for (const json& v : *it)
        if (v.is_string() && out.size() < 64) out.push_back(v.get<std::string>());
    return out;
}

// "tlp:amber", "TLP:RED": a marking only with its prefix (a bare "red" tag means other things).
std::optional<Tlp> tlp_of_label(std::string_view name) {
    if (name.size() <= 4 || !iequals(name.substr(0, 4), "tlp:")) return std::nullopt;
    return parse_tlp_name(name);
}

// The TLP of a MISP Tag list ([{"name": "tlp:amber"}, ...]): the most restrictive.
Tlp tlp_of_tags(const json& object) {
    Tlp tlp = Tlp::none;
    const auto it = object.find("Tag");
    if (it == object.end() || !it->is_array()) return tlp;
    for (const json& tag : *it)
        if (tag.is_object())
            if (const auto t = tlp_of_label(text_of(tag, "name"))) tlp = most_restrictive(tlp, *t);
    return tlp;
}

// One MISP attribute, kept compactly until the event's info and tags are known.
struct MispEntry {
    std::string type;
    std::string value;
    std::string uuid;
    std::string comment;
    std::string category;
    std::string object_name;
    std::int64_t timestamp = 0;
    Tlp tlp = Tlp::none;
    bool to_ids = true;
    bool deleted = false;
};

class IntelJsonSink final : public JsonItemSink {
  public:
    IntelJsonSink(std::uint32_t source, LoadContext& context)
        : source_(source), context_(context), file_(context.report.files[source]) {}

    void top_key(std::string_view key) override {
        if (key == "Event") misp_ = true;
        if (key == "objects") stix_ = true;
    }

    void top_scalar(std::string_view key, const json& value) override {
        if (key == "type" && value.is_string() && value.get<std::string>() == "bundle")
            stix_ = true;
    }

    void event_scalar(std::string_view key, const json& value) override {
        if (!value.is_string()) {
            if (key == "deleted" && value.is_boolean()) event_deleted_ = value.get<bool>();
            return;
        }
        const std::string& s = value.get_ref<const std::string&>();
        if (key == "info") event_info_ = s.substr(0, 1024);
        if (key == "uuid") event_uuid_ = s.substr(0, 64);
    }

    void item(JsonItem kind, json&& value) override {
        switch (kind) {
            case JsonItem::stix_object:
                stix_object(value);
                break;
            case JsonItem::misp_attribute:
                misp_attribute(value, {}, false);
                break;
            case JsonItem::misp_object:
                misp_object(value);
                break;
            case JsonItem::misp_event_tag: {
                if (const auto t = tlp_of_label(text_of(value, "name")))
                    event_tlp_ = most_restrictive(event_tlp_, *t);
                break;
            }
        }
    }

    void item_too_large(JsonItem) override {
        context_.error(file_, file_.path,
                       fmt::format("an object larger than {} bytes was skipped",
                                   context_.options.max_item_bytes));
    }

    // After the stream: MISP entries become indicators; the format is settled.
    void finish() {
        if (misp_) {
            file_.format = "misp";
            for (const MispEntry& e : misp_entries_) misp_indicator(e);
            misp_entries_.clear();
        } else if (stix_ || stix_items_ > 0) {
            file_.format = "stix";
        }
    }

    bool recognised() const { return misp_ || stix_ || stix_items_ > 0; }

  private:
    // --- STIX ---------------------------------------------------------------------------
    void stix_object(const json& o) {
        ++stix_items_;
        const std::string_view type = text_of(o, "type");
        if (type == "marking-definition") {
            marking(o);
        } else if (type == "indicator") {
            indicator(o);
        } else if (type.empty()) {
            context_.error(file_, file_.path, "an object without a type");
        }
    }

    void marking(const json& o) {
        const std::string_view id = text_of(o, "id");
        if (id.empty() || tlp_from_marking_ref(id)) return;  // the standard ones are known
        std::optional<Tlp> tlp;
        if (const auto def = o.find("definition"); def != o.end() && def->is_object())
            tlp = parse_tlp_name(text_of(*def, "tlp"));
        if (const auto ext = o.find("extensions"); !tlp && ext != o.end() && ext->is_object())
            for (const json& e : *ext)
                if (e.is_object() && !tlp) tlp = parse_tlp_name(text_of(e, "tlp_2_0"));
        if (!tlp) tlp = tlp_of_label(text_of(o, "name"));
        if (tlp && context_.custom_markings.size() < 100000)
            context_.custom_markings[std::string(id)] = *tlp;
    }

    // A timestamp property: 0 when absent, nullopt when present but not RFC 3339.
    static std::optional<std::int64_t> time_of(const json& o, const char* key) {
        const auto it = o.find(key);
        if (it == o.end()) return 0;
        if (!it->is_string()) return std::nullopt;
        const auto ts = parse_rfc3339(it->get_ref<const std::string&>());
        if (!ts) return std::nullopt;
        return ts->micros();
    }

    void indicator(const json& o) {
        const std::string_view id = text_of(o, "id");
        if (!is_stix_id(id) || id.substr(0, 11) != "indicator--") {
            context_.error(file_, file_.path, "an indicator without a valid id");
            return;
        }
        const std::string_view pattern = text_of(o, "pattern");
        const auto where = [&] { return fmt::format("{}: {}", file_.path, id); };
        IndicatorDraft draft;
        draft.id = id;
        draft.pattern = pattern;
        draft.source = source_;
        draft.revoked = flag_of(o, "revoked", false);
        const auto modified = time_of(o, "modified");
        const auto created = time_of(o, "created");
        const auto valid_from = time_of(o, "valid_from");
        const auto valid_until = time_of(o, "valid_until");
        if (!modified || !created || !valid_from || !valid_until) {
            context_.error(file_, where(), "a timestamp is not RFC 3339");
            return;
        }
        draft.modified_us = *modified != 0 ? *modified : *created;
        draft.valid_from_us = *valid_from;
        draft.valid_until_us = *valid_until;
        if (draft.valid_until_us != 0 && draft.valid_until_us <= draft.valid_from_us) {
            context_.error(file_, where(), "valid_until is not later than valid_from");
            return;
        }
        if (!draft.revoked) {
            if (pattern.empty()) {
                context_.error(file_, where(), "no pattern");
                return;
            }
            const std::string_view pattern_type = text_of(o, "pattern_type");
            if (!pattern_type.empty() && pattern_type != "stix") {
                AddResult unsupported;
                unsupported.outcome = AddOutcome::unsupported;
                unsupported.reason =
                    fmt::format("pattern_type '{}' is not evaluated (only 'stix')", pattern_type);
                context_.account(file_, unsupported, id, pattern);
                return;
            }
        }
        const std::string name(text_of(o, "name").substr(0, 1024));
        draft.name = name;
        std::vector<std::string> types = strings_of(o, "indicator_types");
        if (types.empty()) types = strings_of(o, "labels");  // STIX 2.0
        draft.types = types;
        std::vector<std::string> unknown_refs;
        for (const std::string& ref : strings_of(o, "object_marking_refs")) {
            if (const auto t = tlp_from_marking_ref(ref)) {
                draft.tlp = most_restrictive(draft.tlp, *t);
            } else if (const auto it = context_.custom_markings.find(ref);
                       it != context_.custom_markings.end()) {
                draft.tlp = most_restrictive(draft.tlp, it->second);
            } else {
                unknown_refs.push_back(ref);
            }
        }
        const AddResult result = context_.builder.add(draft);
        context_.account(file_, result, id, pattern);
        if (!unknown_refs.empty() &&
            (result.outcome == AddOutcome::added || result.outcome == AddOutcome::replaced) &&
            context_.unresolved_markings.size() < context_.options.max_indicators)
            context_.unresolved_markings.emplace_back(std::string(id), std::move(unknown_refs));
    }

    // --- MISP ---------------------------------------------------------------------------
    void misp_attribute(const json& a, std::string_view object_name, bool object_deleted) {
        if (!a.is_object()) return;
        if (misp_entries_.size() >= context_.options.max_indicators) {
            ++file_.dropped;
            return;
        }
        MispEntry e;
        e.type = std::string(text_of(a, "type").substr(0, 64));
        e.value = std::string(text_of(a, "value").substr(0, 64 * 1024));
        e.uuid = std::string(text_of(a, "uuid").substr(0, 64));
        e.comment = std::string(text_of(a, "comment").substr(0, 256));
        e.category = std::string(text_of(a, "category").substr(0, 64));
        e.object_name = std::string(object_name.substr(0, 64));
        e.timestamp = integer_of(a, "timestamp");
        e.to_ids = flag_of(a, "to_ids", true);
        e.deleted = object_deleted || flag_of(a, "deleted", false);
        e.tlp = tlp_of_tags(a);
        misp_entries_.push_back(std::move(e));
    }

    void misp_object(const json& o) {
        const auto attributes = o.find("Attribute");
        if (attributes == o.end() || !attributes->is_array()) return;
        const bool deleted = flag_of(o, "deleted", false);
        for (const json& a : *attributes) misp_attribute(a, text_of(o, "name"), deleted);
    }

    void misp_indicator(const MispEntry& e) {
        const std::string where =
            fmt::format("{}: attribute {}", file_.path, e.uuid.empty() ? e.value : e.uuid);
        if (e.deleted || event_deleted_) {
            ++file_.deleted;
            return;
        }
        if (!e.to_ids) {
            ++file_.not_for_ids;
            return;
        }
        const TypedPattern typed = pattern_for_typed_value(e.type, e.value);
        if (typed.unknown_type) {
            if (file_.unmatched_types.size() < 256 || file_.unmatched_types.count(e.type))
                ++file_.unmatched_types[e.type.empty() ? "(none)" : e.type];
            return;
        }
        if (!typed.problem.empty()) {
            context_.error(file_, where, typed.problem);
            return;
        }
        // MISP's own STIX export names the indicator after the attribute's uuid.
        const std::string id =
            parse_uuid(e.uuid)
                ? "indicator--" + to_lower(e.uuid)
                : derived_stix_id("indicator",
                                  fmt::format("misp|{}|{}|{}", event_uuid_, e.type, e.value));
        std::string label = e.object_name.empty() ? e.type : e.object_name + "/" + e.type;
        if (!e.comment.empty()) label += ": " + e.comment;
        const std::string name =
            event_info_.empty() ? label : fmt::format("{} ({})", event_info_, label);
        std::vector<std::string> types;
        if (!e.category.empty()) types.push_back(e.category);
        IndicatorDraft draft;
        draft.id = id;
        draft.name = name;
        draft.pattern = typed.pattern;
        draft.types = types;
        draft.source = source_;
        draft.tlp = most_restrictive(event_tlp_, e.tlp);
        draft.modified_us = e.timestamp * 1000000;
        context_.account(file_, context_.builder.add(draft), id, typed.pattern);
    }

    std::uint32_t source_;
    LoadContext& context_;
    FileReport& file_;
    bool stix_ = false;
    bool misp_ = false;
    std::size_t stix_items_ = 0;
    std::string event_info_;
    std::string event_uuid_;
    bool event_deleted_ = false;
    Tlp event_tlp_ = Tlp::none;
    std::vector<MispEntry> misp_entries_;
};

}  // namespace

void load_stix_or_misp(std::istream& in, std::uint32_t source, LoadContext& context) {
    FileReport& file = context.report.files[source];
    IntelJsonSink sink(source, context);
    JsonStreamLimits limits;
    limits.max_depth = context.options.max_json_depth;
    limits.max_item_bytes = context.options.max_item_bytes;
    const auto error = stream_json(in, sink, limits);
    sink.finish();
    if (error) {
        file.failed = true;
        context.error(file, file.path, *error);
    } else if (!sink.recognised()) {
        file.failed = true;
        context.error(file, file.path,
                      "not a STIX bundle, TAXII envelope, array of STIX objects or MISP event");
    }
}

}  // namespace tocsin::intel
