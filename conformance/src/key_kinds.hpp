#pragma once
// The kinds of API key a case may need, as one table: the placeholder a request body
// names it by, the environment variable a run against a URL reads it from, the fixture
// answer whose first key supplies it on the mock, and what a run says when it is
// missing. A new kind of key (say, a suspended one) is a row here and nothing else in
// the target, the runner, the plan or the help text.

#include "inspekt/mock/fixtures/outcome.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inspekt::mock {
struct FixtureSet;
}

namespace inspekt::conformance {

// The keys of a run, by kind; an empty string is a key the run does not have.
struct Keys {
  std::string valid;
  std::string invalid;
  std::string expired;
};

struct KeyKind {
  std::string_view name;        // "expired"
  std::string_view placeholder; // "<expired-key>", in RequestSpec bodies
  std::string_view variable;    // "INSPEKT_EXPIRED_KEY"
  // The fixture answer whose first key supplies it on the mock; none: a random key
  // that cannot be valid (on the mock, and on a URL when the variable is unset).
  std::optional<mock::Outcome> fixture_answer;
  bool required;                 // a run without it is a usage error
  std::string_view when_missing; // why a case needing it is skipped
  std::string Keys::*slot;
};

inline constexpr std::array<KeyKind, 3> key_kinds{{
    {"valid", "<valid-key>", "INSPEKT_API_KEY", mock::Outcome::success, true,
     "no valid key: set INSPEKT_API_KEY", &Keys::valid},
    {"invalid", "<invalid-key>", "INSPEKT_INVALID_KEY", std::nullopt, false,
     "no invalid key: set INSPEKT_INVALID_KEY", &Keys::invalid},
    {"expired", "<expired-key>", "INSPEKT_EXPIRED_KEY", mock::Outcome::expired_key, false,
     "no expired key to try: set INSPEKT_EXPIRED_KEY", &Keys::expired},
}};

const KeyKind &valid_key_kind();

// The keys a fixture set gives: per kind, the first key whose answer is the kind's
// fixture answer; kinds without one get a random key that cannot be valid.
Keys fixture_keys(const mock::FixtureSet &fixtures);

// The variables, for --help: "INSPEKT_API_KEY (valid), INSPEKT_INVALID_KEY (invalid), ...".
std::string key_variables_text();

// The placeholders a RequestSpec body may hold and the keys they stand for: one per
// kind, then variants of the valid key that a server lenient in how it compares keys
// would accept (the 401 probes): <valid-key-last-char-changed>, <valid-key-prefix> (all
// but the last character), <valid-key-other-case>, <valid-key-trailing-space>. A
// placeholder whose key is missing (no expired key, a key without letters has no other
// case) has no entry.
std::vector<std::pair<std::string, std::string>> key_placeholders(const Keys &keys);

// Every placeholder a body may name, whether or not this run has its key.
const std::vector<std::string> &placeholder_names();

// The kinds of key `body` names (the valid key for its variants too).
std::vector<const KeyKind *> kinds_named(std::string_view body);

// `body` with each placeholder replaced by its key as a JSON string; nullopt when the body
// names a placeholder that has no key (the placeholder in `missing`).
std::optional<std::string> fill_keys(const std::string &body, const Keys &keys,
                                     std::string *missing = nullptr);

// "a random, well-formed key that cannot be valid"
std::string random_invalid_key();

} // namespace inspekt::conformance
