// The keyword table: every rule option Tocsin understands registers here, with the function
// that applies it to the signature being built. Protocol folders add their keywords through
// one registration call each (see keyword_table.cpp), so adding a protocol's keywords never
// touches the rule parser or the engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/signature.h"
#include "detect/text.h"
#include "detect/threshold.h"

namespace tocsin::detect {

class DatasetStore;

// Names shared by all rules of one load: flowbits and flowints by name, classifications.
struct LoadContext {
    // The datasets rules define and share by name (made on first use), and the rule file
    // being read: dataset `load` paths are relative to its folder.
    std::shared_ptr<DatasetStore> datasets;
    std::string rule_file;
    NetVariables variables;
    const Classifications* classifications = nullptr;
    std::map<std::string, std::uint32_t, std::less<>> flowbit_ids;
    std::map<std::string, std::uint32_t, std::less<>> flowint_ids;
    std::map<std::string, std::uint32_t, std::less<>> hostbit_ids;
    std::uint32_t flowbit_id(std::string_view name);
    std::uint32_t hostbit_id(std::string_view name);
    std::uint32_t flowint_id(std::string_view name);
};

struct KeywordSpec;

// One rule under construction: the signature plus what the keywords in between remember (the
// sticky buffer, the last content for its modifiers, byte_extract variable names).
class SignatureBuilder : public ByteVariableNames {
  public:
    SignatureBuilder(Signature& sig, LoadContext& context) : sig_(sig), context_(context) {}

    Signature& sig() { return sig_; }
    LoadContext& context() { return context_; }

    // The list new payload matches go to: the sticky buffer's, or the payload's.
    BufferMatches& current_list();
    BufferMatches& list_for(BufferId buffer);
    void set_sticky(BufferId buffer) {
        sticky_ = buffer;
        has_sticky_ = true;
        instance_ = -1;
    }
    // A transform after the sticky buffer's matches starts a second inspection of that buffer
    // (Suricata's buffer instances): the matches before it see the buffer, those after it the
    // transformed copy. The new list keeps the earlier transforms, so the chain continues.
    BufferMatches& start_instance();
    bool has_sticky() const { return has_sticky_; }
    BufferId sticky() const { return sticky_; }

    // The last payload match added to any list, and its list.
    PayloadMatch* last_match();
    BufferMatches* last_list() {
        return last_list_index_ < 0 ? nullptr
                                    : &sig_.buffers[static_cast<std::size_t>(last_list_index_)];
    }
    // The most recent content of the list the last match went to (modifiers like nocase and
    // fast_pattern may follow other keywords such as bsize).
    ContentMatch* last_content();
    void add_match(PayloadMatch match);
    // A relative keyword (byte_*, isdataat, pcre /R) outside a sticky buffer continues the list
    // of the match before it, as Suricata does: after `content:"x"; http_uri;` it reads the URI.
    void add_match_relative(PayloadMatch match, bool relative);
    // Moves the last content (a legacy modifier like http_uri follows it) to another buffer.
    std::string move_last_content_to(BufferId buffer);

    // ByteVariableNames
    int find(std::string_view name) const override;
    int declare(std::string_view name) override;

    bool fast_pattern_set = false;
    bool priority_set = false;
    // The keyword being applied (set by the loader before each setup call).
    const KeywordSpec* keyword = nullptr;
    bool keyword_has_value = false;

  private:
    Signature& sig_;
    LoadContext& context_;
    BufferId sticky_ = kBufferPayload;
    bool has_sticky_ = false;
    int instance_ = -1;  // the sticky buffer's list when it has several (start_instance)
    int last_list_index_ = -1;
    std::vector<std::string> variables_;
};

enum class KeywordValue : std::uint8_t { none, required, optional };

// Applies one option; returns "" or why the option is wrong.
using KeywordSetup = std::string (*)(SignatureBuilder& builder, std::string_view value);

struct KeywordSpec {
    std::string_view name;
    KeywordValue value;
    KeywordSetup setup;
    int param = 0;     // e.g. the buffer id of a sticky-buffer keyword
    bool raw = false;  // gets the value with its escapes (pcre: PCRE2 reads them)
};

class KeywordTable {
  public:
    void add(const KeywordSpec& spec);
    const KeywordSpec* find(std::string_view name) const;
    std::size_t size() const { return specs_.size(); }

    // Every keyword Tocsin knows, registered once.
    static const KeywordTable& standard();

  private:
    std::map<std::string_view, KeywordSpec, std::less<>> specs_;
};

// Registration functions, one per group of keywords (keyword_table.cpp calls each).
void register_meta_keywords(KeywordTable& table);
void register_payload_keywords(KeywordTable& table);
void register_flow_keywords(KeywordTable& table);
void register_header_keywords(KeywordTable& table);
void register_packet_keywords(KeywordTable& table);
void register_app_keywords(KeywordTable& table);  // keywords_app.cpp
void register_dataset_keywords(KeywordTable& table);
// Every ProtocolSpec::keywords of the registered protocols (keywords_app.cpp).
void register_protocol_keywords(KeywordTable& table);

}  // namespace tocsin::detect
