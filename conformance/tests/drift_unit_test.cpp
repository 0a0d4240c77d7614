// Drift without sockets: the comparison over hand-made exchanges, the session shape,
// the key variants the 401 probes send.

#include "drift.hpp"
#include "session_shape.hpp"
#include "target.hpp"

#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace inspekt;
using namespace inspekt::conformance;
using nlohmann::json;

namespace {

Exchange answer(int status, std::string body, HeaderMap headers = {}) {
  Exchange e;
  e.status = status;
  e.body = std::move(body);
  e.headers = std::move(headers);
  if (!e.headers.count("Content-Type")) {
    e.headers.emplace("Content-Type", "application/json");
  }
  return e;
}

json default_files() {
  json files;
  for (const auto &file : mock::embedded_fixture_files()) {
    files[file.name] = json::parse(file.text);
  }
  return files;
}

// Two requests answered unknown_key by the fixtures; the target's answers given.
DriftInput unknown_key_input(std::vector<Exchange> target) {
  DriftInput input;
  input.fixture_files = default_files();
  const Exchange fixtures = answer(401, R"({"message":"API Key not valid"})");
  const char *requests[] = {"unknown-key", "unknown-key-other-case"};
  for (std::size_t i = 0; i < target.size(); ++i) {
    input.samples.push_back({requests[i], "POST", "unknown_key", {target[i]}, fixtures});
  }
  return input;
}

const DriftRow &row(const DriftReport &report, const std::string &aspect) {
  for (const auto &r : report.rows) {
    if (r.aspect == aspect) {
      return r;
    }
  }
  FAIL("no row " << aspect);
  throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("drift: answers like the fixtures' agree, and the patch is empty", "[drift]") {
  const auto report =
      compare_with_fixtures(unknown_key_input({answer(401, R"({"message":"API Key not valid"})")}));
  CHECK_FALSE(report.differs());
  CHECK(report.patch == json::object());
  CHECK(report.to_json() == json::array());
  CHECK(report.rows.size() == 4); // status, Content-Type, body, body.message
}

TEST_CASE("drift: each aspect of an error answer, and its patch", "[drift]") {
  struct Row {
    std::string name;
    Exchange target;
    std::string aspect;
    std::string shown;
    json patch; // the part of responses.json's unknown_key it needs
  };
  const auto rows = GENERATE(values<Row>({
      {"status",
       answer(403, R"({"message":"API Key not valid"})"),
       "unknown_key: status",
       "403",
       {{"status", 403}}},
      {"message text",
       answer(401, R"({"message":"Unauthorized"})"),
       "unknown_key: body.message",
       "\"Unauthorized\"",
       {{"body", {{"message", "Unauthorized"}}}}},
      {"error field name",
       answer(401, R"({"error":"API Key not valid"})"),
       "unknown_key: body",
       "{error:string}",
       {{"body", {{"message", nullptr}, {"error", "API Key not valid"}}}}},
      {"Content-Type",
       answer(401, R"({"message":"API Key not valid"})",
              {{"Content-Type", "application/problem+json"}}),
       "unknown_key: Content-Type",
       "application/problem+json",
       {{"headers", {{"Content-Type", "application/problem+json"}}}}},
      {"telling header",
       answer(401, R"({"message":"API Key not valid"})", {{"Retry-After", "30"}}),
       "unknown_key: header Retry-After",
       "30",
       {{"headers", {{"Retry-After", "30"}}}}},
      {"other header: presence only",
       answer(401, R"({"message":"API Key not valid"})", {{"X-Request-Id", "req-8f3a"}}),
       "unknown_key: header X-Request-Id",
       "present (value not stored)",
       {{"headers", {{"X-Request-Id", "value not stored"}}}}},
  }));
  DYNAMIC_SECTION(rows.name) {
    const auto report = compare_with_fixtures(unknown_key_input({rows.target}));
    const auto &r = row(report, rows.aspect);
    CHECK(r.verdict == DriftVerdict::drift);
    CHECK(r.target == rows.shown);
    CHECK(report.patch == json{{"responses.json", {{"unknown_key", rows.patch}}}});
  }
}

TEST_CASE("drift: answers that vary between requests of one fixture answer cannot be patched",
          "[drift]") {
  const auto report =
      compare_with_fixtures(unknown_key_input({answer(401, R"({"message":"API Key not valid"})"),
                                               answer(200, R"({"message":"API Key not valid"})")}));
  const auto &status = row(report, "unknown_key: status");
  CHECK(status.verdict == DriftVerdict::unpatchable);
  CHECK(status.target == "401 (unknown-key); 200 (unknown-key-other-case)");
  CHECK_FALSE(report.patch.contains("responses.json"));
}

TEST_CASE("drift: nothing identifying in the rows or the patch", "[drift]") {
  const auto report = compare_with_fixtures(unknown_key_input({answer(
      401,
      R"({"message":"API Key not valid","user":"alice.private@example.org","request_id":"req-PRIVATE-1234567",)"
      R"("detail":"No access for alice.private@example.org","code":987654321,"name":"Alice Private"})",
      {{"Set-Cookie", "sid=PRIVATE-COOKIE"}})}));
  const std::string text = report.to_json().dump() + report.patch.dump();
  for (const char *secret : {"alice", "Alice", "PRIVATE", "987654321"}) {
    INFO(text);
    CHECK(text.find(secret) == std::string::npos);
  }
  // The shape still names every field, by type.
  CHECK(row(report, "unknown_key: body").target ==
        "{code:number,detail:string,message:string,name:string,request_id:string,user:string}");
}

TEST_CASE("drift: every target text passes through the redaction", "[drift]") {
  auto input = unknown_key_input({answer(401, R"({"message":"key SECRETKEY is not valid"})")});
  input.redact = [](std::string text) {
    const auto at = text.find("SECRETKEY");
    return at == std::string::npos ? text : text.replace(at, 9, "<key>");
  };
  const auto report = compare_with_fixtures(input);
  CHECK(row(report, "unknown_key: body.message").target == "\"key <key> is not valid\"");
  CHECK(report.patch.dump().find("SECRETKEY") == std::string::npos);
}

TEST_CASE("session shapes are inferred without keeping the ids", "[drift]") {
  struct Row {
    std::vector<std::string> ids;
    std::string pattern;
    bool expressible;
  };
  const auto rows = GENERATE(values<Row>({
      {{"in123420250909153012", "in987620250909153013"}, "in{digits:4}{timestamp}", true},
      {{"sess-0123456789abcdef", "sess-fedcba9876543210"}, "sess-{hex:16}", true},
      {{"0f8e2c1a-5b7d-4e3f-9a1b-2c3d4e5f6a7b", "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"},
       "{uuid}",
       true},
      {{"20250909153012-77", "20250909153013-01"}, "{timestamp}-{digits:2}", true},
      {{"AbCdEfGh", "ZyXwVuTs"}, "{letters:8}", false},
      // Constant text longer than 4 characters may name someone: not kept.
      {{"johnsmith-12345", "johnsmith-67890"}, "{letters:9}-{digits:5}", false},
      {{"short", "longer-id"}, "", false},
  }));
  const auto shape = infer_session_shape(rows.ids);
  CHECK(shape.pattern == rows.pattern);
  CHECK(shape.expressible == rows.expressible);
  if (rows.expressible) {
    const auto format = mock::parse_session_id_format(rows.pattern);
    for (const auto &id : rows.ids) {
      CHECK(matches_session_format(id, format));
    }
  }
}

TEST_CASE("a session id matches only the format that could make it", "[drift]") {
  const auto format = mock::parse_session_id_format("in{digits:4}{timestamp}");
  CHECK(matches_session_format("in123420250909153012", format));
  CHECK_FALSE(matches_session_format("in12342025090915301", format));
  CHECK_FALSE(matches_session_format("ix123420250909153012", format));
  CHECK_FALSE(matches_session_format("in12a420250909153012", format));
}

TEST_CASE("the 401 probes' key variants differ from the valid key, and are redacted", "[drift]") {
  const Keys keys{{{"valid", "demo-valid-key"}, {"invalid", "not-a-key-0000"}}};
  std::map<std::string, std::string> variants;
  for (const auto &[name, key] : key_placeholders(keys)) {
    variants[name] = key;
  }
  CHECK(variants["<valid-key-last-char-changed>"] == "demo-valid-kex");
  CHECK(variants["<valid-key-prefix>"] == "demo-valid-ke");
  CHECK(variants["<valid-key-other-case>"] == "DEMO-VALID-KEY");
  CHECK(variants["<valid-key-trailing-space>"] == "demo-valid-key ");
  CHECK(variants.count("<expired-key>") == 0);
  std::string missing;
  CHECK_FALSE(fill_keys(R"({"key":<expired-key>})", keys, &missing));
  CHECK(missing == "<expired-key>");
  CHECK(*fill_keys(R"({"key":<valid-key-prefix>})", keys) == R"({"key":"demo-valid-ke"})");
  const Target target(TargetOptions{}, keys);
  CHECK(target.redact("DEMO-VALID-KEY demo-valid-kex demo-valid-ke demo-valid-key") ==
        "<valid-key-other-case> <valid-key-last-char-changed> <valid-key-prefix> <valid-key>");
  // A key with no letters has no other case: that probe is skipped, never sent as is.
  CHECK(key_placeholders(Keys{{{"valid", "1234-5678"}, {"invalid", "x"}}}).size() == 5);
}

TEST_CASE("drift: the table stays within 100 columns, long cells going on over lines", "[drift]") {
  DriftReport report;
  const std::string claims =
      "{exp:number,iat:number,iss:string,jti:string,sid:string,sub:string,token_type:string}";
  report.rows.push_back({"access_token: claims (login-with-client-id)", claims,
                         claims + ",email:string", DriftVerdict::unpatchable, json()});
  report.rows.push_back({"unknown_key: status", "401", "401", DriftVerdict::same, json()});
  report.rows.push_back(
      {"x", std::string(150, 'a'), "(not observed)", DriftVerdict::unobserved, json()});
  std::ostringstream out;
  report.print_table(out);
  std::istringstream lines(out.str());
  std::string all;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (line.rfind("drift: ", 0) != 0) {
      CHECK(line.size() <= 100);
    }
    all += line + "\n";
  }
  // Each row's verdict is on its first line, after the start of its aspect.
  CHECK_THAT(all, Catch::Matches("(.|\n)*\naccess_token: claims +\\{exp:number,.* DRIFT, not "
                                 "patchable\n(.|\n)*"));
  CHECK_THAT(all, Catch::Contains("token_type:string},\n") && Catch::Contains("email:string"));
  CHECK_THAT(all, Catch::Contains("unknown_key: status"));
  CHECK_THAT(all, Catch::Contains("drift: 3 aspects compared: 1 same, 1 differ (1 of them not "
                                  "patchable), 1 not observed\n"));
}
