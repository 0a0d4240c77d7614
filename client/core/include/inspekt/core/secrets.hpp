#pragma once
// How secrets may be shown: an API key at most by its first characters, and never in
// error texts or reports (README.md; docs/architecture.md). One place for the rule, used by the
// client, the mock's log and the conformance suite.

#include <string>
#include <string_view>

namespace inspekt {

// The key's first characters and "...": at most 4, and never more than a third of
// the key, so that a short key is not shown whole. The cut steps back to a UTF-8
// character boundary.
std::string key_hint(std::string_view key);

// `text` with every occurrence of `secret`, plain or JSON-escaped, replaced by `mask`.
// Secrets shorter than 4 characters are left alone: the house rule lets a log show 4
// characters of a key, and replacing "a" everywhere helps no one.
std::string redacted(std::string text, std::string_view secret,
                     std::string_view mask = "<the key>");

} // namespace inspekt
