#pragma once
// What must hold for any input, one function per fuzz target. The libFuzzer targets
// (built with -DINSPEKT_FUZZ=ON, clang) call these; so does the normal test suite, on
// every seed in corpus/ and every input in regressions/ (inputs that once broke one).
// A broken rule throws InvariantBroken; any other exception escaping is a bug too.

#include <stdexcept>
#include <string_view>

namespace inspekt::fuzz {

class InvariantBroken : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

// "METHOD[ PATH]\nCONTENT-TYPE\nBODY" (CONTENT-TYPE "-": no header; without two line
// breaks the whole input is a JSON POST body) through the default fixtures' handler:
// a status from the fixtures, matching the outcome, never 5xx, a JSON body, and on 200
// a session and two tokens that verify.
void check_handler(std::string_view input);

// "NAME\nTEXT": TEXT as one of the four fixture files, the other three the defaults.
// The loader refuses with a FixtureError carrying a known id, or the set it accepts
// answers logins without throwing.
void check_fixture_loader(std::string_view input);

// Arbitrary bytes through base64url (both ways) and the JWT decoder and verifier:
// round trips hold, what decodes re-encodes to the same text, a decoded token has an
// object header with a string "alg" and an object payload, and a token the codec signs
// verifies exactly when its payload is a JSON object.
void check_jwt(std::string_view input);

} // namespace inspekt::fuzz
