// classify(): every status and every way a 200 can break the contract, on canned
// exchanges (no sockets).

#include "inspekt/client/auth_client.hpp"
#include "inspekt/core/base64url.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace inspekt;
using nlohmann::json;

namespace {

std::string token(const json &claims) {
  return sign_jwt(JwtAlgorithm::hs256, base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
                  base64url_encode(claims.dump()), "secret");
}

const std::string access = token({{"sid", "in1234"}, {"token_type", "access"}});
const std::string refresh = token({{"sid", "in1234"}, {"token_type", "refresh"}});

json good_body() {
  return {{"session", "in1234"}, {"access_token", access}, {"refresh_token", refresh}};
}

Exchange answer(int status, std::string body, std::string content_type = "application/json") {
  Exchange exchange;
  exchange.status = status;
  exchange.body = std::move(body);
  if (!content_type.empty()) {
    exchange.headers.emplace("Content-Type", content_type);
  }
  return exchange;
}

struct StatusRow {
  int status;
  ErrorKind kind;
};

struct BrokenRow {
  const char *name;
  std::string body;
  const char *id;
};

} // namespace

TEST_CASE("a 200 holding the three strings and two JWTs gives credentials", "[classify]") {
  auto body = good_body();
  body["unknown_extra"] = 1; // fields the page does not list are ignored
  const auto result = classify(answer(200, body.dump()));
  REQUIRE(result);
  CHECK_FALSE(result.error);
  REQUIRE(result.exchange);
  CHECK(result.exchange->status == 200);
  const Credentials &credentials = *result.credentials;
  CHECK(credentials.session == "in1234");
  CHECK(credentials.access_token == access);
  CHECK(credentials.refresh_token == refresh);
  CHECK(credentials.access.claims["token_type"] == "access");
  CHECK(credentials.refresh.claims["token_type"] == "refresh");
  CHECK(credentials.access.header["alg"] == "HS256");
  // The vendor's page: refresh_token goes in the Authorization header.
  CHECK(credentials.authorization_header() == "Bearer " + refresh);
}

TEST_CASE("each status maps to its documented kind, with the server's message", "[classify]") {
  const auto row = GENERATE(values<StatusRow>({
      {400, ErrorKind::invalid_request},
      {401, ErrorKind::invalid_key},
      {405, ErrorKind::method_not_allowed},
      {201, ErrorKind::unexpected_status},
      {204, ErrorKind::unexpected_status},
      {301, ErrorKind::unexpected_status},
      {403, ErrorKind::unexpected_status},
      {404, ErrorKind::unexpected_status},
      {413, ErrorKind::unexpected_status},
      {415, ErrorKind::unexpected_status},
      {429, ErrorKind::unexpected_status},
      {500, ErrorKind::unexpected_status},
      {502, ErrorKind::unexpected_status},
      {503, ErrorKind::unexpected_status},
  }));
  DYNAMIC_SECTION("status " << row.status) {
    // Even a body that looks like credentials is not a success outside 200.
    for (const std::string &body :
         {json{{"message", "the server's words"}}.dump(), good_body().dump()}) {
      const auto result = classify(answer(row.status, body));
      CHECK_FALSE(result);
      CHECK_FALSE(result.credentials);
      REQUIRE(result.error);
      CHECK(result.error->kind == row.kind);
      CHECK(result.error->status == row.status);
      REQUIRE(result.exchange);
      CHECK(result.exchange->body == body);
      if (body.find("message") != std::string::npos) {
        CHECK(result.error->server_message == "the server's words");
        CHECK_THAT(result.error->description, Catch::Contains("the server's words"));
      } else {
        CHECK(result.error->server_message.empty());
      }
      // The printed error names the status once: "invalid_key (401): the server ...".
      std::ostringstream printed;
      printed << *result.error;
      const std::string code = std::to_string(row.status);
      CHECK_THAT(printed.str(), Catch::Contains(" (" + code + "): "));
      CHECK(printed.str().find(code) == printed.str().rfind(code));
    }
  }
}

TEST_CASE("error bodies without a string message leave server_message empty", "[classify]") {
  for (const std::string body : {"", "Unauthorized", "[]", R"({"message": 401})",
                                 R"({"error": "API Key not valid"})", "<html>502</html>"}) {
    INFO(body);
    const auto result = classify(answer(401, body, "text/html"));
    REQUIRE(result.error);
    CHECK(result.error->kind == ErrorKind::invalid_key);
    CHECK(result.error->server_message.empty());
  }
  const auto html = classify(answer(502, "<html>\r\n<b>Bad gateway</b></html>", "text/html"));
  CHECK_THAT(html.error->description, Catch::Contains("text/html"));
  CHECK_THAT(html.error->description, Catch::Contains("<html>..<b>Bad gateway"));
}

TEST_CASE("405 names the methods the server allows", "[classify]") {
  auto exchange = answer(405, R"({"message":"Method not allowed"})");
  exchange.headers.emplace("allow", "POST");
  const auto result = classify(exchange);
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::method_not_allowed);
  CHECK(result.error->server_message == "Method not allowed");
  CHECK_THAT(result.error->description, Catch::Contains("Allow: POST"));
}

TEST_CASE("a 429 or a 503 says how long to wait, from Retry-After", "[classify]") {
  struct Row {
    int status;
    const char *retry_after; // nullptr: no header
    std::optional<long> seconds;
    const char *said;
  };
  const auto row = GENERATE(values<Row>({
      {429, "7", 7, "retry after 7 s (Retry-After)"},
      {503, "30", 30, "retry after 30 s (Retry-After)"},
      {503, "Wed, 21 Oct 2026 07:28:00 GMT", std::nullopt,
       "retry after Wed, 21 Oct 2026 07:28:00 GMT (Retry-After)"},
      {429, nullptr, std::nullopt, "it sent no Retry-After"},
      {503, nullptr, std::nullopt, "it sent no Retry-After"},
      {500, "5", 5, "retry after 5 s (Retry-After)"},
  }));
  auto exchange = answer(row.status, R"({"message":"Too many requests"})");
  if (row.retry_after != nullptr) {
    exchange.headers.emplace("retry-after", row.retry_after);
  }
  const auto result = classify(exchange);
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::unexpected_status);
  CHECK_THAT(result.error->description, Catch::Contains(row.said));
  if (row.seconds) {
    REQUIRE(result.error->retry_after);
    CHECK(result.error->retry_after->count() == *row.seconds);
  } else {
    CHECK_FALSE(result.error->retry_after);
  }
}

TEST_CASE("a 200 that breaks the contract is a protocol error", "[classify]") {
  const auto with = [](const char *field, json value) {
    auto body = good_body();
    body[field] = std::move(value);
    return body.dump();
  };
  const auto without = [](const char *field) {
    auto body = good_body();
    body.erase(field);
    return body.dump();
  };
  const auto row = GENERATE_REF(values<BrokenRow>({
      {"empty body", "", "[protocol.not-json]"},
      {"HTML", "<html>ok</html>", "[protocol.not-json]"},
      {"truncated JSON", good_body().dump().substr(0, 40), "[protocol.not-json]"},
      {"an array", "[]", "[protocol.not-object]"},
      {"a string", "\"in1234\"", "[protocol.not-object]"},
      {"session missing", without("session"), "[protocol.field-missing]"},
      {"access_token missing", without("access_token"), "[protocol.field-missing]"},
      {"refresh_token missing", without("refresh_token"), "[protocol.field-missing]"},
      {"session a number", with("session", 1234), "[protocol.field-type]"},
      {"session null", with("session", nullptr), "[protocol.field-type]"},
      {"access_token an object", with("access_token", json::object()), "[protocol.field-type]"},
      {"refresh_token an array", with("refresh_token", json::array({refresh})),
       "[protocol.field-type]"},
      {"session empty", with("session", ""), "[protocol.field-empty]"},
      {"access_token empty", with("access_token", ""), "[protocol.field-empty]"},
      {"refresh_token empty", with("refresh_token", ""), "[protocol.field-empty]"},
      {"access_token opaque", with("access_token", "0123456789abcdef"), "[protocol.not-jwt]"},
      {"refresh_token two segments", with("refresh_token", "eyJhbGciOiJIUzI1NiJ9.e30"),
       "[protocol.not-jwt]"},
      {"access_token payload not JSON",
       with("access_token",
            base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode("nope") + ".c2ln"),
       "[protocol.not-jwt]"},
      {"refresh_token padded base64", with("refresh_token", refresh + "="), "[protocol.not-jwt]"},
  }));
  DYNAMIC_SECTION(row.name) {
    const auto result = classify(answer(200, row.body));
    CHECK_FALSE(result);
    REQUIRE(result.error);
    CHECK(result.error->kind == ErrorKind::protocol);
    CHECK(result.error->status == 200);
    CHECK_THAT(result.error->description, Catch::Contains(row.id));
    REQUIRE(result.exchange);
    CHECK(result.exchange->body == row.body);
    // A description may name a field, never repeat a token.
    CHECK(result.error->description.find(access) == std::string::npos);
    CHECK(result.error->description.find(refresh) == std::string::npos);
  }
}

TEST_CASE("header lookup ignores letter case", "[exchange]") {
  Exchange exchange;
  exchange.headers.emplace("Content-Type", "application/json");
  exchange.headers.emplace("X-Two", "first");
  exchange.headers.emplace("x-two", "second");
  CHECK(exchange.header("content-type") == "application/json");
  CHECK(exchange.header("CONTENT-TYPE") == "application/json");
  CHECK(exchange.header("X-TWO") == "first");
  CHECK(exchange.headers.count("x-Two") == 2);
  CHECK(exchange.header("Allow").empty());
}

TEST_CASE("header names fold ASCII letters only", "[exchange]") {
  CHECK(equals_ignoring_case("Content-Type", "CONTENT-TYPE"));
  CHECK(equals_ignoring_case("x-Z", "X-z"));
  CHECK_FALSE(equals_ignoring_case("content-type", "content-typ"));
  // Folding by setting bit 0x20 would equate these pairs: '@' and '`', '[' and '{', '\r' and '-'.
  CHECK_FALSE(equals_ignoring_case("@", "`"));
  CHECK_FALSE(equals_ignoring_case("[", "{"));
  CHECK_FALSE(equals_ignoring_case("\r", "-"));
  // Bytes past ASCII are never letters to HTTP, whatever a locale would say.
  CHECK_FALSE(equals_ignoring_case("\xC0", "\xE0"));
  CHECK(CaseInsensitiveLess{}("accept", "Content-Type"));
  CHECK_FALSE(CaseInsensitiveLess{}("CONTENT-TYPE", "content-type"));
  // Compared as lower case: "z" (0x7a) sorts after "[" (0x5b).
  CHECK_FALSE(CaseInsensitiveLess{}("Z", "["));
}
