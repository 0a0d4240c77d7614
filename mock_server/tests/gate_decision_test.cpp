// gate_decision: every refusal reason reached from the request facts alone, in its
// order; a login's refresh token and session pass; revocation by session and by key.

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/gate_decision.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"

#include <catch2/catch.hpp>

using namespace inspekt::mock;

namespace {

constexpr std::int64_t now = 1764000000;
const std::string sid = "in123420251124160000";

struct GateFixture {
  FixtureSet fixtures = load_embedded_fixtures();
  TokenIssuer issuer{fixtures.tokens};
  TokenVerifier verifier{issuer};
  TokenRevocations revocations;
  Entropy entropy{5};

  // A login with `key`, as the handler will record it.
  IssuedTokens login(const std::string &key = "demo-valid-key", const std::string &session = sid) {
    auto issued = issuer.issue(session, std::nullopt, now, entropy);
    const auto claims = inspekt::decode_jwt(issued.refresh_token).jwt->claims;
    revocations.record_issued(claims["jti"].get<std::string>(), key_digest(key));
    return issued;
  }

  GateVerdict decide(std::optional<std::string> authorization, std::optional<std::string> session,
                     std::int64_t at = now) const {
    const GateRequest request{authorization ? std::optional<std::string_view>(*authorization)
                                            : std::nullopt,
                              session ? std::optional<std::string_view>(*session) : std::nullopt};
    return gate_decision(request, verifier, revocations, at);
  }
};

std::optional<TokenRefusal> refusal_of(const GateVerdict &verdict) {
  return verdict.refusal;
}

} // namespace

TEST_CASE("the gate lets a login's refresh token and session through", "[gate][handler]") {
  GateFixture gate;
  const auto tokens = gate.login();
  const auto verdict = gate.decide("Bearer " + tokens.refresh_token, sid);
  CHECK(verdict.passed());
  REQUIRE(verdict.token);
  CHECK(verdict.token->session == sid);
  // The scheme in any letter case, more than one space (RFC 6750 section 2.1 has 1*SP).
  CHECK(gate.decide("bearer  " + tokens.refresh_token, sid).passed());
  CHECK(gate.decide("BEARER " + tokens.refresh_token + " ", sid).passed());
}

TEST_CASE("every refusal reason, from the request facts alone", "[gate][handler]") {
  GateFixture gate;
  const auto tokens = gate.login();
  const auto bearer = "Bearer " + tokens.refresh_token;
  const auto other_set = [] {
    auto settings = load_embedded_fixtures().tokens;
    settings.secret = "another-fixture-set";
    Entropy entropy(1);
    return TokenIssuer(settings).issue(sid, std::nullopt, now, entropy).refresh_token;
  }();
  struct Row {
    const char *name;
    std::optional<std::string> authorization;
    std::optional<std::string> session;
    std::int64_t at;
    std::optional<TokenRefusal> refusal;
  };
  const std::vector<Row> rows{
      {"no Authorization", std::nullopt, sid, now, TokenRefusal::token_missing},
      {"another scheme", "Basic dXNlcjpwYXNz", sid, now, TokenRefusal::token_missing},
      {"Bearer without a token", "Bearer ", sid, now, TokenRefusal::token_missing},
      {"Bearer glued to the token", "Bearer" + tokens.refresh_token, sid, now,
       TokenRefusal::token_missing},
      {"the token without a scheme", tokens.refresh_token, sid, now, TokenRefusal::token_missing},
      {"no token, no session", std::nullopt, std::nullopt, now, TokenRefusal::token_missing},
      {"the access token", "Bearer " + tokens.access_token, sid, now, TokenRefusal::token_invalid},
      {"another fixture set's token", "Bearer " + other_set, sid, now, TokenRefusal::token_invalid},
      {"a truncated token", bearer.substr(0, bearer.size() - 1), sid, now,
       TokenRefusal::token_invalid},
      {"garbage", "Bearer not-a-jwt", sid, now, TokenRefusal::token_invalid},
      {"expired at exp (24 h, tokens.json)", bearer, sid, now + 86400, TokenRefusal::token_expired},
      {"expired, and no session: the token first", bearer, std::nullopt, now + 86400,
       TokenRefusal::token_expired},
      {"a second before exp", bearer, sid, now + 86399, std::nullopt},
      {"no session", bearer, std::nullopt, now, TokenRefusal::session_missing},
      {"an empty session", bearer, "", now, TokenRefusal::session_missing},
      {"another session", bearer, "in999920251124160000", now, TokenRefusal::session_mismatch},
      {"the session with a space", bearer, sid + " ", now, TokenRefusal::session_mismatch},
  };
  for (const auto &row : rows) {
    INFO(row.name);
    const auto verdict = gate.decide(row.authorization, row.session, row.at);
    CHECK(refusal_of(verdict) == row.refusal);
    CHECK(verdict.passed() == !row.refusal);
  }
  // Why a token was invalid is kept for the log.
  CHECK(gate.decide("Bearer " + tokens.access_token, sid).detail == "not a refresh token");
}

TEST_CASE("revoked tokens: by session and by key, the others pass", "[gate][handler]") {
  GateFixture gate;
  const auto mine = gate.login("demo-valid-key", sid);
  const auto other_key = gate.login("demo-other-key", "in555520251124160000");
  const auto second_session = gate.login("demo-valid-key", "in666620251124160000");

  gate.revocations.revoke_session(sid);
  CHECK(refusal_of(gate.decide("Bearer " + mine.refresh_token, sid)) ==
        TokenRefusal::token_revoked);
  // Revoked comes before the session check: a wrong session does not hide it.
  CHECK(refusal_of(gate.decide("Bearer " + mine.refresh_token, std::nullopt)) ==
        TokenRefusal::token_revoked);
  CHECK(gate.decide("Bearer " + second_session.refresh_token, "in666620251124160000").passed());

  gate.revocations.revoke_key(key_digest("demo-valid-key"));
  CHECK(refusal_of(gate.decide("Bearer " + second_session.refresh_token, "in666620251124160000")) ==
        TokenRefusal::token_revoked);
  CHECK(gate.decide("Bearer " + other_key.refresh_token, "in555520251124160000").passed());
  // A new login with the key, after its revocation (say the key is valid again after a
  // reload): its token is not refused for the old revocation.
  const auto later = gate.login("demo-valid-key", "in777720251124160000");
  CHECK(gate.decide("Bearer " + later.refresh_token, "in777720251124160000").passed());
  // A reset forgets every revocation.
  gate.revocations.clear();
  CHECK(gate.decide("Bearer " + mine.refresh_token, sid).passed());
}

TEST_CASE("the bearer token and the query's session, as the request gives them",
          "[gate][handler]") {
  CHECK(bearer_token("Bearer abc.def.ghi") == std::optional<std::string_view>("abc.def.ghi"));
  CHECK(bearer_token("bEaReR \tabc ") == std::optional<std::string_view>("abc"));
  CHECK_FALSE(bearer_token("Bearer"));
  CHECK_FALSE(bearer_token("Bearer   "));
  CHECK_FALSE(bearer_token("Bearerabc"));
  CHECK_FALSE(bearer_token("Token abc"));
  CHECK_FALSE(bearer_token(""));

  CHECK(query_session("session=in1234") == std::optional<std::string>("in1234"));
  CHECK(query_session("a=1&session=in%31234&session=x") == std::optional<std::string>("in1234"));
  CHECK(query_session("session") == std::optional<std::string>(""));
  CHECK_FALSE(query_session("sessions=1"));
  CHECK_FALSE(query_session(""));
  CHECK_FALSE(query_session("session=%zz")); // malformed: no session
}
