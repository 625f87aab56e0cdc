// Rule metadata: identity, classification, references. None of these change what matches.
#include "detect/keyword_table.h"

namespace tocsin::detect {

namespace {

// sid, rev, gid and msg were read by the rule parser; here they are only checked for form.
std::string setup_number(SignatureBuilder&, std::string_view value) {
    std::uint64_t n = 0;
    if (!parse_u64(unquote(value), n) || n > 0xffffffffULL) return "not a 32-bit number";
    return "";
}

std::string setup_msg(SignatureBuilder&, std::string_view value) {
    const std::string_view v = trim(value);
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return "msg must be quoted";
    return "";
}

std::string setup_classtype(SignatureBuilder& b, std::string_view value) {
    const std::string_view name = trim(value);
    const Classifications* table = b.context().classifications;
    if (table == nullptr) table = &Classifications::builtin();
    const Classification* c = table->find(name);
    if (c == nullptr) return "unknown classtype '" + std::string(name) + "'";
    Signature& sig = b.sig();
    if (!sig.classtype.empty()) return "classtype given twice";
    sig.classtype = c->name;
    sig.category = c->description;
    if (!b.priority_set) sig.priority = c->priority;
    return "";
}

std::string setup_priority(SignatureBuilder& b, std::string_view value) {
    std::uint64_t n = 0;
    if (!parse_u64(value, n) || n < 1 || n > 255) return "priority must be 1..255";
    b.sig().priority = static_cast<int>(n);
    b.priority_set = true;
    return "";
}

std::string setup_reference(SignatureBuilder&, std::string_view value) {
    const std::size_t comma = value.find(',');
    if (comma == std::string_view::npos || trim(value.substr(0, comma)).empty() ||
        trim(value.substr(comma + 1)).empty())
        return "reference must be 'system,id'";
    return "";
}

// metadata: key value, key value ...  (Suricata keeps each pair; EVE groups values by key).
std::string setup_metadata(SignatureBuilder& b, std::string_view value) {
    for (std::string_view item : split_list(value, ',')) {
        if (item.empty()) continue;
        const std::size_t space = item.find_first_of(" \t");
        if (space == std::string_view::npos) {
            b.sig().metadata.emplace_back(std::string(item), "");
            continue;
        }
        b.sig().metadata.emplace_back(std::string(item.substr(0, space)),
                                      std::string(trim(item.substr(space + 1))));
    }
    return "";
}

std::string setup_target(SignatureBuilder& b, std::string_view value) {
    const std::string_view v = trim(value);
    if (v != "src_ip" && v != "dest_ip") return "target must be src_ip or dest_ip";
    b.sig().target = v == "src_ip" ? Signature::Target::source : Signature::Target::destination;
    return "";
}

std::string setup_noalert(SignatureBuilder& b, std::string_view) {
    b.sig().noalert = true;
    return "";
}

// tag: session|host[, count, packets|seconds|bytes[, src|dst]]. Accepted; tagged packets are
// not logged separately yet.
std::string setup_tag(SignatureBuilder&, std::string_view value) {
    const std::vector<std::string_view> parts = split_list(value, ',');
    if (parts[0] != "session" && parts[0] != "host") return "tag type must be session or host";
    return "";
}

// requires: feature X, version >= 7 ... A rule whose requirements Tocsin does not meet would
// be skipped silently by Suricata; Tocsin accepts the keyword and loads the rule.
std::string setup_accept(SignatureBuilder&, std::string_view) {
    return "";
}

}  // namespace

void register_meta_keywords(KeywordTable& table) {
    table.add({"msg", KeywordValue::required, setup_msg});
    table.add({"sid", KeywordValue::required, setup_number});
    table.add({"rev", KeywordValue::required, setup_number});
    table.add({"gid", KeywordValue::required, setup_number});
    table.add({"classtype", KeywordValue::required, setup_classtype});
    table.add({"priority", KeywordValue::required, setup_priority});
    table.add({"reference", KeywordValue::required, setup_reference});
    table.add({"metadata", KeywordValue::required, setup_metadata});
    table.add({"target", KeywordValue::required, setup_target});
    table.add({"noalert", KeywordValue::none, setup_noalert});
    table.add({"tag", KeywordValue::required, setup_tag});
    table.add({"requires", KeywordValue::required, setup_accept});
    table.add({"bypass", KeywordValue::none, setup_accept});
}

}  // namespace tocsin::detect
