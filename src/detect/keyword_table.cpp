#include "detect/keyword_table.h"

#include <charconv>

namespace tocsin::detect {

std::uint32_t LoadContext::flowbit_id(std::string_view name) {
    auto it = flowbit_ids.find(name);
    if (it != flowbit_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(flowbit_ids.size());
    flowbit_ids.emplace(std::string(name), id);
    return id;
}

std::uint32_t LoadContext::hostbit_id(std::string_view name) {
    auto it = hostbit_ids.find(name);
    if (it != hostbit_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(hostbit_ids.size());
    hostbit_ids.emplace(std::string(name), id);
    return id;
}

std::uint32_t LoadContext::flowint_id(std::string_view name) {
    auto it = flowint_ids.find(name);
    if (it != flowint_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(flowint_ids.size());
    flowint_ids.emplace(std::string(name), id);
    return id;
}

BufferMatches& SignatureBuilder::list_for(BufferId buffer) {
    for (BufferMatches& list : sig_.buffers)
        if (list.buffer == buffer) return list;
    sig_.buffers.push_back(BufferMatches{buffer, {}, {}});
    return sig_.buffers.back();
}

BufferMatches& SignatureBuilder::current_list() {
    if (has_sticky_ && instance_ >= 0) return sig_.buffers[static_cast<std::size_t>(instance_)];
    return list_for(has_sticky_ ? sticky_ : kBufferPayload);
}

BufferMatches& SignatureBuilder::start_instance() {
    std::vector<Transform> transforms = current_list().transforms;
    sig_.buffers.push_back(BufferMatches{sticky_, std::move(transforms), {}});
    instance_ = static_cast<int>(sig_.buffers.size() - 1);
    return sig_.buffers.back();
}

void SignatureBuilder::add_match(PayloadMatch match) {
    BufferMatches& list = current_list();
    list.matches.push_back(std::move(match));
    last_list_index_ = static_cast<int>(&list - sig_.buffers.data());
}

void SignatureBuilder::add_match_relative(PayloadMatch match, bool relative) {
    BufferMatches* previous = last_list();
    if (!relative || has_sticky_ || previous == nullptr) {
        add_match(std::move(match));
        return;
    }
    previous->matches.push_back(std::move(match));
}

PayloadMatch* SignatureBuilder::last_match() {
    BufferMatches* list = last_list();
    if (list == nullptr || list->matches.empty()) return nullptr;
    return &list->matches.back();
}

ContentMatch* SignatureBuilder::last_content() {
    BufferMatches* list = last_list();
    if (list == nullptr) return nullptr;
    for (auto it = list->matches.rbegin(); it != list->matches.rend(); ++it)
        if (auto* c = std::get_if<ContentMatch>(&*it)) return c;
    return nullptr;
}

std::string SignatureBuilder::move_last_content_to(BufferId buffer) {
    BufferMatches* from = last_list();
    if (from == nullptr || from->matches.empty() ||
        !std::holds_alternative<ContentMatch>(from->matches.back()))
        return "needs a content right before it";
    if (has_sticky_) return "cannot follow a sticky buffer; use the buffer keyword instead";
    if (from->buffer == buffer) return "";
    if (from->buffer != kBufferPayload) return "content already has a buffer modifier";
    PayloadMatch moved = std::move(from->matches.back());
    from->matches.pop_back();
    const bool from_empty = from->matches.empty();
    const BufferId from_id = from->buffer;
    BufferMatches& to = list_for(buffer);
    to.matches.push_back(std::move(moved));
    // Drop a payload list the move emptied, so the rule does not inspect the packet payload.
    if (from_empty) {
        for (auto it = sig_.buffers.begin(); it != sig_.buffers.end(); ++it)
            if (it->buffer == from_id && it->matches.empty() && it->transforms.empty()) {
                sig_.buffers.erase(it);
                break;
            }
    }
    for (std::size_t i = 0; i < sig_.buffers.size(); ++i)
        if (sig_.buffers[i].buffer == buffer) last_list_index_ = static_cast<int>(i);
    return "";
}

int SignatureBuilder::find(std::string_view name) const {
    for (std::size_t i = 0; i < variables_.size(); ++i)
        if (variables_[i] == name) return static_cast<int>(i);
    return -1;
}

int SignatureBuilder::declare(std::string_view name) {
    if (find(name) >= 0) return -1;
    if (variables_.size() >= kMaxByteVariables) return -1;
    variables_.emplace_back(name);
    return static_cast<int>(variables_.size() - 1);
}

void KeywordTable::add(const KeywordSpec& spec) {
    specs_[spec.name] = spec;
}

const KeywordSpec* KeywordTable::find(std::string_view name) const {
    auto it = specs_.find(name);
    return it == specs_.end() ? nullptr : &it->second;
}

const KeywordTable& KeywordTable::standard() {
    static const KeywordTable table = [] {
        KeywordTable t;
        register_meta_keywords(t);
        register_payload_keywords(t);
        register_flow_keywords(t);
        register_header_keywords(t);
        register_packet_keywords(t);
        register_app_keywords(t);
        register_dataset_keywords(t);
        // Protocols' own keywords (ProtocolSpec::keywords): adding one touches only its folder.
        register_protocol_keywords(t);
        return t;
    }();
    return table;
}

}  // namespace tocsin::detect
