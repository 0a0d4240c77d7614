#pragma once
// Signs the two tokens of a login. Claims: iss, sub (the client_id, when given), iat,
// exp (iat + the fixture's lifetime), sid (the session), jti (unique), token_type, and
// the fixture's extra claims. Any mock holding the same fixtures verifies them.

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/fixtures/json_template.hpp"
#include "inspekt/mock/tokens/entropy.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

struct IssuedTokens {
  std::string access_token;
  std::string refresh_token;
  // The refresh token's jti: what the token gate's revocations know it by
  // (token_revocations.hpp). Inline, so a login allocates nothing more for it.
  char refresh_jti[Entropy::uuid_size]{};

  std::string_view refresh_token_id() const { return {refresh_jti, sizeof refresh_jti}; }
};

class TokenIssuer {
public:
  explicit TokenIssuer(TokenSettings settings);

  // `lifetime`, when given, replaces both tokens' (a key's token_lifetime_seconds, or
  // `Prefer: lifetime=`).
  IssuedTokens issue(const std::string &session, const std::optional<std::string> &client_id,
                     std::int64_t now, Entropy &entropy,
                     std::optional<std::chrono::seconds> lifetime = std::nullopt) const;

  const TokenSettings &settings() const { return settings_; }
  // The ready HMAC key, for a verifier of these tokens (token_verifier.hpp).
  const JwtSigner &signer() const { return signer_; }

private:
  // claims[0] without "sub", claims[1] with it. The token's jti goes to `jti`.
  std::string sign(const JsonTemplate (&claims)[2], std::int64_t lifetime,
                   const std::string &session, const std::optional<std::string> &client_id,
                   std::int64_t now, Entropy &entropy, char (&jti)[Entropy::uuid_size]) const;

  TokenSettings settings_;
  JwtSigner signer_; // the secret, made ready once
  std::string encoded_header_;
  JsonTemplate access_claims_[2];
  JsonTemplate refresh_claims_[2];
};

} // namespace inspekt::mock
