// The few STIX 2.1 / TAXII 2.1 facts pull and push need: the media type, JSON parsed within
// bounds, bundle ids, and the version of an object.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tocsin::share {

// The one media type TAXII 2.1 exchanges (Accept on every request, Content-Type on POST).
inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";

// Members are kept sorted by name (a std::map), not in the order received: member order has no
// meaning in STIX, and an order-keeping object costs a linear search per member, quadratic on
// an object with many members (a hostile page, or a push state of many sightings).
using Json = nlohmann::json;

// Nesting deeper than this is refused: STIX objects nest a handful of levels, and bounded depth
// keeps serialising and destroying a hostile document off the deep end of the stack.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text`; nullopt with `error` on invalid JSON or nesting deeper than kMaxJsonDepth.
std::optional<Json> parse_json(std::string_view text, std::string& error);

// "bundle--<random UUID version 4>".
std::string new_bundle_id();

// `{"type":"bundle","id":"bundle--...","objects":[...]}` as one line of JSON.
std::string make_bundle(const Json& objects);

// The version of a STIX object as TAXII's status resource names it: `modified`, else
// `created`, else "" (objects without versions, such as cyber observables).
std::string object_version(const Json& object);

// Whether two version strings name the same instant ("...00Z" and "...00.000Z" do); text
// equality when either is not a timestamp.
bool same_version(std::string_view a, std::string_view b);

}  // namespace tocsin::share
