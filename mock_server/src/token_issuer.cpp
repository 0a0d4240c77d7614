#include "inspekt/mock/token_issuer.hpp"

#include "inspekt/client/base64url.hpp"
#include "inspekt/client/jwt.hpp"

namespace inspekt::mock {

TokenIssuer::TokenIssuer(TokenSettings settings) : settings_(std::move(settings)) {
  const nlohmann::json header = {{"alg", to_string(settings_.algorithm)}, {"typ", "JWT"}};
  encoded_header_ = base64url_encode(header.dump());
}

IssuedTokens TokenIssuer::issue(const std::string &session,
                                const std::optional<std::string> &client_id, std::int64_t now,
                                Entropy &entropy) const {
  return {sign(settings_.access, session, client_id, now, entropy),
          sign(settings_.refresh, session, client_id, now, entropy)};
}

std::string TokenIssuer::sign(const TokenKindSettings &kind, const std::string &session,
                              const std::optional<std::string> &client_id, std::int64_t now,
                              Entropy &entropy) const {
  nlohmann::json claims = kind.claims;
  if (!settings_.issuer.empty()) {
    claims["iss"] = settings_.issuer;
  }
  if (client_id) {
    claims["sub"] = *client_id;
  }
  claims["iat"] = now;
  claims["exp"] = now + kind.lifetime.count();
  claims["sid"] = session;
  claims["jti"] = entropy.uuid();
  claims["token_type"] = kind.type;
  // client_id came through a strict UTF-8 JSON parser, so dump cannot meet bad bytes;
  // replace is a second line of defence, never a silent change of valid input.
  const std::string payload = claims.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return sign_jwt(settings_.algorithm, encoded_header_, base64url_encode(payload),
                  settings_.secret);
}

} // namespace inspekt::mock
