#include "hub/stix.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/rfc3339.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;

enum class Kind { sdo, sro, meta, sco, custom };

struct TypeKind {
    std::string_view type;
    Kind kind;
};

constexpr std::array<TypeKind, 42> kTypes = {{
    {"attack-pattern", Kind::sdo},
    {"campaign", Kind::sdo},
    {"course-of-action", Kind::sdo},
    {"grouping", Kind::sdo},
    {"identity", Kind::sdo},
    {"incident", Kind::sdo},
    {"indicator", Kind::sdo},
    {"infrastructure", Kind::sdo},
    {"intrusion-set", Kind::sdo},
    {"location", Kind::sdo},
    {"malware", Kind::sdo},
    {"malware-analysis", Kind::sdo},
    {"note", Kind::sdo},
    {"observed-data", Kind::sdo},
    {"opinion", Kind::sdo},
    {"report", Kind::sdo},
    {"threat-actor", Kind::sdo},
    {"tool", Kind::sdo},
    {"vulnerability", Kind::sdo},
    {"relationship", Kind::sro},
    {"sighting", Kind::sro},
    {"marking-definition", Kind::meta},
    {"language-content", Kind::meta},
    {"extension-definition", Kind::meta},
    {"artifact", Kind::sco},
    {"autonomous-system", Kind::sco},
    {"directory", Kind::sco},
    {"domain-name", Kind::sco},
    {"email-addr", Kind::sco},
    {"email-message", Kind::sco},
    {"file", Kind::sco},
    {"ipv4-addr", Kind::sco},
    {"ipv6-addr", Kind::sco},
    {"mac-addr", Kind::sco},
    {"mutex", Kind::sco},
    {"network-traffic", Kind::sco},
    {"process", Kind::sco},
    {"software", Kind::sco},
    {"url", Kind::sco},
    {"user-account", Kind::sco},
    {"windows-registry-key", Kind::sco},
    {"x509-certificate", Kind::sco},
}};

Kind kind_of(std::string_view type) {
    for (const auto& t : kTypes)
        if (t.type == type) return t.kind;
    return Kind::custom;  // treated as an SDO: created and modified are required
}

// STIX 2.1 section 3.1: 3 to 250 characters of a-z, 0-9 and '-', starting with a letter; the
// OASIS schemas also refuse a trailing '-' and "--" (the id separator).
bool is_type_name(std::string_view type) {
    if (type.size() < 3 || type.size() > 250) return false;
    if (type.front() < 'a' || type.front() > 'z' || type.back() == '-') return false;
    if (type.find("--") != std::string_view::npos) return false;
    return std::all_of(type.begin(), type.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 4122: 8-4-4-4-12 hex digits, version 1 to 5, variant 10xx.
bool is_rfc4122_uuid(std::string_view u) {
    if (u.size() != 36) return false;
    for (std::size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-') return false;
        } else if (!is_hex(u[i])) {
            return false;
        }
    }
    if (u[14] < '1' || u[14] > '5') return false;
    const char variant = static_cast<char>(std::tolower(static_cast<unsigned char>(u[19])));
    return variant == '8' || variant == '9' || variant == 'a' || variant == 'b';
}

// Collects the first problem; later checks are skipped once one is found.
class Checker {
  public:
    explicit Checker(const json& object) : o_(object) {}

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    void fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
    }

    const json* get(std::string_view key) const {
        const auto it = o_.find(key);
        return it == o_.end() ? nullptr : &*it;
    }

    void require(std::string_view key) {
        if (!get(key)) fail(fmt::format("'{}' is required", key));
    }
    void string(std::string_view key, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
        } else if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
            fail(fmt::format("'{}' must be a non-empty string", key));
        }
    }
    std::optional<std::int64_t> timestamp(std::string_view key, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
            return std::nullopt;
        }
        if (!v->is_string()) {
            fail(fmt::format("'{}' must be a timestamp", key));
            return std::nullopt;
        }
        const auto ts = parse_rfc3339(v->get_ref<const std::string&>());
        if (!ts) {
            fail(fmt::format("'{}' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)",
                             key));
            return std::nullopt;
        }
        return ts->micros();
    }
    void boolean(std::string_view key, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
        } else if (!v->is_boolean()) {
            fail(fmt::format("'{}' must be true or false", key));
        }
    }
    void integer(std::string_view key, std::int64_t low, std::int64_t high, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
        } else if (!v->is_number_integer() || v->get<std::int64_t>() < low ||
                   v->get<std::int64_t>() > high) {
            fail(fmt::format("'{}' must be an integer from {} to {}", key, low, high));
        }
    }
    void reference(std::string_view key, bool required, std::string_view of_type = {}) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
        } else if (!v->is_string() || !is_stix_id(v->get_ref<const std::string&>()) ||
                   (!of_type.empty() &&
                    !is_stix_id_of_type(v->get_ref<const std::string&>(), of_type))) {
            fail(of_type.empty() ? fmt::format("'{}' must be a STIX identifier", key)
                                 : fmt::format("'{}' must be a {} identifier", key, of_type));
        }
    }
    void references(std::string_view key, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
            return;
        }
        if (!v->is_array() || v->empty()) {
            fail(fmt::format("'{}' must be a non-empty list of identifiers", key));
            return;
        }
        for (const auto& item : *v)
            if (!item.is_string() || !is_stix_id(item.get_ref<const std::string&>()))
                return fail(fmt::format("'{}' must be a non-empty list of identifiers", key));
    }
    void strings(std::string_view key) {
        const json* v = get(key);
        if (!v) return;
        if (!v->is_array()) return fail(fmt::format("'{}' must be a list of strings", key));
        for (const auto& item : *v)
            if (!item.is_string()) return fail(fmt::format("'{}' must be a list of strings", key));
    }
    void dictionary(std::string_view key, bool required) {
        const json* v = get(key);
        if (!v) {
            if (required) fail(fmt::format("'{}' is required", key));
        } else if (!v->is_object()) {
            fail(fmt::format("'{}' must be a dictionary", key));
        }
    }
    void not_before(std::optional<std::int64_t> later, std::optional<std::int64_t> earlier,
                    std::string_view later_key, std::string_view earlier_key) {
        if (later && earlier && *later < *earlier)
            fail(fmt::format("'{}' is earlier than '{}'", later_key, earlier_key));
    }

  private:
    const json& o_;
    std::string error_;
};

// object_marking_refs and granular_markings: every marking must be one the hub enforces.
Tlp check_markings(Checker& c) {
    Tlp tlp = Tlp::unmarked;
    const auto add = [&](const json& ref, std::string_view where) {
        if (!ref.is_string() ||
            !is_stix_id_of_type(ref.get_ref<const std::string&>(), "marking-definition")) {
            c.fail(fmt::format("'{}' must hold marking-definition identifiers", where));
            return;
        }
        const auto level = tlp_from_marking_ref(ref.get_ref<const std::string&>());
        if (!level) {
            c.fail(fmt::format("unknown marking-definition {} (the hub enforces TLP markings only)",
                               ref.get_ref<const std::string&>()));
            return;
        }
        tlp = most_restrictive(tlp, *level);
    };
    if (const json* refs = c.get("object_marking_refs")) {
        if (!refs->is_array())
            c.fail("'object_marking_refs' must be a list");
        else
            for (const auto& ref : *refs) add(ref, "object_marking_refs");
    }
    if (const json* granular = c.get("granular_markings")) {
        if (!granular->is_array()) {
            c.fail("'granular_markings' must be a list");
            return tlp;
        }
        for (const auto& g : *granular) {
            if (!g.is_object() || !g.contains("selectors") || !g["selectors"].is_array() ||
                g["selectors"].empty()) {
                c.fail("each granular marking needs a non-empty 'selectors' list");
                break;
            }
            // A TLP marking on part of an object restricts the whole object: the hub shares
            // objects, not parts of them.
            if (g.contains("marking_ref"))
                add(g["marking_ref"], "granular_markings");
            else if (!g.contains("lang"))
                c.fail("each granular marking needs 'marking_ref' or 'lang'");
        }
    }
    return tlp;
}

void check_common_optional(Checker& c) {
    c.reference("created_by_ref", false, "identity");
    c.boolean("revoked", false);
    c.strings("labels");
    c.integer("confidence", 0, 100, false);
    c.string("lang", false);
    c.dictionary("extensions", false);
    if (const json* refs = c.get("external_references")) {
        if (!refs->is_array()) return c.fail("'external_references' must be a list");
        for (const auto& r : *refs)
            if (!r.is_object() || !r.contains("source_name") || !r["source_name"].is_string())
                return c.fail("each external reference needs a 'source_name' string");
    }
}

void check_type_specific(Checker& c, std::string_view type) {
    if (type == "indicator") {
        c.string("pattern", true);
        c.string("pattern_type", true);
        const auto from = c.timestamp("valid_from", true);
        const auto until = c.timestamp("valid_until", false);
        if (from && until && *until <= *from)
            c.fail("'valid_until' must be later than 'valid_from'");
        c.strings("indicator_types");
    } else if (type == "sighting") {
        c.reference("sighting_of_ref", true);
        const auto first = c.timestamp("first_seen", false);
        const auto last = c.timestamp("last_seen", false);
        c.not_before(last, first, "last_seen", "first_seen");
        c.integer("count", 0, 999999999, false);
        if (c.get("observed_data_refs")) c.references("observed_data_refs", false);
        if (c.get("where_sighted_refs")) c.references("where_sighted_refs", false);
    } else if (type == "identity") {
        c.string("name", true);
    } else if (type == "marking-definition") {
        c.string("name", false);
        // TLP 2.0 definitions carry an extension instead of definition_type/definition.
        if (!c.get("extensions")) {
            c.string("definition_type", true);
            c.dictionary("definition", true);
        }
    } else if (type == "relationship") {
        c.string("relationship_type", true);
        c.reference("source_ref", true);
        c.reference("target_ref", true);
        const auto start = c.timestamp("start_time", false);
        const auto stop = c.timestamp("stop_time", false);
        if (start && stop && *stop <= *start) c.fail("'stop_time' must be later than 'start_time'");
    } else if (type == "malware") {
        c.boolean("is_family", true);
        if (const json* family = c.get("is_family");
            family && family->is_boolean() && family->get<bool>())
            c.string("name", true);
        else
            c.string("name", false);
        const auto first = c.timestamp("first_seen", false);
        const auto last = c.timestamp("last_seen", false);
        c.not_before(last, first, "last_seen", "first_seen");
    } else if (type == "report") {
        c.string("name", true);
        c.timestamp("published", true);
        c.references("object_refs", true);
    } else if (type == "observed-data") {
        const auto first = c.timestamp("first_observed", true);
        const auto last = c.timestamp("last_observed", true);
        c.not_before(last, first, "last_observed", "first_observed");
        c.integer("number_observed", 1, 999999999, true);
        if (c.get("objects"))
            c.dictionary("objects", true);  // deprecated in 2.1, still valid
        else
            c.references("object_refs", true);
    } else if (type == "attack-pattern" || type == "campaign" || type == "course-of-action" ||
               type == "infrastructure" || type == "intrusion-set" || type == "threat-actor" ||
               type == "tool" || type == "vulnerability" || type == "incident") {
        c.string("name", true);
    } else if (type == "grouping") {
        c.string("context", true);
        c.references("object_refs", true);
    } else if (type == "note") {
        c.string("content", true);
        c.references("object_refs", true);
    } else if (type == "opinion") {
        c.string("opinion", true);
        c.references("object_refs", true);
    } else if (type == "language-content") {
        c.reference("object_ref", true);
        c.dictionary("contents", true);
    } else if (type == "ipv4-addr" || type == "ipv6-addr" || type == "domain-name" ||
               type == "url" || type == "mac-addr" || type == "email-addr") {
        c.string("value", true);
    }
}

}  // namespace

bool is_stix_id(std::string_view id) {
    const auto sep = id.find("--");
    if (sep == std::string_view::npos) return false;
    return is_type_name(id.substr(0, sep)) && is_rfc4122_uuid(id.substr(sep + 2));
}

bool is_stix_id_of_type(std::string_view id, std::string_view type) {
    return id.size() > type.size() + 2 && id.starts_with(type) &&
           id.substr(type.size(), 2) == "--" && is_stix_id(id);
}

StixCheck check_stix_object(const json& object) {
    StixCheck result;
    if (!object.is_object()) {
        result.error = "not a JSON object";
        return result;
    }
    if (const auto it = object.find("id"); it != object.end() && it->is_string())
        result.reported_id = it->get<std::string>();
    for (const char* key : {"modified", "created"})
        if (const auto it = object.find(key); it != object.end() && it->is_string()) {
            result.reported_version = it->get<std::string>();
            break;
        }
    Checker c(object);
    const json* type = c.get("type");
    if (!type || !type->is_string() || !is_type_name(type->get_ref<const std::string&>())) {
        result.error = "'type' must be a STIX type name";
        return result;
    }
    const auto& type_name = type->get_ref<const std::string&>();
    const json* id = c.get("id");
    if (!id || !id->is_string() ||
        !is_stix_id_of_type(id->get_ref<const std::string&>(), type_name)) {
        result.error = fmt::format("'id' must be {}--<RFC 4122 UUID>", type_name);
        return result;
    }
    const Kind kind = kind_of(type_name);
    const json* spec = c.get("spec_version");
    if (spec ? (!spec->is_string() || *spec != "2.1") : kind != Kind::sco) {
        result.error = "'spec_version' must be \"2.1\"";
        return result;
    }
    std::optional<std::int64_t> created, modified;
    if (kind != Kind::sco) {
        created = c.timestamp("created", true);
        // Marking definitions are never versioned: they have no modified.
        modified = c.timestamp("modified", type_name != "marking-definition");
        c.not_before(modified, created, "modified", "created");
    }
    check_common_optional(c);
    check_type_specific(c, type_name);
    const Tlp tlp = check_markings(c);
    if (!c.ok()) {
        result.error = c.error();
        return result;
    }
    StixObjectInfo info;
    info.id = id->get<std::string>();
    info.type = type_name;
    info.tlp = tlp;
    if (modified) {
        info.version_us = modified;
        info.version_text = object["modified"].get<std::string>();
    } else if (created) {
        info.version_us = created;
        info.version_text = object["created"].get<std::string>();
    }
    result.info = std::move(info);
    return result;
}

std::size_t json_depth(std::string_view text, std::size_t limit) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char ch : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) return deepest;
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace tocsin::hub
