#include "inspekt/mock/tokens/token_issuer.hpp"

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"

#include <charconv>
#include <iterator>

namespace inspekt::mock {

namespace {

// The holes of a claims template, in the order sign() passes their values.
enum Hole : std::size_t { iat_hole, exp_hole, sid_hole, jti_hole, sub_hole };

std::optional<JsonTemplate::Hole> claim_hole(const nlohmann::json &, std::string_view member,
                                             int depth) {
  if (depth != 1) {
    return std::nullopt; // the fixture's own claims are literal, whatever they hold
  }
  if (member == "iat") {
    return JsonTemplate::Hole{iat_hole, false};
  }
  if (member == "exp") {
    return JsonTemplate::Hole{exp_hole, false};
  }
  if (member == "sid") {
    return JsonTemplate::Hole{sid_hole, true};
  }
  if (member == "jti") {
    return JsonTemplate::Hole{jti_hole, true};
  }
  if (member == "sub") {
    return JsonTemplate::Hole{sub_hole, true};
  }
  return std::nullopt;
}

// The claims object as dump() printed it, with the per-login values as holes. The
// reserved names never come from the fixture (the loader refuses them).
JsonTemplate compile_claims(const TokenKindSettings &kind, const std::string &issuer,
                            bool with_sub) {
  nlohmann::json claims = kind.claims;
  if (!issuer.empty()) {
    claims["iss"] = issuer;
  }
  claims["token_type"] = kind.type;
  for (const char *name : {"iat", "exp", "sid", "jti"}) {
    claims[name] = nullptr;
  }
  if (with_sub) {
    claims["sub"] = nullptr;
  }
  return JsonTemplate(claims, claim_hole);
}

} // namespace

TokenIssuer::TokenIssuer(TokenSettings settings)
    : settings_(std::move(settings)), signer_(settings_.algorithm, settings_.secret) {
  const nlohmann::json header = {{"alg", to_string(settings_.algorithm)}, {"typ", "JWT"}};
  encoded_header_ = base64url_encode(header.dump());
  for (const bool with_sub : {false, true}) {
    access_claims_[with_sub] = compile_claims(settings_.access, settings_.issuer, with_sub);
    refresh_claims_[with_sub] = compile_claims(settings_.refresh, settings_.issuer, with_sub);
  }
}

IssuedTokens TokenIssuer::issue(const std::string &session,
                                const std::optional<std::string> &client_id, std::int64_t now,
                                Entropy &entropy,
                                std::optional<std::chrono::seconds> lifetime) const {
  IssuedTokens tokens;
  char access_jti[Entropy::uuid_size];
  tokens.access_token = sign(access_claims_, lifetime.value_or(settings_.access.lifetime).count(),
                             session, client_id, now, entropy, access_jti);
  tokens.refresh_token =
      sign(refresh_claims_, lifetime.value_or(settings_.refresh.lifetime).count(), session,
           client_id, now, entropy, tokens.refresh_jti);
  return tokens;
}

// The token is made in the string returned: the header, the claims encoded straight
// after it, and the signature appended in place. Only the claims' JSON needs a buffer of
// its own, one per thread and kept.
std::string TokenIssuer::sign(const JsonTemplate (&claims)[2], std::int64_t lifetime,
                              const std::string &session,
                              const std::optional<std::string> &client_id, std::int64_t now,
                              Entropy &entropy, char (&jti)[Entropy::uuid_size]) const {
  char iat[24];
  char exp[24];
  const auto iat_end = std::to_chars(std::begin(iat), std::end(iat), now).ptr;
  const auto exp_end = std::to_chars(std::begin(exp), std::end(exp), now + lifetime).ptr;
  entropy.write_uuid(jti);
  std::optional<std::string_view> sub;
  if (client_id) {
    sub = *client_id;
  }
  thread_local std::string payload;
  payload.clear();
  // client_id came through a strict UTF-8 JSON parser, so nothing needs replacing; the
  // template still replaces bad bytes, as a second line of defence.
  claims[client_id.has_value()].render(payload, {std::string_view(iat, iat_end - iat),
                                                 std::string_view(exp, exp_end - exp), session,
                                                 std::string_view(jti, sizeof jti), sub});
  std::string token;
  token.reserve(encoded_header_.size() + base64url_encoded_size(payload.size()) + 2 +
                base64url_encoded_size(JwtSigner::max_mac_size));
  token += encoded_header_;
  token += '.';
  append_base64url(token, payload);
  signer_.append_signature(token);
  return token;
}

} // namespace inspekt::mock
