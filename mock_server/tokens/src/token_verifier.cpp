#include "inspekt/mock/tokens/token_verifier.hpp"

#include <openssl/crypto.h>

namespace inspekt::mock {

namespace {

TokenCheck invalid(std::string_view detail) {
  return {std::nullopt, TokenRefusal::token_invalid, detail};
}

const std::string *string_claim(const nlohmann::json &claims, const char *name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? &it->get_ref<const std::string &>() : nullptr;
}

} // namespace

TokenVerifier::TokenVerifier(const TokenSettings &settings)
    : TokenVerifier(settings, JwtSigner(settings.algorithm, settings.secret)) {}

TokenVerifier::TokenVerifier(const TokenIssuer &issuer)
    : TokenVerifier(issuer.settings(), issuer.signer()) {}

TokenVerifier::TokenVerifier(const TokenSettings &settings, JwtSigner signer)
    : signer_(std::move(signer)), algorithm_(to_string(settings.algorithm)),
      issuer_(settings.issuer), refresh_type_(settings.refresh.type) {}

TokenCheck TokenVerifier::verify(std::string_view token, std::int64_t now) const {
  const auto decoded = decode_jwt(token);
  if (!decoded) {
    return invalid(to_string(decoded.error));
  }
  const auto &jwt = *decoded.jwt;
  // RFC 8725 section 3.1: the algorithm is the one this set signs with, never the one
  // the token names (decode_jwt made sure "alg" is a string).
  if (jwt.header["alg"].get_ref<const std::string &>() != algorithm_) {
    return invalid("alg is not the fixture set's");
  }
  unsigned char expected[JwtSigner::max_mac_size];
  const auto size = signer_.mac(jwt.signing_input, expected);
  if (jwt.signature.size() != size || CRYPTO_memcmp(expected, jwt.signature.data(), size) != 0) {
    return invalid("signature does not match");
  }
  // Signed with this secret, so the claims are the issuer's own or a set's that shares
  // the secret: what follows tells a refresh token of this set from the others.
  const auto &claims = jwt.claims;
  if (!issuer_.empty()) {
    const auto *iss = string_claim(claims, "iss");
    if (!iss || *iss != issuer_) {
      return invalid("iss is not the fixture set's issuer");
    }
  }
  const auto *type = string_claim(claims, "token_type");
  if (!type || *type != refresh_type_) {
    return invalid("not a refresh token");
  }
  const auto *sid = string_claim(claims, "sid");
  const auto *jti = string_claim(claims, "jti");
  if (!sid || !jti) {
    return invalid("sid or jti missing");
  }
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) {
    return invalid("exp missing or not an integer");
  }
  const auto expires = exp->get<std::int64_t>();
  // RFC 7519 section 4.1.4: exp is the time "on or after which the JWT MUST NOT be
  // accepted", so at now == exp the token is expired.
  if (now >= expires) {
    return {std::nullopt, TokenRefusal::token_expired, "exp has come"};
  }
  return {VerifiedToken{*sid, *jti, expires}, TokenRefusal::token_invalid, {}};
}

} // namespace inspekt::mock
