// CSV indicator lists: a header row naming the columns (at least `type` and `value`), then one
// indicator per record, RFC 4180 quoting (quoted fields may hold commas, "" and line breaks).
#include <algorithm>

#include <fmt/format.h>

#include "core/rfc3339.h"
#include "intel/loader_context.h"
#include "intel/types.h"
#include "intel/uuid.h"

namespace tocsin::intel {

namespace {

constexpr std::size_t kMaxFields = 64;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Reads RFC 4180 records; a record may span lines inside quotes.
class CsvReader {
  public:
    CsvReader(std::istream& in, std::size_t max_record) : in_(in), max_record_(max_record) {}

    enum class Status : std::uint8_t { record, end, error };

    // `line` receives the record's first line number; `error` what went wrong.
    Status next(std::vector<std::string>& fields, std::size_t& line, std::string& error) {
        fields.clear();
        std::string field;
        bool quoted = false;      // inside quotes
        bool was_quoted = false;  // this field began with a quote: kept as is
        std::size_t size = 0;
        std::string text;
        bool started = false;
        while (read_line(text, max_record_ - std::min(size, max_record_) + 1)) {
            ++line_;
            if (!started) {
                line = line_;
                started = true;
            }
            if (!text.empty() && text.back() == '\r') text.pop_back();
            size += text.size() + 1;
            if (size > max_record_) {
                error = fmt::format("a record longer than {} bytes", max_record_);
                return Status::error;
            }
            for (std::size_t i = 0; i < text.size(); ++i) {
                const char c = text[i];
                if (quoted) {
                    if (c != '"') {
                        field += c;
                    } else if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        ++i;
                    } else {
                        quoted = false;
                    }
                } else if (c == '"' && trim(field).empty() && !was_quoted) {
                    field.clear();
                    quoted = was_quoted = true;
                } else if (c == ',') {
                    if (!push(fields, field, was_quoted, error)) return Status::error;
                } else {
                    field += c;
                }
            }
            if (quoted) {
                field += '\n';
                continue;
            }
            if (!push(fields, field, was_quoted, error)) return Status::error;
            return Status::record;
        }
        if (quoted) {
            error = "a quoted field is not closed";
            return Status::error;
        }
        return Status::end;
    }

    std::size_t line() const { return line_; }

  private:
    // One line without its '\n', at most `limit` bytes kept (longer lines are cut there, and
    // the record is then too long); false at the end of the input.
    bool read_line(std::string& line, std::size_t limit) {
        line.clear();
        std::streambuf* buffer = in_.rdbuf();
        bool any = false;
        for (;;) {
            const int c = buffer->sbumpc();
            if (c == std::char_traits<char>::eof()) return any;
            any = true;
            if (c == '\n') return true;
            if (line.size() < limit) line.push_back(static_cast<char>(c));
        }
    }

    static bool push(std::vector<std::string>& fields, std::string& field, bool& was_quoted,
                     std::string& error) {
        if (fields.size() >= kMaxFields) {
            error = fmt::format("more than {} fields", kMaxFields);
            return false;
        }
        fields.push_back(was_quoted ? field : std::string(trim(field)));
        field.clear();
        was_quoted = false;
        return true;
    }

    std::istream& in_;
    std::size_t max_record_;
    std::size_t line_ = 0;
};

struct Columns {
    int type = -1;
    int value = -1;
    int name = -1;
    int tlp = -1;
    int id = -1;
    int valid_from = -1;
    int valid_until = -1;
    int modified = -1;
    int to_ids = -1;
    int types = -1;
    std::size_t count = 0;  // columns the header names

    static Columns from_header(const std::vector<std::string>& header) {
        Columns c;
        c.count = header.size();
        for (std::size_t i = 0; i < header.size(); ++i) {
            const std::string h = to_lower(trim(header[i]));
            const int at = static_cast<int>(i);
            auto take = [&](int& column, std::initializer_list<std::string_view> names) {
                for (std::string_view n : names)
                    if (h == n && column < 0) column = at;
            };
            take(c.type, {"type"});
            take(c.value, {"value", "indicator"});
            take(c.name, {"name", "description", "comment", "info"});
            take(c.tlp, {"tlp"});
            take(c.id, {"id", "uuid"});
            take(c.valid_from, {"valid_from", "valid-from"});
            take(c.valid_until, {"valid_until", "valid-until"});
            take(c.modified, {"modified"});
            take(c.to_ids, {"to_ids"});
            take(c.types, {"indicator_types", "types", "category"});
        }
        return c;
    }
};

std::string_view cell(const std::vector<std::string>& row, int column) {
    if (column < 0 || static_cast<std::size_t>(column) >= row.size()) return {};
    return row[static_cast<std::size_t>(column)];
}

bool blank(const std::vector<std::string>& row) {
    for (const std::string& f : row)
        if (!f.empty()) return false;
    return true;
}

// One data row; returns an error message, or empty.
std::string load_row(const std::vector<std::string>& row, const Columns& col, std::uint32_t source,
                     LoadContext& context) {
    FileReport& file = context.report.files[source];
    const std::string_view type = cell(row, col.type);
    const std::string_view value = cell(row, col.value);
    if (type.empty() || value.empty()) return "no type or no value";
    if (const std::string_view ids = cell(row, col.to_ids); !ids.empty()) {
        const std::string v = to_lower(ids);
        if (v == "0" || v == "false" || v == "no") {
            ++file.not_for_ids;
            return {};
        }
    }
    const TypedPattern typed = pattern_for_typed_value(type, value);
    if (typed.unknown_type) {
        if (file.unmatched_types.size() < 256 || file.unmatched_types.count(std::string(type)))
            ++file.unmatched_types[std::string(type)];
        return {};
    }
    if (!typed.problem.empty()) return typed.problem;

    IndicatorDraft draft;
    draft.source = source;
    const std::string_view given_id = cell(row, col.id);
    std::string id;
    if (is_stix_id(given_id))
        id = std::string(given_id);
    else if (!given_id.empty())
        id = derived_stix_id("indicator", fmt::format("csv-id|{}", given_id));
    else
        id = derived_stix_id("indicator", fmt::format("csv|{}", typed.pattern));
    draft.id = id;
    draft.pattern = typed.pattern;
    const std::string name(cell(row, col.name).substr(0, 1024));
    draft.name = name;
    if (const std::string_view t = cell(row, col.tlp); !t.empty()) {
        const auto tlp = parse_tlp_name(t);
        if (!tlp) return fmt::format("'{}' is not a TLP level", t);
        draft.tlp = *tlp;
    }
    const auto time = [&](int column, std::int64_t& out) -> bool {
        const std::string_view t = cell(row, column);
        if (t.empty()) return true;
        const auto ts = parse_rfc3339(t);
        if (ts) out = ts->micros();
        return ts.has_value();
    };
    if (!time(col.valid_from, draft.valid_from_us)) return "valid_from is not RFC 3339";
    if (!time(col.valid_until, draft.valid_until_us)) return "valid_until is not RFC 3339";
    if (!time(col.modified, draft.modified_us)) return "modified is not RFC 3339";
    if (draft.valid_until_us != 0 && draft.valid_until_us <= draft.valid_from_us)
        return "valid_until is not later than valid_from";
    std::vector<std::string> types;
    for (std::string_view rest = cell(row, col.types); !rest.empty() && types.size() < 16;) {
        const std::size_t semi = rest.find(';');
        const std::string_view one = trim(rest.substr(0, semi));
        if (!one.empty()) types.emplace_back(one);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    }
    draft.types = types;
    context.account(file, context.builder.add(draft), id, typed.pattern);
    return {};
}

}  // namespace

void load_csv(std::istream& in, std::uint32_t source, LoadContext& context) {
    FileReport& file = context.report.files[source];
    CsvReader reader(in, context.options.max_csv_record);
    std::vector<std::string> row;
    std::size_t line = 0;
    std::string error;
    Columns columns;
    bool have_header = false;
    for (;;) {
        const CsvReader::Status status = reader.next(row, line, error);
        if (status == CsvReader::Status::end) break;
        if (status == CsvReader::Status::error) {
            // A record that cannot be delimited leaves no safe place to resume.
            if (!have_header) file.failed = true;
            context.error(file, fmt::format("{}:{}", file.path, line), error);
            return;
        }
        if (blank(row) || (!row.empty() && !row.front().empty() && row.front().front() == '#'))
            continue;
        if (!have_header) {
            columns = Columns::from_header(row);
            if (columns.type < 0 || columns.value < 0) {
                file.failed = true;
                context.error(file, file.path,
                              "not STIX, MISP or CSV (a CSV file starts with a header row naming "
                              "the columns type and value)");
                return;
            }
            have_header = true;
            file.format = "csv";
            continue;
        }
        if (row.size() > columns.count) {
            context.error(
                file, fmt::format("{}:{}", file.path, line),
                fmt::format("{} fields where the header names {}", row.size(), columns.count));
            continue;
        }
        const std::string problem = load_row(row, columns, source, context);
        if (!problem.empty()) context.error(file, fmt::format("{}:{}", file.path, line), problem);
    }
    if (!have_header) {
        file.failed = true;
        context.error(file, file.path, "no header row");
    }
}

}  // namespace tocsin::intel
