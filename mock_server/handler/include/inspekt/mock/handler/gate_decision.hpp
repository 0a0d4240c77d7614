#pragma once
// The token gate's decision for a request to a guarded route (fixtures/gate.hpp), as a
// function of what the request says: its Authorization header and the session it
// names. Pass, or the reason it is refused, which names its answer (token_refusal.hpp).
// In this order, so that each reason means one thing: a bearer token at all
// (token_missing), the token itself (token_invalid, token_expired: the verifier), its
// revocation (token_revoked), then the session (session_missing, session_mismatch).

#include "inspekt/mock/tokens/token_refusal.hpp"
#include "inspekt/mock/tokens/token_revocations.hpp"
#include "inspekt/mock/tokens/token_verifier.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

struct GateRequest {
  std::optional<std::string_view> authorization; // the header's value, when sent
  // The session the request names: the body's (UploadBodyReader::session()), else the
  // query's (query_session()). Empty counts as none.
  std::optional<std::string_view> session;
};

struct GateVerdict {
  std::optional<TokenRefusal> refusal; // none: the request passes
  std::string_view detail;             // for the log: why a token was invalid
  std::optional<VerifiedToken> token;  // the token, when it verified

  bool passed() const { return !refusal; }
};

GateVerdict gate_decision(const GateRequest &request, const TokenVerifier &verifier,
                          const TokenRevocations &revocations, std::int64_t now);

// The token of `Authorization: Bearer <token>` (RFC 6750 section 2.1; the scheme in any
// letter case, RFC 9110 section 11.1), or nothing for another scheme or no token. A
// token with characters outside b64token is returned as it is: the verifier refuses it.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// The first `session` parameter of a query string (without '?'), decoded as a form
// (WHATWG URL's application/x-www-form-urlencoded), or nothing.
std::optional<std::string> query_session(std::string_view query);

} // namespace inspekt::mock
