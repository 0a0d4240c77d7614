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
// that verify, the same request the same answer (but for quotas and chaos), and the
// body read the same by LoginBody's one-pass reader as by nlohmann alone.
void check_handler(std::string_view input);

// "NAME\nTEXT": TEXT as one of the default set's fixture files (gate.json too), the
// others the defaults. The loader refuses with a FixtureError carrying a known id, or
// the set it accepts answers logins without throwing, and its guarded routes name
// answers of the set, each route once, with every refusal answer defined.
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
// responses: status line with a 3-digit status (100, a fixture's, 414, 431 or 501; no
// other 5xx)
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
// An input whose first byte is 0xF0..0xFF is a plan instead: a real OpenSSL client (in
// memory) shakes hands with the channel and sends the rest as application data, with
// one byte of one of its flights changed (tls_channel_check.cpp). Random bytes never
// make a ClientHello, let alone a Finished; a plan reaches the established channel. The
// same rules hold, and when nothing was changed and the client's settings are the
// mock's, the handshake completes and read() gives exactly the bytes the client sent.
void check_tls_channel(std::string_view input);

// A session with the admin API (AdminApi::handle, as the server calls it, no sockets;
// AdminThread::caller: the calls the server's admin thread runs, run here in turn),
// over the embedded fixtures with a fixture patch file that a reload reads. Blocks apart
// by a blank line; a first block "%journal=N token|remote|off running" sets the journal's
// size (0..32, default 6), the access (default: loopback, no token) and the clock
// (default frozen). Then each block is "METHOD TARGET[\tPREFER]\nBODY": admin paths go to
// the admin API, others are logins the journal records as the engine does; a leading
// '-' sends no token, '~' a wrong one. "%patch\nTEXT" writes the patch file (empty:
// removes it). $0..$9 in a body are ten secret API keys the input cannot spell otherwise.
// A model of the mock checks every answer: JSON of the documented shape, the status the
// endpoint documents (400 naming the field, 404, 405 with Allow, 401, 403, 409, 413, 422),
// the journal's entries and total/dropped arithmetic within its size, key counts, the
// clock, a reset back to the start state, a refused reload leaving the set in use; and
// no key given as a body's "key", nor the admin token, in any answer or journal entry.
void check_admin(std::string_view input);

// "CONTENT-TYPE\nBODY" ("-": no Content-Type; without a line break the whole input is a
// body without one) through UploadBodyReader with small limits, fed whole, byte by byte
// and in chunks of 0 to 63 bytes sized by a hash of the input: the same problem (or
// none), the same session, and for a body read the same parts and byte count; every
// byte counted, the session within its bound, parts no larger than the body, a message
// exactly when there is a problem, too_large only over the limit.
void check_upload_body(std::string_view input);

} // namespace inspekt::fuzz
