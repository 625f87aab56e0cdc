// A number expression of a rule keyword, as Suricata's integer keywords write them: "5",
// "=5", "0x11", "<5", "<=5", ">5", ">=5", "!5", "!=5", "1-10" and "1<>10" (strictly between,
// as Suricata's ranges are), "!1-10" (outside). Kept in the protocol folder because proto
// may not include detect.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::proto::s7comm {

class NumberExpr {
  public:
    static std::optional<NumberExpr> parse(std::string_view text);
    bool matches(std::int64_t v) const;

  private:
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, between, outside };
    Op op_ = Op::eq;
    std::int64_t a_ = 0;
    std::int64_t b_ = 0;
};

}  // namespace tocsin::proto::s7comm
