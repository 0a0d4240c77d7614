// TokenVerifier and TokenRevocations: a refresh token the issuer signed passes; every
// kind of token a gate must refuse gets its reason (and is caught by the check named in
// the row, not by an earlier one); revocations reach tokens by session and by key.

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"
#include "inspekt/mock/tokens/token_revocations.hpp"
#include "inspekt/mock/tokens/token_verifier.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace inspekt::mock;
using inspekt::JwtAlgorithm;

namespace {

constexpr std::int64_t now = 1764000000;

TokenSettings settings(const std::string &secret = "gate-test-secret",
                       JwtAlgorithm algorithm = JwtAlgorithm::hs256) {
  TokenSettings tokens;
  tokens.algorithm = algorithm;
  tokens.secret = secret;
  tokens.issuer = "inspekt-mock";
  tokens.access = {"access", std::chrono::seconds(60), nlohmann::json::object()};
  tokens.refresh = {"refresh", std::chrono::seconds(600), nlohmann::json::object()};
  return tokens;
}

IssuedTokens issue(const TokenSettings &tokens, const std::string &session = "in123420251124160000",
                   std::int64_t at = now) {
  Entropy entropy(7);
  return TokenIssuer(tokens).issue(session, std::string("client"), at, entropy);
}

// `token` re-signed with `secret` after `change` edited its header and claims.
std::string forged(const std::string &token, const std::string &secret,
                   const std::function<void(nlohmann::json &, nlohmann::json &)> &change,
                   JwtAlgorithm algorithm = JwtAlgorithm::hs256) {
  auto decoded = inspekt::decode_jwt(token);
  REQUIRE(decoded);
  auto header = decoded.jwt->header;
  auto claims = decoded.jwt->claims;
  change(header, claims);
  return inspekt::sign_jwt(algorithm, inspekt::base64url_encode(header.dump()),
                           inspekt::base64url_encode(claims.dump()), secret);
}

std::string without_signature(const std::string &token) {
  return token.substr(0, token.rfind('.') + 1);
}

} // namespace

TEST_CASE("a refresh token of the issuer passes, with its sid, jti and exp", "[tokens][gate]") {
  const auto tokens = settings();
  const auto issued = issue(tokens);
  const TokenVerifier verifier(tokens);
  const auto check = verifier.verify(issued.refresh_token, now);
  REQUIRE(check);
  CHECK(check.token->session == "in123420251124160000");
  CHECK(check.token->expires == now + 600);
  const auto claims = inspekt::decode_jwt(issued.refresh_token).jwt->claims;
  CHECK(check.token->jti == claims["jti"].get<std::string>());
  // Built from the issuer, it shares its ready key: the same answers.
  const TokenIssuer issuer(tokens);
  CHECK(TokenVerifier(issuer).verify(issued.refresh_token, now));
  // Every algorithm the fixtures allow.
  for (const auto algorithm : {JwtAlgorithm::hs384, JwtAlgorithm::hs512}) {
    const auto other = settings("gate-test-secret", algorithm);
    CHECK(TokenVerifier(other).verify(issue(other).refresh_token, now));
  }
  // The default fixtures' own tokens.
  const auto defaults = load_embedded_fixtures().tokens;
  CHECK(TokenVerifier(defaults).verify(issue(defaults).refresh_token, now));
}

TEST_CASE("tokens the gate must refuse get token_invalid, each for its own reason",
          "[tokens][gate]") {
  const auto tokens = settings();
  const auto issued = issue(tokens);
  const auto &good = issued.refresh_token;
  const TokenVerifier verifier(tokens);
  const auto set_claim = [](const char *name, nlohmann::json value) {
    return [=](nlohmann::json &, nlohmann::json &claims) { claims[name] = value; };
  };
  struct Row {
    const char *name;
    std::string token;
    std::string_view detail;
  };
  const std::vector<Row> rows{
      {"another fixture set's secret", issue(settings("another-secret")).refresh_token,
       "signature does not match"},
      {"an access token", issued.access_token, "not a refresh token"},
      {"truncated signature", good.substr(0, good.size() - 3), "signature does not match"},
      {"truncated inside the payload", good.substr(0, good.find('.') + 20),
       "not three dot-separated segments"},
      {"no signature", without_signature(good), "signature does not match"},
      {"alg changed, signed with the secret",
       forged(
           good, "gate-test-secret",
           [](nlohmann::json &header, nlohmann::json &) { header["alg"] = "HS512"; },
           JwtAlgorithm::hs512),
       "alg is not the fixture set's"},
      {"alg none, no signature",
       without_signature(forged(
           good, "x", [](nlohmann::json &header, nlohmann::json &) { header["alg"] = "none"; })),
       "alg is not the fixture set's"},
      {"claims changed, signature kept",
       good.substr(0, good.find('.') + 1) +
           inspekt::base64url_encode(
               inspekt::decode_jwt(forged(good, "x", set_claim("sid", "in999920251124160000")))
                   .jwt->claims.dump()) +
           good.substr(good.rfind('.')),
       "signature does not match"},
      {"another issuer, same secret", forged(good, "gate-test-secret", set_claim("iss", "other")),
       "iss is not the fixture set's issuer"},
      {"token_type missing",
       forged(good, "gate-test-secret",
              [](nlohmann::json &, nlohmann::json &claims) { claims.erase("token_type"); }),
       "not a refresh token"},
      {"sid not a string", forged(good, "gate-test-secret", set_claim("sid", 42)),
       "sid or jti missing"},
      {"exp a string", forged(good, "gate-test-secret", set_claim("exp", "2099")),
       "exp missing or not an integer"},
      {"exp a fraction", forged(good, "gate-test-secret", set_claim("exp", 1.0e10)),
       "exp missing or not an integer"},
      {"garbage", "not a token at all", "not three dot-separated segments"},
      {"empty", "", "not three dot-separated segments"},
      {"two segments", good.substr(0, good.rfind('.')), "not three dot-separated segments"},
      {"four segments", good + ".x", "not three dot-separated segments"},
      {"padded base64", good + "=", "a segment is not unpadded base64url"},
      {"header not JSON", inspekt::base64url_encode("alg") + good.substr(good.find('.')),
       "header is not a JSON object"},
  };
  for (const auto &row : rows) {
    INFO(row.name);
    const auto check = verifier.verify(row.token, now);
    CHECK_FALSE(check);
    CHECK(check.refusal == TokenRefusal::token_invalid);
    CHECK(check.detail == row.detail);
  }
}

TEST_CASE("exp: a token is expired at exp itself (RFC 7519 section 4.1.4)", "[tokens][gate]") {
  const auto tokens = settings();
  const auto token = issue(tokens).refresh_token; // exp = now + 600
  const TokenVerifier verifier(tokens);
  CHECK(verifier.verify(token, now + 599));
  const auto at_exp = verifier.verify(token, now + 600);
  CHECK_FALSE(at_exp);
  CHECK(at_exp.refusal == TokenRefusal::token_expired);
  CHECK(verifier.verify(token, now + 100000).refusal == TokenRefusal::token_expired);
  // A token born expired (lifetime 0, a key's token_lifetime_seconds) never passes.
  Entropy entropy(1);
  const auto born_expired =
      TokenIssuer(tokens).issue("s", std::nullopt, now, entropy, std::chrono::seconds(0));
  CHECK(verifier.verify(born_expired.refresh_token, now).refusal == TokenRefusal::token_expired);
  // A bad signature is invalid whatever its exp: expiry is only read from a signed token.
  const auto other = issue(settings("another-secret")).refresh_token;
  CHECK(verifier.verify(other, now + 100000).refusal == TokenRefusal::token_invalid);
}

TEST_CASE("revoking a session refuses its tokens, and only its", "[tokens][gate][revocation]") {
  const auto tokens = settings();
  const TokenVerifier verifier(tokens);
  const auto a = verifier.verify(issue(tokens, "in111120251124160000").refresh_token, now);
  const auto b = verifier.verify(issue(tokens, "in222220251124160000").refresh_token, now);
  REQUIRE(a);
  REQUIRE(b);
  TokenRevocations revocations(16, 2);
  CHECK_FALSE(revocations.revoked(*a.token));
  CHECK(revocations.revoke_session("in111120251124160000") == TokenRevocations::Revoked::now);
  CHECK(revocations.revoke_session("in111120251124160000") == TokenRevocations::Revoked::already);
  CHECK(revocations.revoked(*a.token));
  CHECK_FALSE(revocations.revoked(*b.token));
  CHECK(revocations.revoke_session("x") == TokenRevocations::Revoked::now);
  CHECK(revocations.revoke_session("y") == TokenRevocations::Revoked::full);
  CHECK(revocations.sessions_revoked() == 2);
  revocations.clear();
  CHECK_FALSE(revocations.revoked(*a.token));
}

TEST_CASE("revoking a key refuses the tokens issued for it before, no others",
          "[tokens][gate][revocation]") {
  const auto tokens = settings();
  const TokenIssuer issuer(tokens);
  const TokenVerifier verifier(issuer);
  Entropy entropy(3);
  TokenRevocations revocations(8);
  const auto key_a = key_digest("demo-valid-key");
  const auto key_b = key_digest("another-key");
  // A login: the token, and the book written as the handler will write it.
  const auto login = [&](const KeyDigest &key) {
    const auto issued = issuer.issue("in000020251124160000", std::nullopt, now, entropy);
    auto check = verifier.verify(issued.refresh_token, now);
    REQUIRE(check);
    revocations.record_issued(check.token->jti, key);
    return *check.token;
  };
  const auto a1 = login(key_a);
  const auto b1 = login(key_b);
  const auto a2 = login(key_a);
  revocations.revoke_key(key_a);
  CHECK(revocations.revoked(a1));
  CHECK(revocations.revoked(a2));
  CHECK_FALSE(revocations.revoked(b1));
  // All three share a session id on purpose: the key, not the session, decided.
  // A token for the same key issued after the revocation (the key valid again, say
  // after a reload) is not refused for it.
  const auto a3 = login(key_a);
  CHECK_FALSE(revocations.revoked(a3));
  revocations.revoke_key(key_a);
  CHECK(revocations.revoked(a3));
  // A key revoked before any login: its later tokens pass; its earlier ones are unknown.
  revocations.revoke_key(key_digest("never-logged-in"));
  CHECK_FALSE(revocations.revoked(b1));
  // A token the book does not know (another replica's, or forgotten) is not refused for
  // its key: the book holds the last 8 logins.
  CHECK(revocations.issued_known() == 4);
  for (int i = 0; i < 8; ++i) {
    login(key_b);
  }
  CHECK(revocations.issued_known() == 8);
  CHECK_FALSE(revocations.revoked(a1)); // forgotten
  const auto b9 = login(key_b);
  revocations.revoke_key(key_b);
  CHECK(revocations.revoked(b9));
  // A jti that is not a UUID is neither written down nor found.
  VerifiedToken odd{"s", "not-a-uuid", now + 1};
  revocations.record_issued(odd.jti, key_b);
  revocations.revoke_key(key_b);
  CHECK_FALSE(revocations.revoked(odd));
  revocations.clear();
  CHECK(revocations.issued_known() == 0);
  CHECK_FALSE(revocations.revoked(b9));
}

TEST_CASE("revocations are read while logins write, from many threads",
          "[tokens][gate][revocation]") {
  const auto tokens = settings();
  const TokenIssuer issuer(tokens);
  const TokenVerifier verifier(issuer);
  TokenRevocations revocations(1000);
  const auto key = key_digest("k");
  std::atomic<int> revoked_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Entropy entropy(static_cast<std::uint64_t>(t));
      for (int i = 0; i < 500; ++i) {
        const auto issued = issuer.issue("s" + std::to_string(t), std::nullopt, now, entropy);
        const auto check = verifier.verify(issued.refresh_token, now);
        revocations.record_issued(check.token->jti, key);
        if (i == 250 && t == 0) {
          revocations.revoke_key(key);
        }
        revoked_seen += revocations.revoked(*check.token) ? 1 : 0;
      }
    });
  }
  for (auto &thread : threads) {
    thread.join();
  }
  CHECK(revocations.issued_known() == 1000);
  // Thread 0's token 250 was issued before its revocation, and the check came after.
  CHECK(revoked_seen >= 1);
}
