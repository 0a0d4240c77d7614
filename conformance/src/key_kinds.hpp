#pragma once
// The kinds of API key a case may need, as one table: the placeholder a request body
// names it by, the environment variable a run against a URL reads it from, the fixture
// answer whose first key supplies it on the mock, and what a run says when it is
// missing.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inspekt::mock {
struct FixtureSet;
}

namespace inspekt::conformance {

// The keys of a run, by kind name; a kind without a key (or with an empty one) is a key
// the run does not have.
struct Keys {
  std::map<std::string, std::string, std::less<>> by_kind;
  // The key of a kind, or "" when the run has none.
  const std::string &of(std::string_view kind) const;
  const std::string &valid() const { return of("valid"); }
  const std::string &invalid() const { return of("invalid"); }
  const std::string &expired() const { return of("expired"); }
};

struct KeyKind {
  std::string name;        // "expired"
  std::string placeholder; // "<expired-key>", in RequestSpec bodies
  std::string variable;    // "INSPEKT_EXPIRED_KEY"
  // The fixture answer (by name) whose first key supplies it on the mock; none: a random
  // key that cannot be valid (on the mock, and on a URL when the variable is unset).
  std::optional<std::string> fixture_answer;
  bool required;            // a run without it is a usage error
  std::string when_missing; // why a case needing it is skipped
};

// The kinds: the three the vendor's page implies (valid, invalid, expired), then one
// per answer that a request body names as `<key:ANSWER>`: the first fixture key that
// gets ANSWER on the mock, INSPEKT_KEY_ANSWER (upper case) on a URL. So a case for a new
// kind of key (a suspended one, say) names `<key:suspended_key>` and needs nothing else
// here, in the target, the runner, the plan or the help text.
const std::vector<KeyKind> &key_kinds();

// The kinds the `<key:ANSWER>` placeholders in `text` name, appended to `kinds` unless
// there already. Throws std::invalid_argument when a new kind's variable is another's
// (`<key:a-b>` and `<key:a_b>` are both INSPEKT_KEY_A_B).
void add_answer_kinds(std::string_view text, std::vector<KeyKind> &kinds);

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
