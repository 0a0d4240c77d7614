#include "inspekt/mock/tokens/token_verifier.hpp"

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/top_members_sax.hpp"

#include <openssl/crypto.h>

namespace inspekt::mock {

// The claims the gate reads; a claim of another JSON type counts as absent.
struct detail::GateClaims {
  std::optional<std::string> iss, token_type, sid, jti;
  std::optional<std::int64_t> exp;
};

namespace {

using detail::GateClaims;

TokenCheck invalid(std::string_view detail) {
  return {std::nullopt, TokenRefusal::token_invalid, detail};
}

GateClaims from_tree(const nlohmann::json &claims) {
  GateClaims read;
  for (auto [name, slot] : {std::pair{"iss", &read.iss}, std::pair{"token_type", &read.token_type},
                            std::pair{"sid", &read.sid}, std::pair{"jti", &read.jti}}) {
    const auto it = claims.find(name);
    if (it != claims.end() && it->is_string()) {
      *slot = it->get<std::string>();
    }
  }
  const auto exp = claims.find("exp");
  if (exp != claims.end() && exp->is_number_integer()) {
    read.exp = exp->get<std::int64_t>();
  }
  return read;
}

// The same, read from the payload's text by events: no tree is built for the members
// the gate does not read. Like nlohmann's tree, a member named twice counts by its last.
class ClaimsReader : public TopMembersSax<ClaimsReader> {
public:
  GateClaims claims;

  bool number_integer(number_integer_t value) override { return integer(value); }
  bool number_unsigned(number_unsigned_t value) override {
    return integer(static_cast<std::int64_t>(value));
  }
  bool string(string_t &value) override {
    if (depth() == 1 && slot_ != nullptr) {
      *slot_ = std::move(value);
    } else if (depth() == 1 && exp_) {
      claims.exp.reset();
    }
    return done();
  }
  bool key(string_t &name) override {
    if (depth() == 1) {
      slot_ = name == "iss"          ? &claims.iss
              : name == "token_type" ? &claims.token_type
              : name == "sid"        ? &claims.sid
              : name == "jti"        ? &claims.jti
                                     : nullptr;
      exp_ = name == "exp";
    }
    return true;
  }
  // A value of a type the claim cannot have: the claim is absent (as from_tree reads it).
  bool other_value() {
    if (depth() == 1 && slot_ != nullptr) {
      slot_->reset();
    } else if (depth() == 1 && exp_) {
      claims.exp.reset();
    }
    return done();
  }

private:
  bool integer(std::int64_t value) {
    if (depth() == 1 && exp_) {
      claims.exp = value;
    } else if (depth() == 1 && slot_ != nullptr) {
      slot_->reset();
    }
    return done();
  }
  bool done() {
    if (depth() == 1) {
      slot_ = nullptr;
      exp_ = false;
    }
    return true;
  }
  std::optional<std::string> *slot_ = nullptr;
  bool exp_ = false;
};

} // namespace

TokenVerifier::TokenVerifier(const TokenSettings &settings)
    : TokenVerifier(settings, JwtSigner(settings.algorithm, settings.secret)) {}

TokenVerifier::TokenVerifier(const TokenIssuer &issuer)
    : TokenVerifier(issuer.settings(), issuer.signer()) {}

TokenVerifier::TokenVerifier(const TokenSettings &settings, JwtSigner signer)
    : signer_(std::move(signer)), algorithm_(to_string(settings.algorithm)),
      issuer_(settings.issuer), refresh_type_(settings.refresh.type),
      // The header TokenIssuer writes; should the two ever differ, tokens take the long way.
      encoded_header_(base64url_encode(
          nlohmann::json{{"alg", to_string(settings.algorithm)}, {"typ", "JWT"}}.dump())) {}

TokenCheck TokenVerifier::verify(std::string_view token, std::int64_t now) const {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  // The tokens the issuer signs start with its header, byte for byte: then the alg is
  // this set's without parsing it, and the MAC is taken over the token's own bytes.
  // Any other header goes the long way (decode_jwt), which says what is wrong with it.
  if (second == std::string_view::npos || token.substr(0, first) != encoded_header_) {
    return verify_decoded(token, now);
  }
  if (token.find('.', second + 1) != std::string_view::npos) {
    return invalid(to_string(JwtDecodeError::not_three_segments));
  }
  const auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) {
    return invalid(to_string(JwtDecodeError::segment_not_base64url));
  }
  if (!mac_matches(token.substr(0, second), *signature)) {
    return invalid("signature does not match");
  }
  const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) {
    return invalid(to_string(JwtDecodeError::segment_not_base64url));
  }
  ClaimsReader reader;
  if (!nlohmann::json::sax_parse(*payload, &reader) || !reader.top_is_object()) {
    return invalid(to_string(JwtDecodeError::payload_not_json_object));
  }
  return check_claims(reader.claims, now);
}

TokenCheck TokenVerifier::verify_decoded(std::string_view token, std::int64_t now) const {
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
  if (!mac_matches(jwt.signing_input, jwt.signature)) {
    return invalid("signature does not match");
  }
  return check_claims(from_tree(jwt.claims), now);
}

bool TokenVerifier::mac_matches(std::string_view signing_input, std::string_view signature) const {
  unsigned char expected[JwtSigner::max_mac_size];
  const auto size = signer_.mac(signing_input, expected);
  return signature.size() == size && CRYPTO_memcmp(expected, signature.data(), size) == 0;
}

// Signed with this secret, so the claims are the issuer's own or those of a set that
// shares the secret: what follows tells a refresh token of this set from the others.
TokenCheck TokenVerifier::check_claims(const detail::GateClaims &claims, std::int64_t now) const {
  if (!issuer_.empty() && claims.iss != issuer_) {
    return invalid("iss is not the fixture set's issuer");
  }
  if (claims.token_type != refresh_type_) {
    return invalid("not a refresh token");
  }
  if (!claims.sid || !claims.jti) {
    return invalid("sid or jti missing");
  }
  if (!claims.exp) {
    return invalid("exp missing or not an integer");
  }
  // RFC 7519 section 4.1.4: exp is the time "on or after which the JWT MUST NOT be
  // accepted", so at now == exp the token is expired.
  if (now >= *claims.exp) {
    return {std::nullopt, TokenRefusal::token_expired, "exp has come"};
  }
  return {VerifiedToken{*claims.sid, *claims.jti, *claims.exp}, TokenRefusal::token_invalid, {}};
}

} // namespace inspekt::mock
