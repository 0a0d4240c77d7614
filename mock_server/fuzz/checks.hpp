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

// "METHOD[ PATH]\nCONTENT-TYPE[\tPREFER]\nBODY" (CONTENT-TYPE "-": no header; a tab
// then the Prefer header's value; without two line breaks the whole input is a JSON
// POST body) through the default fixtures' handler: the status is the answer's (or a
// 400 naming a Prefer problem), a JSON body, a delay within max_delay, 5xx, faults and
// delays only when a key or Prefer asks for them, on success a session and two tokens
// that verify, and the same request the same answer (but for quotas and chaos).
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

// Arbitrary bytes as what a client sends on one connection, through HttpSession with a
// deterministic handler and an emulated transport that writes all output and resumes.
// Fed in one piece, byte by byte (pausing after every answer) and in chunks sized by a
// hash of the input (some bytes arriving while paused), the output, finished(), idle()
// and requests_answered() are identical. The output is a sequence of HTTP/1.1
// responses: status line with a 3-digit status (100, a fixture's, 414 or 431; never 5xx)
// and its reason, NAME: VALUE headers, exactly one Content-Length on final answers,
// none and no body on 100 Continue (at most one per request, only with an Expect
// header), a JSON body of Content-Length bytes (only HEAD answers omit it); nothing
// after an answer saying Connection: close, and finished() exactly then. There are at
// most as many final answers as LF bytes in the input, plus one error answer.
void check_http_session(std::string_view input);

// Arbitrary bytes as all a client sends before it shuts its side, read by the server
// end of a TlsChannel over a socketpair (the event loop's HTTPS path): handshake() and
// then read() are stepped, at most 1000 times. Since the input has ended, no step
// waits for more (never want_read): the channel ends cleanly (only once established)
// or fails with a non-empty failure(); read() returns bytes only when done.
void check_tls_channel(std::string_view input);

} // namespace inspekt::fuzz
