#pragma once
// Why a request got the answer it got, when the answer's name alone does not say: the
// access log shows it (reason=content_type), so that a user whose login was refused
// learns what to fix, and a test sees a quota, chaos or Prefer at work. The answer's
// body stays the fixture's.

#include <array>
#include <optional>
#include <ostream>
#include <string_view>

namespace inspekt::mock {

enum class Reason {
  content_type,         // Content-Type missing or not application/json
  not_json,             // the body is not JSON (empty, malformed, not UTF-8)
  too_deep,             // the body nests deeper than the handler reads
  not_object,           // the body is JSON but not an object
  key_missing,          // no "key"
  key_not_string,       // "key" is a number, null, an object, ...
  key_empty,            // "key" is ""
  client_id_not_string, // "client_id" is there and not a string
  prefer_invalid,       // a Prefer header the mock cannot meet (the 400 says why)
  prefer,               // the Prefer header chose the answer
  quota,                // over the key's quota
  chaos,                // the key's chaos struck
};

struct ReasonName {
  Reason reason;
  std::string_view name;
  std::string_view meaning; // for the documentation
};

// The one list of reasons: the log, docs/mock.md and its check read it.
inline constexpr std::array<ReasonName, 12> reason_names{{
    {Reason::content_type, "content_type", "Content-Type missing or not application/json"},
    {Reason::not_json, "not_json", "the body is not JSON (empty, malformed, not UTF-8)"},
    {Reason::too_deep, "too_deep", "the body nests deeper than the mock reads"},
    {Reason::not_object, "not_object", "the body is JSON but not an object"},
    {Reason::key_missing, "key_missing", "no \"key\" in the body"},
    {Reason::key_not_string, "key_not_string", "\"key\" is not a string"},
    {Reason::key_empty, "key_empty", "\"key\" is an empty string"},
    {Reason::client_id_not_string, "client_id_not_string",
     "\"client_id\" is there and not a string"},
    {Reason::prefer_invalid, "prefer_invalid",
     "a Prefer header the mock cannot meet (the 400's message says why)"},
    {Reason::prefer, "prefer", "the Prefer header chose the answer"},
    {Reason::quota, "quota", "the key's quota is used up (429)"},
    {Reason::chaos, "chaos", "the key's chaos struck"},
}};

constexpr std::string_view to_string(Reason reason) {
  for (const auto &entry : reason_names) {
    if (entry.reason == reason) {
      return entry.name;
    }
  }
  return "unknown";
}

inline std::ostream &operator<<(std::ostream &out, Reason reason) {
  return out << to_string(reason);
}

} // namespace inspekt::mock
