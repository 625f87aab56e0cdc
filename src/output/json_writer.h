// A minimal streaming JSON writer for EVE records.
//
// Why not the JSON library: building an nlohmann::ordered_json per record and dumping it cost
// about 72,000 instructions per flow record, 29% of all instructions of `tocsin run` on a
// generated capture (callgrind, see docs/performance.md); this writer, appending straight to
// the output string, brings it to about 16,000. nlohmann-json is still used where JSON is read.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin::output {

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    void begin_object() {
        separate();
        open('{');
    }
    void begin_object(std::string_view key) {
        write_key(key);
        open('{');
    }
    void end_object() { close('}'); }
    void begin_array(std::string_view key) {
        write_key(key);
        open('[');
    }
    void end_array() { close(']'); }

    void field(std::string_view key, std::string_view value) {
        write_key(key);
        string(value);
    }
    void field(std::string_view key, const char* value) { field(key, std::string_view(value)); }
    void field(std::string_view key, std::uint64_t value) {
        write_key(key);
        number(value);
    }
    void field(std::string_view key, std::int64_t value) {
        write_key(key);
        number(value);
    }
    void field(std::string_view key, unsigned value) { field(key, std::uint64_t{value}); }
    void field(std::string_view key, int value) { field(key, std::int64_t{value}); }
    void field(std::string_view key, bool value) {
        write_key(key);
        out_.append(value ? "true" : "false");
    }
    void field(std::string_view key, double value) {
        write_key(key);
        number(value);
    }
    // A value inside an array.
    void element(std::uint64_t value) {
        separate();
        number(value);
    }
    void element(std::string_view value) {
        separate();
        append_string(out_, value);
    }
    // The key of a value the caller writes itself (e.g. a timestamp appended in place).
    std::string& raw_field(std::string_view key) {
        write_key(key);
        return out_;
    }

    // Appends `text` as a JSON string: quotes, escapes, and invalid UTF-8 bytes as \u00XX.
    static void append_string(std::string& out, std::string_view text);

  private:
    void separate() {
        if (depth_ > 0 && !first_[depth_ - 1]) out_.push_back(',');
        if (depth_ > 0) first_[depth_ - 1] = false;
    }
    void write_key(std::string_view key) {
        separate();
        append_string(out_, key);
        out_.push_back(':');
    }
    void open(char c) {
        out_.push_back(c);
        first_[depth_++] = true;
    }
    void close(char c) {
        out_.push_back(c);
        --depth_;
    }
    void string(std::string_view s) { append_string(out_, s); }
    void number(std::uint64_t v);
    void number(std::int64_t v);
    void number(double v);

    std::string& out_;
    std::array<bool, 16> first_{};
    std::size_t depth_ = 0;
};

}  // namespace tocsin::output
