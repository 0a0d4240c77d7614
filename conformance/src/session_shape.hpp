#pragma once
// The shape of the session ids a server hands out, in the mock's format language
// (fixtures/README.md, session.json: literal text, {digits:N}, {hex:N}, {timestamp},
// {uuid}), inferred from observed ids without keeping them: only short constant text
// survives, every varying part becomes its placeholder.

#include "inspekt/mock/fixtures/fixture_set.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace inspekt::conformance {

struct SessionShape {
  std::string pattern;     // e.g. "in{digits:4}{timestamp}"; "" when the ids share no shape
  bool expressible = true; // false when a part has no placeholder in the mock's language
                           // (shown as {letters:N} or {chars:N})
};

// Needs at least one id; with two or more, text that differs between them is not kept.
SessionShape infer_session_shape(const std::vector<std::string> &ids);

// Whether `id` is one the format could have produced.
bool matches_session_format(std::string_view id, const mock::SessionIdFormat &format);

} // namespace inspekt::conformance
