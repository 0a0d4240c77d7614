#pragma once
// `Prefer` on POST /api/authenticate (README.md, "Testing your app's error handling"; Prism's
// header, RFC 7240's syntax): what the client asks the mock to answer this once. Combinable with
// commas: `Prefer: code=429, delay=250`. Anything the mock cannot take as asked is a
// problem, answered 400 with a message naming it, never ignored; RFC 7240's own
// preferences (return, respond-async, wait, handling) are not the mock's and are ignored.

#include "inspekt/mock/engine/fault.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

struct Preference {
  std::optional<int> code;           // the first answer with this status
  std::optional<std::string> answer; // an answer by name
  std::optional<std::chrono::milliseconds> delay;
  std::optional<Fault> fault;
  std::optional<std::chrono::seconds> lifetime; // both tokens'
};

struct PreferenceName {
  std::string_view name;
  std::string_view example;
  std::string_view meaning; // for the documentation
};

// The one list of the preferences the mock takes.
inline constexpr std::array<PreferenceName, 5> preference_names{{
    {"code", "code=429", "the first answer of the fixtures with that status"},
    {"answer", "answer=expired_key", "the answer of that name"},
    {"delay", "delay=250", "answer after that many milliseconds (at most 60000)"},
    {"fault", "fault=CONNECTION_RESET_BY_PEER", "that fault on the wire"},
    {"lifetime", "lifetime=5", "tokens that live that many seconds"},
}};

struct ParsedPreference {
  Preference preference;
  std::string problem; // empty when the header is understood; else "Prefer: ..."
};

ParsedPreference parse_prefer(std::string_view header);

// Preference-Applied's value (RFC 7240 section 3): the mock's preferences the answer
// applied, in preference_names' order ("code=429, delay=250"); lifetime only when the
// answer issued tokens. Empty when none was: the header's list has at least one element.
std::string applied_preferences(const Preference &preference, bool tokens_issued);

} // namespace inspekt::mock
