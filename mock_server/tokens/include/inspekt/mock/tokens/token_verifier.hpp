#pragma once
// Checks a bearer token the way the token gate needs (fixtures/gate.hpp): a
// `refresh_token` this fixture set signed, not expired on the mock's clock. The same
// JWT codec as the issuer (client/jwt.hpp) and, built from an issuer, its ready HMAC key.
// Revocation is not the verifier's: it needs the mock's state (token_revocations.hpp).
// Stateless and immutable: any number of threads may verify at once, and two mocks
// with the same fixtures accept each other's tokens.

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"
#include "inspekt/mock/tokens/token_refusal.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

namespace detail {
struct GateClaims; // token_verifier.cpp
} // namespace detail

// What the gate needs of a token that verified.
struct VerifiedToken {
  std::string session; // sid
  std::string jti;     // which token: what key revocations reach it by
  std::int64_t expires = 0;
};

struct TokenCheck {
  std::optional<VerifiedToken> token;                 // set when the token verified
  TokenRefusal refusal = TokenRefusal::token_invalid; // token_invalid or token_expired
  // Why, for the log and the tests ("signature does not match"): fixed text, never a
  // part of the token.
  std::string_view detail;

  explicit operator bool() const { return token.has_value(); }
};

class TokenVerifier {
public:
  // With a key of its own, made ready from settings.secret.
  explicit TokenVerifier(const TokenSettings &settings);
  // Sharing `issuer`'s ready key: the one the tokens were signed with.
  explicit TokenVerifier(const TokenIssuer &issuer);

  // `now` in Unix seconds, the mock's clock. In this order: the JWS shape (three
  // base64url segments, JSON object header and payload), the header's alg equal to
  // tokens.json's (so "none" or another HMAC never verifies), the MAC under the secret
  // compared in constant time, the issuer (when tokens.json names one), token_type the
  // refresh token's, sid and jti strings, exp an integer, then exp after now.
  TokenCheck verify(std::string_view token, std::int64_t now) const;

private:
  TokenVerifier(const TokenSettings &settings, JwtSigner signer);
  TokenCheck verify_decoded(std::string_view token, std::int64_t now) const;
  bool mac_matches(std::string_view signing_input, std::string_view signature) const;
  TokenCheck check_claims(const detail::GateClaims &claims, std::int64_t now) const;

  JwtSigner signer_;
  std::string algorithm_;      // "HS256"
  std::string issuer_;         // empty: tokens carry no iss
  std::string refresh_type_;   // the refresh token's token_type
  std::string encoded_header_; // the issuer's, base64url
};

} // namespace inspekt::mock
