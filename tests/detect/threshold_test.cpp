// Expected results follow Suricata's documentation of the threshold and detection_filter
// keywords, threshold.config and classification.config (and the window model in
// threshold.h), worked out by hand rather than taken from a run.
#include "detect/threshold.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tocsin::detect {
namespace {

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

Timestamp at(std::int64_t sec, std::uint32_t usec = 0) {
    return {sec, usec};
}

ThresholdSpec keyword(const char* value) {
    ThresholdSpec spec;
    const std::string error = parse_threshold(value, spec);
    EXPECT_EQ(error, "") << value;
    return spec;
}

ThresholdSpec filter(const char* value) {
    ThresholdSpec spec;
    const std::string error = parse_detection_filter(value, spec);
    EXPECT_EQ(error, "") << value;
    return spec;
}

std::string threshold_error(const char* value) {
    ThresholdSpec spec;
    spec.count = 77;  // a failed parse must leave the output alone
    const std::string error = parse_threshold(value, spec);
    EXPECT_EQ(spec.count, 77u) << value;
    return error;
}

std::string filter_error(const char* value) {
    ThresholdSpec spec;
    return parse_detection_filter(value, spec);
}

ThresholdMatch match(const char* src, const char* dst, Timestamp ts, std::uint64_t flow = 1) {
    ThresholdMatch m;
    m.src = ip(src);
    m.dst = ip(dst);
    m.flow_id = flow;
    m.ts = ts;
    return m;
}

// The alert decisions for matches of rule 1:1000 from 10.0.0.1 to 10.0.0.2 at these seconds.
std::vector<bool> run(ThresholdTracker& tracker, const ThresholdSpec& spec,
                      const std::vector<std::int64_t>& seconds) {
    std::vector<bool> out;
    for (const auto s : seconds)
        out.push_back(tracker.should_alert(spec, 1, 1000, match("10.0.0.1", "10.0.0.2", at(s))));
    return out;
}

std::vector<bool> run(const ThresholdSpec& spec, const std::vector<std::int64_t>& seconds) {
    ThresholdTracker tracker;
    return run(tracker, spec, seconds);
}

using Alerts = std::vector<bool>;
constexpr bool T = true;
constexpr bool F = false;

// ---- keyword parsing ---------------------------------------------------------------------

TEST(ThresholdKeyword, ParsesTheDocumentedForms) {
    const ThresholdSpec limit = keyword("type limit, track by_src, count 1, seconds 60");
    EXPECT_EQ(limit.type, ThresholdType::limit);
    EXPECT_EQ(limit.track, TrackBy::by_src);
    EXPECT_EQ(limit.count, 1u);
    EXPECT_EQ(limit.seconds, 60u);
    // ET writes seconds before count; no spaces after commas is common too.
    const ThresholdSpec reordered = keyword("type limit, track by_src, seconds 180, count 1");
    EXPECT_EQ(reordered.seconds, 180u);
    EXPECT_EQ(reordered.count, 1u);
    const ThresholdSpec tight = keyword("type both,track by_dst,count 5,seconds 360");
    EXPECT_EQ(tight.type, ThresholdType::both);
    EXPECT_EQ(tight.track, TrackBy::by_dst);
    EXPECT_EQ(keyword("type threshold, track by_flow, count 10, seconds 60").track,
              TrackBy::by_flow);
    EXPECT_EQ(keyword("type threshold, track by_rule, count 10, seconds 60").track,
              TrackBy::by_rule);
    EXPECT_EQ(keyword("type threshold, track by_both, count 10, seconds 60").track,
              TrackBy::by_both);
    EXPECT_EQ(keyword("  type limit ,  track by_src , count 4294967295 , seconds 1  ").count,
              4294967295u);
}

TEST(ThresholdKeyword, Backoff) {
    const ThresholdSpec spec = keyword("type backoff, track by_flow, count 1, multiplier 10");
    EXPECT_EQ(spec.type, ThresholdType::backoff);
    EXPECT_EQ(spec.multiplier, 10u);
    EXPECT_NE(threshold_error("type backoff, track by_src, count 1, multiplier 10"), "");
    EXPECT_NE(threshold_error("type backoff, track by_flow, count 1, seconds 10"), "");
    EXPECT_NE(threshold_error("type backoff, track by_flow, count 1"), "");
    EXPECT_NE(threshold_error("type limit, track by_src, count 1, multiplier 10"), "");
}

TEST(ThresholdKeyword, Errors) {
    EXPECT_EQ(threshold_error(""), "missing 'type'");
    EXPECT_EQ(threshold_error("track by_src, count 1, seconds 60"), "missing 'type'");
    EXPECT_EQ(threshold_error("type limit, count 1, seconds 60"), "missing 'track'");
    EXPECT_EQ(threshold_error("type limit, track by_src, seconds 60"), "missing 'count'");
    EXPECT_EQ(threshold_error("type limit, track by_src, count 1"), "missing 'seconds'");
    EXPECT_NE(threshold_error("type often, track by_src, count 1, seconds 60"), "");
    EXPECT_NE(threshold_error("type limit, track by_port, count 1, seconds 60"), "");
    EXPECT_EQ(threshold_error("type limit, track by_src, count 1, seconds 60, colour red"),
              "unknown option 'colour'");
    EXPECT_EQ(threshold_error("type limit, track by_src, count 0, seconds 60"),
              "'count' must be at least 1");
    EXPECT_EQ(threshold_error("type limit, track by_src, count 1, seconds 0"),
              "'seconds' must be at least 1");
    EXPECT_EQ(threshold_error("type limit, track by_src, count -1, seconds 60"),
              "'count' must not be negative");
    EXPECT_NE(threshold_error("type limit, track by_src, count 4294967296, seconds 60"), "");
    EXPECT_NE(threshold_error("type limit, track by_src, count 99999999999999999999999, "
                              "seconds 60"),
              "");
    EXPECT_NE(threshold_error("type limit, track by_src, count +1, seconds 60"), "");
    EXPECT_NE(threshold_error("type limit, track by_src, count 1.5, seconds 60"), "");
    EXPECT_NE(threshold_error("type limit, track by_src, count ten, seconds 60"), "");
    EXPECT_NE(threshold_error("type limit, track by_src, count 1 2, seconds 60"), "");
    EXPECT_EQ(threshold_error("type limit, type both, track by_src, count 1, seconds 60"),
              "'type' given twice");
    EXPECT_EQ(threshold_error("type limit,, track by_src, count 1, seconds 60"),
              "empty option (stray ',')");
    EXPECT_EQ(threshold_error("type limit, track by_src, count, seconds 60"),
              "'count' needs a value");
    EXPECT_NE(threshold_error("type limit, track by_src, count 1, seconds 60, unique_on dst_port"),
              "");
}

TEST(DetectionFilterKeyword, ParsesAndRejects) {
    const ThresholdSpec spec = filter("track by_src, count 5, seconds 60");
    EXPECT_EQ(spec.type, ThresholdType::detection_filter);
    EXPECT_EQ(spec.track, TrackBy::by_src);
    EXPECT_EQ(spec.count, 5u);
    EXPECT_EQ(spec.seconds, 60u);
    EXPECT_EQ(spec.unique_on, UniqueOn::none);
    EXPECT_EQ(filter("track by_src,count 15,seconds 2").count, 15u);
    EXPECT_EQ(filter("track by_dst, count 10, seconds 60, unique_on dst_port").unique_on,
              UniqueOn::dst_port);
    EXPECT_EQ(filter("track by_dst, count 20, seconds 30, unique_on src_port").unique_on,
              UniqueOn::src_port);

    EXPECT_EQ(filter_error("count 5, seconds 60"), "missing 'track'");
    EXPECT_EQ(filter_error("track by_src, seconds 60"), "missing 'count'");
    EXPECT_EQ(filter_error("track by_src, count 5"), "missing 'seconds'");
    EXPECT_EQ(filter_error("type limit, track by_src, count 5, seconds 60"),
              "unknown option 'type'");
    EXPECT_NE(filter_error("track by_src, count 5, seconds 60, unique_on proto"), "");
    EXPECT_NE(filter_error("track by_src, count 0, seconds 60"), "");
    // Only 65536 ports exist, so more distinct ones can never be seen.
    EXPECT_NE(filter_error("track by_dst, count 65536, seconds 60, unique_on dst_port"), "");
    EXPECT_EQ(filter_error("track by_dst, count 65535, seconds 60, unique_on dst_port"), "");
}

TEST(ThresholdKeyword, Names) {
    EXPECT_EQ(to_string(ThresholdType::detection_filter), "detection_filter");
    EXPECT_EQ(to_string(ThresholdType::both), "both");
    EXPECT_EQ(to_string(TrackBy::by_both), "by_both");
    EXPECT_EQ(to_string(RateAction::sdrop), "sdrop");
}

// ---- classification.config ---------------------------------------------------------------

TEST(Classifications, ParsesFileWithCommentsAndErrors) {
    const char* text =
        "#\n"
        "# config classification:shortname,short description,priority\n"
        "\n"
        "config classification: not-suspicious,Not Suspicious Traffic,3\n"
        "config classification:bad-unknown,Potentially Bad Traffic, 2\r\n"
        "config classification: odd, Has, commas, inside ,4\n"
        "config classification: broken,no priority\n"                 // line 7
        "config classification: zero,Zero priority,0\n"               // line 8
        "config classification: big,Too big,256\n"                    // line 9
        "config reference: url http://\n"                             // line 10
        "config classification: Not-Suspicious,Again,1\n"             // line 11
        "config classification: ,No name,1\n"                         // line 12
        "   config   classification :  spaced , Spaced out , 1  \n";  // line 13
    std::vector<std::string> errors;
    const Classifications c = Classifications::parse(text, errors);
    ASSERT_EQ(c.size(), 4u);
    const Classification* bad = c.find("bad-unknown");
    ASSERT_NE(bad, nullptr);
    EXPECT_EQ(bad->description, "Potentially Bad Traffic");
    EXPECT_EQ(bad->priority, 2);
    EXPECT_EQ(c.find("odd")->description, "Has, commas, inside");
    EXPECT_EQ(c.find("odd")->priority, 4);
    EXPECT_EQ(c.find("NOT-SUSPICIOUS")->description, "Not Suspicious Traffic");
    EXPECT_EQ(c.find("spaced")->description, "Spaced out");
    EXPECT_EQ(c.find("broken"), nullptr);
    EXPECT_EQ(c.all()[0].name, "not-suspicious");
    ASSERT_EQ(errors.size(), 6u);
    EXPECT_EQ(errors[0].rfind("line 7: ", 0), 0u) << errors[0];
    EXPECT_EQ(errors[1].rfind("line 8: ", 0), 0u) << errors[1];
    EXPECT_EQ(errors[2].rfind("line 9: ", 0), 0u) << errors[2];
    EXPECT_EQ(errors[3].rfind("line 10: ", 0), 0u) << errors[3];
    EXPECT_EQ(errors[4], "line 11: classification 'Not-Suspicious' redefined");
    EXPECT_EQ(errors[5].rfind("line 12: ", 0), 0u) << errors[5];
}

TEST(Classifications, BuiltinTable) {
    const Classifications& c = Classifications::builtin();
    EXPECT_EQ(c.size(), 43u);
    ASSERT_NE(c.find("trojan-activity"), nullptr);
    EXPECT_EQ(c.find("trojan-activity")->description, "A Network Trojan was detected");
    EXPECT_EQ(c.find("trojan-activity")->priority, 1);
    EXPECT_EQ(c.find("tcp-connection")->priority, 4);
    EXPECT_EQ(c.find("misc-activity")->priority, 3);
    EXPECT_EQ(c.find("attempted-recon")->description, "Attempted Information Leak");
    EXPECT_EQ(c.find("command-and-control")->priority, 1);
    EXPECT_EQ(c.find("no-such-class"), nullptr);
    EXPECT_EQ(&Classifications::builtin(), &c);
}

// ---- threshold.config --------------------------------------------------------------------

ThresholdConfig config(const char* text, std::vector<std::string>* errors_out = nullptr) {
    std::vector<std::string> errors;
    ThresholdConfig c = ThresholdConfig::parse(text, NetVariables::from_config({}), errors);
    if (errors_out != nullptr) {
        *errors_out = errors;
    } else {
        EXPECT_TRUE(errors.empty()) << errors.front();
    }
    return c;
}

TEST(ThresholdConfig, ParsesDirectives) {
    const ThresholdConfig c = config(
        "# Thresholding\n"
        "\n"
        "threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5\n"
        "event_filter gen_id 1, sig_id 2002088, type limit, track by_dst, count 1, seconds 15\n"
        "rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n"
        "   new_action alert, timeout 30\n"
        "suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67\n"
        "suppress gen_id 1, sig_id 2003614\n");
    EXPECT_EQ(c.threshold_count(), 2u);
    EXPECT_EQ(c.rate_filter_count(), 1u);
    EXPECT_EQ(c.suppressions().size(), 2u);
    const ThresholdEntry* t = c.threshold_for(1, 2002087, true);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->spec.type, ThresholdType::both);
    EXPECT_EQ(t->spec.count, 3u);
    EXPECT_EQ(t->spec.seconds, 5u);
    EXPECT_EQ(t->line, 3u);
    ASSERT_NE(c.threshold_for(1, 2002088, false), nullptr);
    EXPECT_EQ(c.threshold_for(1, 2002088, false)->spec.track, TrackBy::by_dst);
    const RateFilterEntry* r = c.rate_filter_for(1, 1000);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->track, TrackBy::by_rule);
    EXPECT_EQ(r->count, 100u);
    EXPECT_EQ(r->seconds, 60u);
    EXPECT_EQ(r->new_action, RateAction::alert);
    EXPECT_EQ(r->timeout, 30u);
    EXPECT_EQ(r->line, 5u);
    EXPECT_EQ(c.suppressions()[0].line, 7u);
    EXPECT_EQ(c.rate_filter_for(1, 1001), nullptr);
    EXPECT_EQ(c.threshold_for(1, 1, false), nullptr);
}

TEST(ThresholdConfig, ErrorsCarryLineNumbersAndGoodLinesStay) {
    std::vector<std::string> errors;
    const ThresholdConfig c = config(
        "suppress gen_id 1, sig_id 1\n"                                                 // 1 ok
        "supress gen_id 1, sig_id 2\n"                                                  // 2
        "suppress gen_id 1\n"                                                           // 3
        "suppress gen_id 1, sig_id 3, track by_src, ip 300.1.1.1\n"                     // 4
        "suppress gen_id 1, sig_id 4, ip 10.0.0.1\n"                                    // 5
        "suppress gen_id 1, sig_id 5, track by_rule, ip 10.0.0.1\n"                     // 6
        "threshold gen_id 1, sig_id 6, type limit, track by_src, count 0, seconds 1\n"  // 7
        "threshold gen_id 1, sig_id 7, type limit, track by_src, count 1, seconds 1\n"  // 8 ok
        "threshold gen_id 1, sig_id 7, type both, track by_src, count 1, seconds 1\n"   // 9
        "rate_filter gen_id 1, sig_id 8, track by_src, count 1, seconds 1, new_action explode, "
        "timeout 5\n"                                                                          // 10
        "rate_filter gen_id 1, sig_id 9, track by_src, count 1, seconds 1, new_action drop\n"  // 11
        "  # a comment\n"                                                                      // 12
        "suppress gen_id 1, sig_id 10, track by_src, ip 10.0.0.1, extra 1\n"                   // 13
        "suppress gen_id -1, sig_id 11\n"                                                      // 14
        "rate_filter gen_id 1, sig_id 12, track by_src, count 1, seconds 1, new_action sdrop, "
        "timeout 5\n",  // 15 ok
        &errors);
    ASSERT_EQ(errors.size(), 11u);
    const char* lines[] = {
        "line 2: ", "line 3: ",  "line 4: ",  "line 5: ",  "line 6: ", "line 7: ",
        "line 9: ", "line 10: ", "line 11: ", "line 13: ", "line 14: "};
    for (std::size_t i = 0; i < errors.size(); ++i)
        EXPECT_EQ(errors[i].rfind(lines[i], 0), 0u) << errors[i];
    EXPECT_EQ(errors[1], "line 3: missing 'sig_id'");
    EXPECT_EQ(errors[6], "line 9: second threshold for 1:7 (first on line 8)");
    EXPECT_EQ(errors[9], "line 13: unknown option 'extra'");
    EXPECT_EQ(c.suppressions().size(), 1u);
    EXPECT_EQ(c.threshold_count(), 1u);
    EXPECT_EQ(c.threshold_for(1, 7, false)->spec.type, ThresholdType::limit);
    EXPECT_EQ(c.rate_filter_count(), 1u);
    EXPECT_EQ(c.rate_filter_for(1, 12)->new_action, RateAction::sdrop);
}

TEST(ThresholdConfig, ContinuationLineNumbersAndTrailingBackslash) {
    std::vector<std::string> errors;
    config(
        "\n"
        "threshold gen_id 1, sig_id 2, \\\n"
        "  type limit, track by_src, \\\n"
        "  count 1, seconds zero\n"
        "suppress gen_id 1, \\",
        &errors);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0], "line 2: 'seconds' must be a number, not 'zero'");
    EXPECT_EQ(errors[1], "line 5: empty option (stray ',')");
}

TEST(ThresholdConfig, WildcardThresholds) {
    const ThresholdConfig c = config(
        "threshold gen_id 0, sig_id 0, type threshold, track by_src, count 10, seconds 10\n"
        "threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 10\n"
        "threshold gen_id 1, sig_id 500, type both, track by_dst, count 2, seconds 20\n");
    // An exact entry replaces the rule's own threshold; wildcards apply to rules without one.
    EXPECT_EQ(c.threshold_for(1, 500, true)->spec.type, ThresholdType::both);
    EXPECT_EQ(c.threshold_for(1, 500, false)->spec.type, ThresholdType::both);
    EXPECT_EQ(c.threshold_for(1, 501, true), nullptr);
    EXPECT_EQ(c.threshold_for(1, 501, false)->spec.type, ThresholdType::limit);
    EXPECT_EQ(c.threshold_for(3, 501, false)->spec.type, ThresholdType::threshold);
    EXPECT_EQ(c.threshold_for(3, 501, true), nullptr);
}

// ---- suppression -------------------------------------------------------------------------

TEST(Suppress, SingleAddressCidrListAndVariable) {
    const ThresholdConfig c = config(
        "suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67\n"
        "suppress gen_id 1, sig_id 2003614, track by_src, ip 217.110.97.128/25\n"
        "suppress gen_id 1, sig_id 2003615, track by_src, ip [192.168.0.0/16,10.0.0.0/8, "
        "172.16.0.0/12]\n"
        "suppress gen_id 1, sig_id 2003616, track by_dst, ip $HOME_NET\n"
        "suppress gen_id 1, sig_id 2003617, track by_src, ip 2001:db8::/32\n");
    const IpAddress outside = ip("8.8.8.8");
    EXPECT_TRUE(suppressed(c, 1, 2002087, ip("209.132.180.67"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2002087, ip("209.132.180.68"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2002087, outside, ip("209.132.180.67")));  // by_src only
    EXPECT_FALSE(suppressed(c, 1, 2002088, ip("209.132.180.67"), outside));  // other sid
    EXPECT_FALSE(suppressed(c, 2, 2002087, ip("209.132.180.67"), outside));  // other gid

    EXPECT_TRUE(suppressed(c, 1, 2003614, ip("217.110.97.128"), outside));
    EXPECT_TRUE(suppressed(c, 1, 2003614, ip("217.110.97.255"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2003614, ip("217.110.97.127"), outside));

    EXPECT_TRUE(suppressed(c, 1, 2003615, ip("10.9.9.9"), outside));
    EXPECT_TRUE(suppressed(c, 1, 2003615, ip("172.31.0.1"), outside));
    EXPECT_TRUE(suppressed(c, 1, 2003615, ip("192.168.1.1"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2003615, ip("172.32.0.1"), outside));

    EXPECT_TRUE(suppressed(c, 1, 2003616, outside, ip("192.168.7.7")));
    EXPECT_FALSE(suppressed(c, 1, 2003616, ip("192.168.7.7"), outside));

    EXPECT_TRUE(suppressed(c, 1, 2003617, ip("2001:db8::1"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2003617, ip("2001:db9::1"), outside));
    EXPECT_FALSE(suppressed(c, 1, 2003617, IpAddress{}, outside));  // no address at all
}

TEST(Suppress, ByEitherBareAndWildcards) {
    const ThresholdConfig c = config(
        "suppress gen_id 1, sig_id 2003614, track by_either, ip 217.110.97.128/25\n"
        "suppress gen_id 1, sig_id 2002087\n"
        "suppress gen_id 0, sig_id 0, track by_src, ip 198.51.100.7\n"
        "suppress gen_id 1, sig_id 0, track by_dst, ip 203.0.113.9\n");
    const IpAddress a = ip("217.110.97.200");
    const IpAddress other = ip("8.8.4.4");
    EXPECT_TRUE(suppressed(c, 1, 2003614, a, other));
    EXPECT_TRUE(suppressed(c, 1, 2003614, other, a));
    EXPECT_FALSE(suppressed(c, 1, 2003614, other, other));

    // A bare suppress turns the rule into noalert whatever the addresses.
    EXPECT_TRUE(suppressed(c, 1, 2002087, other, other));

    // gen_id 0, sig_id 0: every rule; gen_id 1, sig_id 0: every rule of gid 1.
    EXPECT_TRUE(suppressed(c, 1, 42, ip("198.51.100.7"), other));
    EXPECT_TRUE(suppressed(c, 3, 42, ip("198.51.100.7"), other));
    EXPECT_TRUE(suppressed(c, 1, 42, other, ip("203.0.113.9")));
    EXPECT_FALSE(suppressed(c, 3, 42, other, ip("203.0.113.9")));
    EXPECT_FALSE(suppressed(c, 1, 42, other, other));
}

// ---- runtime: types ----------------------------------------------------------------------

TEST(ThresholdTracker, LimitAlertsOnTheFirstCountPerWindow) {
    const ThresholdSpec spec = keyword("type limit, track by_src, count 2, seconds 60");
    // Window [0, 60): matches 1 and 2 alert. The match at 60 opens [60, 120).
    EXPECT_EQ(run(spec, {0, 1, 2, 59, 60, 61, 62, 119}), (Alerts{T, T, F, F, T, T, F, F}));
}

TEST(ThresholdTracker, ThresholdAlertsOnEveryCthMatch) {
    const ThresholdSpec spec = keyword("type threshold, track by_src, count 3, seconds 60");
    // 3rd and 6th match in [0, 60); at 60 the count starts over, two short of 3 before 62.
    EXPECT_EQ(run(spec, {0, 1, 2, 3, 4, 5, 6, 60, 61, 62}), (Alerts{F, F, T, F, F, T, F, F, F, T}));
    // The documented example: 10 mails within a minute alert; 9 in each of two minutes do not.
    const ThresholdSpec mail = keyword("type threshold, track by_src, count 10, seconds 60");
    std::vector<std::int64_t> nine_and_nine;
    for (int i = 0; i < 9; ++i) nine_and_nine.push_back(i);
    for (int i = 0; i < 9; ++i) nine_and_nine.push_back(60 + i);
    EXPECT_EQ(run(mail, nine_and_nine), Alerts(18, F));
    // Count 1: every match.
    EXPECT_EQ(run(keyword("type threshold, track by_src, count 1, seconds 5"), {0, 1, 9, 100}),
              (Alerts{T, T, T, T}));
}

TEST(ThresholdTracker, BothAlertsOncePerWindowAfterCount) {
    const ThresholdSpec spec = keyword("type both, track by_src, count 3, seconds 60");
    EXPECT_EQ(run(spec, {0, 1, 2, 3, 4, 59, 60, 61, 62, 63}),
              (Alerts{F, F, T, F, F, F, F, F, T, F}));
    EXPECT_EQ(run(keyword("type both, track by_src, count 1, seconds 10"), {0, 5, 10, 11, 25}),
              (Alerts{T, F, T, F, T}));
}

TEST(ThresholdTracker, DetectionFilterAlertsOnEveryMatchAfterCount) {
    const ThresholdSpec spec = filter("track by_src, count 2, seconds 60");
    // The count-th match does not alert, every later one in the window does; the window at
    // 60 starts again from one.
    EXPECT_EQ(run(spec, {0, 1, 2, 3, 59, 60, 61, 62, 63}), (Alerts{F, F, T, T, T, F, F, T, T}));
}

TEST(ThresholdTracker, DetectionFilterUniqueOnDistinctPorts) {
    const ThresholdSpec spec = filter("track by_dst, count 2, seconds 60, unique_on dst_port");
    ThresholdTracker tracker;
    const auto hit = [&](std::uint16_t port, std::int64_t sec) {
        ThresholdMatch m = match("10.0.0.1", "10.0.0.2", at(sec));
        m.src_port = 40000;
        m.dst_port = port;
        return tracker.should_alert(spec, 1, 100001, m);
    };
    EXPECT_FALSE(hit(80, 0));
    EXPECT_FALSE(hit(80, 1));   // repeated: still one distinct port
    EXPECT_FALSE(hit(81, 2));   // two distinct: not above 2
    EXPECT_TRUE(hit(82, 3));    // three distinct: exceeds
    EXPECT_TRUE(hit(80, 4));    // once exceeded, every match in the window alerts
    EXPECT_FALSE(hit(83, 60));  // new window
    EXPECT_FALSE(hit(84, 61));
    EXPECT_TRUE(hit(85, 62));

    const ThresholdSpec by_source = filter("track by_dst, count 1, seconds 30, unique_on src_port");
    ThresholdMatch m = match("10.0.0.1", "10.0.0.2", at(0));
    m.src_port = 1000;
    EXPECT_FALSE(tracker.should_alert(by_source, 1, 100002, m));
    m.dst_port = 22;  // the destination port does not count
    EXPECT_FALSE(tracker.should_alert(by_source, 1, 100002, m));
    m.src_port = 1001;
    EXPECT_TRUE(tracker.should_alert(by_source, 1, 100002, m));
}

TEST(ThresholdTracker, BackoffAlertsOnPowersOfTheMultiplier) {
    const auto alerts = [](const char* value, int matches) {
        const ThresholdSpec spec = keyword(value);
        ThresholdTracker tracker;
        std::vector<int> numbers;
        for (int n = 1; n <= matches; ++n) {
            // No window: matches far apart in time still count together.
            if (tracker.should_alert(spec, 1, 2210045, match("10.0.0.1", "10.0.0.2", at(n * 100))))
                numbers.push_back(n);
        }
        return numbers;
    };
    EXPECT_EQ(alerts("type backoff, track by_flow, count 1, multiplier 10", 1000),
              (std::vector<int>{1, 10, 100, 1000}));
    EXPECT_EQ(alerts("type backoff, track by_flow, count 1, multiplier 2", 20),
              (std::vector<int>{1, 2, 4, 8, 16}));
    EXPECT_EQ(alerts("type backoff, track by_flow, count 5, multiplier 5", 200),
              (std::vector<int>{5, 25, 125}));
}

// ---- runtime: tracking -------------------------------------------------------------------

struct TrackCase {
    TrackBy track;
    // Whether a match with (src, dst, flow) shares the first match's counter, for:
    bool same_src_other_dst;
    bool other_src_same_dst;
    bool reversed;    // dst -> src
    bool other_flow;  // same addresses, different flow id
};

class TrackTest : public ::testing::TestWithParam<TrackCase> {};

// Limit 1: the first match alerts; a match that shares its counter does not.
TEST_P(TrackTest, SharesCountersAsDocumented) {
    const TrackCase& c = GetParam();
    for (const auto type : {ThresholdType::limit, ThresholdType::both}) {
        ThresholdSpec spec;
        spec.type = type;
        spec.track = c.track;
        spec.count = 1;
        spec.seconds = 60;
        const auto shares = [&](const char* src, const char* dst, std::uint64_t flow) {
            ThresholdTracker tracker;
            EXPECT_TRUE(tracker.should_alert(spec, 1, 7, match("10.0.0.1", "10.0.0.2", at(0))));
            return !tracker.should_alert(spec, 1, 7, match(src, dst, at(1), flow));
        };
        SCOPED_TRACE(std::string(to_string(c.track)) + " " + std::string(to_string(type)));
        EXPECT_TRUE(shares("10.0.0.1", "10.0.0.2", 1));
        EXPECT_EQ(shares("10.0.0.1", "10.0.0.3", 1), c.same_src_other_dst);
        EXPECT_EQ(shares("10.0.0.9", "10.0.0.2", 1), c.other_src_same_dst);
        EXPECT_EQ(shares("10.0.0.2", "10.0.0.1", 1), c.reversed);
        EXPECT_EQ(shares("10.0.0.1", "10.0.0.2", 2), c.other_flow);
    }
}

INSTANTIATE_TEST_SUITE_P(AllTracks, TrackTest,
                         ::testing::Values(TrackCase{TrackBy::by_src, true, false, false, true},
                                           TrackCase{TrackBy::by_dst, false, true, false, true},
                                           TrackCase{TrackBy::by_both, false, false, true, true},
                                           TrackCase{TrackBy::by_rule, true, true, true, true},
                                           TrackCase{TrackBy::by_flow, true, true, true, false}));

// Every type under every track: two sources alternate, and each keeps its own count under
// by_src, while by_rule sees one stream of matches.
TEST(ThresholdTracker, EveryTypeUnderEveryTrack) {
    struct Expect {
        const char* keyword;
        bool detection_filter;
        Alerts separate;  // a, b, a, b, a, b: counted per source
        Alerts shared;    // the same six matches counted together
    };
    const Expect cases[] = {
        {"type limit, track K, count 2, seconds 60", false, {T, T, T, T, F, F}, {T, T, F, F, F, F}},
        {"type threshold, track K, count 2, seconds 60",
         false,
         {F, F, T, T, F, F},
         {F, T, F, T, F, T}},
        {"type both, track K, count 2, seconds 60", false, {F, F, T, T, F, F}, {F, T, F, F, F, F}},
        {"track K, count 2, seconds 60", true, {F, F, F, F, T, T}, {F, F, T, T, T, T}},
    };
    for (const auto& e : cases) {
        for (const auto track : {TrackBy::by_src, TrackBy::by_both, TrackBy::by_flow,
                                 TrackBy::by_rule, TrackBy::by_dst}) {
            std::string text = e.keyword;
            text.replace(text.find('K'), 1, to_string(track));
            ThresholdSpec spec;
            ASSERT_EQ(e.detection_filter ? parse_detection_filter(text, spec)
                                         : parse_threshold(text, spec),
                      "");
            // a and b differ in source, in the pair and in the flow, but not in destination.
            ThresholdTracker tracker;
            Alerts got;
            for (int i = 0; i < 6; ++i) {
                const bool a = i % 2 == 0;
                got.push_back(tracker.should_alert(
                    spec, 1, 9, match(a ? "10.0.0.1" : "10.0.0.5", "10.0.0.2", at(i), a ? 1 : 2)));
            }
            const bool together = track == TrackBy::by_rule || track == TrackBy::by_dst;
            EXPECT_EQ(got, together ? e.shared : e.separate) << text;
        }
    }
}

TEST(ThresholdTracker, RulesAndTypesCountSeparately) {
    ThresholdTracker tracker;
    const ThresholdSpec spec = keyword("type limit, track by_rule, count 1, seconds 60");
    const ThresholdMatch m = match("10.0.0.1", "10.0.0.2", at(0));
    EXPECT_TRUE(tracker.should_alert(spec, 1, 1, m));
    EXPECT_FALSE(tracker.should_alert(spec, 1, 1, m));
    EXPECT_TRUE(tracker.should_alert(spec, 1, 2, m));  // other sid
    EXPECT_TRUE(tracker.should_alert(spec, 2, 1, m));  // other gid
    const ThresholdSpec both = keyword("type both, track by_rule, count 1, seconds 60");
    EXPECT_TRUE(tracker.should_alert(both, 1, 1, m));  // other type, other counter
    EXPECT_EQ(tracker.size(), 4u);
}

TEST(ThresholdTracker, AddressOverloadMatchesStructForm) {
    ThresholdTracker tracker;
    const ThresholdSpec spec = keyword("type limit, track by_flow, count 1, seconds 60");
    EXPECT_TRUE(tracker.should_alert(spec, 1, 5, ip("10.0.0.1"), ip("10.0.0.2"), 77, at(0)));
    EXPECT_FALSE(tracker.should_alert(spec, 1, 5, match("10.0.0.3", "10.0.0.4", at(1), 77)));
    EXPECT_TRUE(tracker.should_alert(spec, 1, 5, ip("10.0.0.1"), ip("10.0.0.2"), 78, at(2)));
}

// ---- runtime: windows and time -----------------------------------------------------------

TEST(ThresholdTracker, WindowIsHalfOpenToTheMicrosecond) {
    const ThresholdSpec spec = keyword("type limit, track by_src, count 1, seconds 60");
    ThresholdTracker tracker;
    const auto hit = [&](Timestamp ts) {
        return tracker.should_alert(spec, 1, 1, match("10.0.0.1", "10.0.0.2", ts));
    };
    EXPECT_TRUE(hit(at(10, 500000)));
    EXPECT_FALSE(hit(at(70, 499999)));
    EXPECT_TRUE(hit(at(70, 500000)));  // start + 60 s opens the next window
    EXPECT_FALSE(hit(at(130, 499999)));
    EXPECT_FALSE(hit(at(20)));  // a clock that steps back stays in the current window
}

TEST(ThresholdTracker, AbsurdClocksDoNotOverflow) {
    ThresholdTracker tracker;
    const ThresholdSpec spec = keyword("type limit, track by_src, count 1, seconds 4294967295");
    const auto max = std::numeric_limits<std::int64_t>::max();
    const auto min = std::numeric_limits<std::int64_t>::min();
    const ThresholdMatch late = match("10.0.0.1", "10.0.0.2", at(max, 999999));
    EXPECT_TRUE(tracker.should_alert(spec, 1, 1, late));
    EXPECT_FALSE(tracker.should_alert(spec, 1, 1, late));
    const ThresholdMatch early = match("10.0.0.3", "10.0.0.2", at(min));
    EXPECT_TRUE(tracker.should_alert(spec, 1, 1, early));
    // min + seconds is far below max: a new window, computed without overflow.
    EXPECT_TRUE(tracker.should_alert(spec, 1, 1, match("10.0.0.3", "10.0.0.2", at(max))));
    RateFilterEntry rate;
    rate.track = TrackBy::by_src;
    rate.count = 1;
    rate.seconds = 4294967295u;
    rate.timeout = 4294967295u;
    rate.new_action = RateAction::drop;
    EXPECT_EQ(tracker.rate_action(rate, 1, 1, late), RateAction::drop);
    EXPECT_EQ(tracker.rate_action(rate, 1, 1, early), RateAction::drop);
}

// ---- runtime: rate_filter ----------------------------------------------------------------

TEST(ThresholdTracker, RateFilterSwitchesActionForTimeout) {
    const ThresholdConfig c = config(
        "rate_filter gen_id 1, sig_id 888, track by_src, count 3, seconds 60, new_action drop, "
        "timeout 30\n");
    const RateFilterEntry& rate = *c.rate_filter_for(1, 888);
    ThresholdTracker tracker;
    const auto action = [&](const char* src, std::int64_t sec) {
        return tracker.rate_action(rate, 1, 888, match(src, "192.0.2.22", at(sec)));
    };
    EXPECT_EQ(action("10.0.0.1", 0), std::nullopt);
    EXPECT_EQ(action("10.0.0.1", 1), std::nullopt);
    EXPECT_EQ(action("10.0.0.9", 1), std::nullopt);      // another source, its own count
    EXPECT_EQ(action("10.0.0.1", 2), RateAction::drop);  // third within 60 s: switched at 2
    EXPECT_EQ(action("10.0.0.1", 10), RateAction::drop);
    EXPECT_EQ(action("10.0.0.1", 31), RateAction::drop);  // timeout runs until 32
    EXPECT_EQ(action("10.0.0.1", 32), std::nullopt);      // over: counting starts again
    EXPECT_EQ(action("10.0.0.1", 33), std::nullopt);
    EXPECT_EQ(action("10.0.0.1", 34), RateAction::drop);
    EXPECT_EQ(action("10.0.0.9", 100), std::nullopt);  // its window [1, 61) ran out
    EXPECT_EQ(action("10.0.0.9", 101), std::nullopt);
    // The threshold state of the same rule is separate from the rate state.
    const ThresholdSpec spec = keyword("type limit, track by_src, count 1, seconds 60");
    EXPECT_TRUE(tracker.should_alert(spec, 1, 888, match("10.0.0.1", "192.0.2.22", at(35))));
}

// ---- runtime: memory bound and threads ---------------------------------------------------

TEST(ThresholdTracker, EvictsLeastRecentlyUsedWhenFull) {
    ThresholdTracker tracker(2);
    const ThresholdSpec spec = keyword("type limit, track by_src, count 1, seconds 600");
    const auto hit = [&](const char* src, std::int64_t sec) {
        return tracker.should_alert(spec, 1, 1, match(src, "10.0.0.100", at(sec)));
    };
    EXPECT_TRUE(hit("10.0.0.1", 0));
    EXPECT_TRUE(hit("10.0.0.2", 1));
    EXPECT_FALSE(hit("10.0.0.1", 2));  // 10.0.0.1 is now the most recently used
    EXPECT_TRUE(hit("10.0.0.3", 3));   // full: 10.0.0.2 goes
    EXPECT_EQ(tracker.size(), 2u);
    EXPECT_EQ(tracker.evicted(), 1u);
    EXPECT_FALSE(hit("10.0.0.1", 4));  // kept
    EXPECT_TRUE(hit("10.0.0.2", 5));   // forgotten, so it starts afresh (evicting 10.0.0.3)
    EXPECT_EQ(tracker.evicted(), 2u);
    EXPECT_EQ(tracker.size(), 2u);

    ThresholdTracker zero(0);  // treated as room for one
    EXPECT_TRUE(zero.should_alert(spec, 1, 1, match("10.0.0.1", "10.0.0.2", at(0))));
    EXPECT_TRUE(zero.should_alert(spec, 1, 1, match("10.0.0.5", "10.0.0.2", at(0))));
    EXPECT_EQ(zero.size(), 1u);
}

TEST(ThresholdTracker, ConcurrentMatchesCountExactly) {
    ThresholdTracker tracker;
    const ThresholdSpec spec = keyword("type limit, track by_rule, count 100, seconds 60");
    std::vector<int> alerts(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < alerts.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                if (tracker.should_alert(spec, 1, 3, match("10.0.0.1", "10.0.0.2", at(5))))
                    ++alerts[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(alerts[0] + alerts[1] + alerts[2] + alerts[3], 100);
}

// ---- robustness --------------------------------------------------------------------------

TEST(ThresholdParsers, GarbageNeverCrashes) {
    std::mt19937 rng(12345);
    const std::string alphabet = "abcdeklimnorstuy_ 0123456789,[]!$-:/.#\\\n\r\t";
    const NetVariables vars = NetVariables::from_config({});
    const char* seeds[] = {"type limit, track by_src, count 1, seconds 60",
                           "suppress gen_id 1, sig_id 2, track by_src, ip [1.2.3.4, 10.0.0.0/8]",
                           "config classification: a,b,1"};
    for (int round = 0; round < 3000; ++round) {
        std::string text = seeds[round % 3];
        const int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t pos = rng() % text.size();
            if (rng() % 2 == 0) {
                text[pos] = alphabet[rng() % alphabet.size()];
            } else {
                text.erase(pos, 1 + rng() % 4);
            }
        }
        ThresholdSpec spec;
        (void)parse_threshold(text, spec);
        (void)parse_detection_filter(text, spec);
        std::vector<std::string> errors;
        (void)ThresholdConfig::parse(text, vars, errors);
        (void)Classifications::parse(text, errors);
    }
    SUCCEED();
}

}  // namespace
}  // namespace tocsin::detect
