// gate.json: the default set guards POST /api/upload; every kind of broken gate file is
// refused with its [fixture.*] id and a message naming file, place and reason; a set
// without gate.json guards nothing.

#include "fixture_files.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace inspekt::mock;
using inspekt::mock::test::default_files_with;
using inspekt::mock::test::error_of;

namespace {

std::vector<FixtureFile> default_files_without(const std::string &name) {
  auto files = embedded_fixture_files();
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const FixtureFile &f) { return f.name == name; }),
              files.end());
  return files;
}

std::string gate_with_route(const std::string &route) {
  return R"({"routes":[)" + route + "]}";
}

} // namespace

TEST_CASE("the default set guards POST /api/upload with upload_accepted", "[fixtures][gate]") {
  const auto set = load_embedded_fixtures();
  REQUIRE(set.gate.routes.size() == 1);
  const auto *route = set.gate.find("POST", "/api/upload");
  REQUIRE(route);
  CHECK(set.name_of(route->answer) == "upload_accepted");
  const auto &accepted = set.answers[route->answer].response;
  CHECK(accepted.status == 200);
  CHECK(accepted.json_body == nlohmann::json{{"message", "Upload received"}});
  // Exact matches only: methods are case-sensitive (RFC 9110 section 9.1), paths are
  // compared as sent.
  CHECK_FALSE(set.gate.find("post", "/api/upload"));
  CHECK_FALSE(set.gate.find("GET", "/api/upload"));
  CHECK_FALSE(set.gate.find("POST", "/api/upload/"));
  CHECK_FALSE(set.gate.find("POST", "/api/authenticate"));
  CHECK(set.gate.methods_at("/api/upload") == "POST");
  CHECK(set.gate.methods_at("/api/other").empty());
}

TEST_CASE("the gate's refusals carry RFC 6750's challenges", "[fixtures][gate]") {
  const auto set = load_embedded_fixtures();
  struct Row {
    Outcome outcome;
    int status;
    const char *challenge; // nullptr: no WWW-Authenticate
  };
  // RFC 6750 section 3: a request without credentials gets the bare challenge; an
  // expired, revoked or otherwise bad token gets error="invalid_token" (and 401).
  const auto row = GENERATE(values<Row>({
      {Outcome::token_missing, 401, "Bearer"},
      {Outcome::token_invalid, 401, "Bearer error=\"invalid_token\""},
      {Outcome::token_expired, 401, "Bearer error=\"invalid_token\""},
      {Outcome::token_revoked, 401, "Bearer error=\"invalid_token\""},
      {Outcome::session_missing, 400, nullptr},
      {Outcome::session_mismatch, 401, nullptr},
  }));
  INFO(to_string(row.outcome));
  const auto &response = set.response(row.outcome);
  CHECK(response.status == row.status);
  const auto challenge =
      std::find_if(response.headers.begin(), response.headers.end(),
                   [](const auto &header) { return header.first == "WWW-Authenticate"; });
  if (row.challenge) {
    REQUIRE(challenge != response.headers.end());
    CHECK(challenge->second == row.challenge);
  } else {
    CHECK(challenge == response.headers.end());
  }
  REQUIRE(response.json_body);
  CHECK((*response.json_body)["message"].is_string());
}

TEST_CASE("a set without gate.json guards nothing and needs no gate answers", "[fixtures][gate]") {
  // A set written before the gate: four files, responses.json without the gate's answers.
  auto files = default_files_without("gate.json");
  auto responses = nlohmann::json::parse(files[1].text);
  for (const char *name : {"upload_accepted", "token_missing", "token_invalid", "token_expired",
                           "token_revoked", "session_missing", "session_mismatch"}) {
    responses.erase(name);
  }
  files[1].text = responses.dump();
  const auto set = load_fixtures(files, "test");
  CHECK(set.gate.empty());
  CHECK_FALSE(set.gate.find("POST", "/api/upload"));
  CHECK_FALSE(set.find_answer(Outcome::token_missing));
  // An empty list is the same.
  CHECK(load_fixtures(default_files_with("gate.json", R"({"routes":[]})"), "test").gate.empty());
}

TEST_CASE("the gate's refusals are overridable like any answer", "[fixtures][gate]") {
  auto responses = nlohmann::json::parse(embedded_fixture_files()[1].text);
  responses["token_expired"] = {{"status", 419}, {"body", {{"error", "expired"}}}};
  const auto set = load_fixtures(default_files_with("responses.json", responses.dump()), "test");
  CHECK(set.response(Outcome::token_expired).status == 419);
}

TEST_CASE("a broken gate.json is refused with its id, place and reason", "[fixtures][gate]") {
  struct Broken {
    std::string name;
    std::string text;
    std::string message;
  };
  const auto row = GENERATE(values<Broken>({
      {"not JSON", R"({"routes":[)", "[fixture.parse] gate.json: line 1, column 12: "},
      {"unknown top field", R"({"routes":[],"route":[]})",
       "[fixture.unknown-field] gate.json: /route: unknown field (known here: routes)"},
      {"routes missing", R"({})",
       "[fixture.missing-field] gate.json: /routes: required field is missing"},
      {"routes not an array", R"({"routes":{}})",
       "[fixture.type] gate.json: /routes: expected array, got object"},
      {"route not an object", gate_with_route(R"("POST /api/upload")"),
       "[fixture.type] gate.json: /routes/0: expected object, got string"},
      {"unknown route field",
       gate_with_route(R"({"method":"POST","path":"/a","answer":"success","delay_ms":5})"),
       "[fixture.unknown-field] gate.json: /routes/0/delay_ms: unknown field (known here: "
       "method, path, answer)"},
      {"method missing", gate_with_route(R"({"path":"/a","answer":"success"})"),
       "[fixture.missing-field] gate.json: /routes/0/method: required field is missing"},
      {"path missing", gate_with_route(R"({"method":"POST","answer":"success"})"),
       "[fixture.missing-field] gate.json: /routes/0/path: required field is missing"},
      {"answer missing", gate_with_route(R"({"method":"POST","path":"/a"})"),
       "[fixture.missing-field] gate.json: /routes/0/answer: required field is missing"},
      {"method not a string", gate_with_route(R"({"method":1,"path":"/a","answer":"success"})"),
       "[fixture.type] gate.json: /routes/0/method: expected string, got integer"},
      {"path not a string",
       gate_with_route(R"({"method":"POST","path":["/a"],"answer":"success"})"),
       "[fixture.type] gate.json: /routes/0/path: expected string, got array"},
      {"method not a token",
       gate_with_route(R"({"method":"PO ST","path":"/a","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/method: a method is 1 to 32 characters of an RFC "
       "9110 token, like \"POST\""},
      {"method empty", gate_with_route(R"({"method":"","path":"/a","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/method: a method is 1 to 32 characters of an RFC "
       "9110 token, like \"POST\""},
      {"path without slash",
       gate_with_route(R"({"method":"POST","path":"api/upload","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: a path starts with '/' and holds up to 1024 "
       "characters of an RFC 3986 path (no query, no spaces)"},
      {"path with query",
       gate_with_route(R"({"method":"POST","path":"/api/upload?x=1","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: a path starts with '/'"},
      {"path with space",
       gate_with_route(R"({"method":"POST","path":"/api/up load","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: a path starts with '/'"},
      {"the login path",
       gate_with_route(R"({"method":"POST","path":"/api/authenticate","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: the login path cannot be guarded: it is "
       "where the tokens come from"},
      {"the login path, another method",
       gate_with_route(R"({"method":"GET","path":"/api/authenticate","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: the login path cannot be guarded"},
      {"an admin path",
       gate_with_route(R"({"method":"POST","path":"/__admin/reset","answer":"success"})"),
       "[fixture.value] gate.json: /routes/0/path: paths under /__admin/ belong to the admin "
       "API"},
      {"unknown answer",
       gate_with_route(R"({"method":"POST","path":"/api/upload","answer":"upload_acepted"})"),
       "[fixture.unknown-answer] gate.json: /routes/0/answer: responses.json has no answer "
       "\"upload_acepted\" (it has: success, "},
      {"duplicate route",
       R"({"routes":[{"method":"POST","path":"/a","answer":"success"},
                     {"method":"PUT","path":"/a","answer":"success"},
                     {"method":"POST","path":"/a","answer":"upload_accepted"}]})",
       "[fixture.duplicate-route] gate.json: /routes/2: POST /a is already guarded at "
       "/routes/0"},
  }));
  DYNAMIC_SECTION(row.name) {
    CHECK_THAT(error_of(default_files_with("gate.json", row.text)), Catch::StartsWith(row.message));
  }
}

TEST_CASE("guarding a route needs every refusal answer", "[fixtures][gate]") {
  const auto refusal =
      GENERATE(as<std::string>{}, "token_missing", "token_invalid", "token_expired",
               "token_revoked", "session_missing", "session_mismatch");
  auto responses = nlohmann::json::parse(embedded_fixture_files()[1].text);
  responses.erase(refusal);
  CHECK(error_of(default_files_with("responses.json", responses.dump())) ==
        "[fixture.unknown-answer] gate.json: /routes: guarding a route needs the answer " +
            refusal + ", which responses.json does not define");
}

TEST_CASE("two routes on one path: both guarded, Allow lists both", "[fixtures][gate]") {
  const auto set = load_fixtures(default_files_with("gate.json", R"({"routes":[
        {"method":"POST","path":"/api/upload","answer":"upload_accepted"},
        {"method":"PUT","path":"/api/upload","answer":"success"}]})"),
                                 "test");
  REQUIRE(set.gate.find("PUT", "/api/upload"));
  CHECK(set.name_of(set.gate.find("PUT", "/api/upload")->answer) == "success");
  CHECK(set.gate.methods_at("/api/upload") == "POST, PUT");
}

TEST_CASE("gate.json is a fixture file: read from a directory, changed by a patch",
          "[fixtures][gate]") {
  CHECK(is_fixture_file_name("gate.json"));
  CHECK(is_fixture_file_name("keys.json"));
  CHECK_FALSE(is_fixture_file_name("gates.json"));
  const auto from_directory = load_fixtures_from_directory(INSPEKT_DEFAULT_FIXTURES);
  CHECK(from_directory.gate.find("POST", "/api/upload"));
  // The teapot set has no gate.json: the directory reader leaves it out.
  const auto files = read_fixture_files(INSPEKT_TEST_DATA "/teapot");
  CHECK(std::none_of(files.begin(), files.end(),
                     [](const FixtureFile &f) { return f.name == "gate.json"; }));
  CHECK(load_fixtures_from_directory(INSPEKT_TEST_DATA "/teapot").gate.empty());

  const auto patch = parse_fixture_patch(
      R"({"patch":{"gate.json":{"routes":[{"method":"PUT","path":"/v2/upload","answer":"success"}]}}})",
      "test-patch");
  const auto patched = load_fixtures(apply_fixture_patch(embedded_fixture_files(), patch), "t");
  CHECK(patched.gate.find("PUT", "/v2/upload"));
  CHECK_FALSE(patched.gate.find("POST", "/api/upload"));
}
