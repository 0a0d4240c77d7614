// The fixture loader: the default set loads; every kind of broken set is refused with
// its stable id and a message naming file, place and reason (pinned here).

#include "fixture_files.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace inspekt::mock;
using inspekt::mock::test::default_answers_listed;
using inspekt::mock::test::default_files_with;
using inspekt::mock::test::error_of;

namespace {

const std::string good_tokens = R"({"algorithm":"HS256","secret":"s","issuer":"i",
 "access_token":{"type":"access","lifetime_seconds":60},
 "refresh_token":{"type":"refresh","lifetime_seconds":120}})";

std::string tokens_with(const std::string &from, const std::string &to) {
  auto text = good_tokens;
  return text.replace(text.find(from), from.size(), to);
}

// The default set's first key with extra members, e.g. R"("delay_ms":-5)".
std::string keys_with(const std::string &members) {
  return R"({"keys":[{"key":"demo-valid-key","status":"valid",)" + members + "}]}";
}

std::string responses_with_success(const std::string &success) {
  auto text = embedded_fixture_files()[1].text;
  const auto start = text.find("\"success\"");
  const auto end = text.find("\"invalid_request\"");
  return text.replace(start, end - start, "\"success\": " + success + ",\n  ");
}

struct Broken {
  std::string name;
  std::string file;
  std::string text;
  std::string message;
};

} // namespace

TEST_CASE("the embedded default set loads with the documented keys", "[fixtures]") {
  const auto set = load_embedded_fixtures();
  REQUIRE(set.keys.size() >= 3); // the documented keys come first; demo keys may follow
  CHECK(set.keys[0].key == "demo-valid-key");
  CHECK(set.name_of(set.keys[0].answer) == "success");
  CHECK(set.keys[1].key == "demo-expired-key");
  CHECK(set.name_of(set.keys[1].answer) == "expired_key");
  CHECK(set.keys[2].key == "demo-revoked-key");
  CHECK(set.name_of(set.keys[2].answer) == "revoked_key");
  CHECK(set.tokens.algorithm == inspekt::JwtAlgorithm::hs256);
  CHECK(set.response(Outcome::method_not_allowed).status == 405);
  CHECK(set.response(Outcome::success).needs_credentials);
  CHECK_FALSE(set.response(Outcome::invalid_request).needs_credentials);
}

TEST_CASE("the embedded set is the one in fixtures/default", "[fixtures]") {
  const auto from_disk = load_fixtures_from_directory(INSPEKT_DEFAULT_FIXTURES);
  const auto embedded = load_embedded_fixtures();
  REQUIRE(from_disk.keys.size() == embedded.keys.size());
  CHECK(from_disk.tokens.secret == embedded.tokens.secret);
  CHECK(from_disk.session.pattern == embedded.session.pattern);
}

TEST_CASE("a broken fixture set is refused with a stable id and a precise message", "[fixtures]") {
  const auto row = GENERATE(values<Broken>({
      {"bad JSON", "keys.json", "{\"keys\": [\n  {\"key\": \"a\",\n}",
       "[fixture.parse] keys.json: line 3, column 1: syntax error while parsing object key - "
       "unexpected '}'; expected string literal"},
      {"bad JSON after a key: the key is not quoted back", "keys.json",
       R"({"keys":[{"key":"SUPERSECRETLIVEKEY-0123456789abcdef, "status":"valid"}]})",
       "[fixture.parse] keys.json: line 1, column 56: syntax error while parsing object - "
       "invalid literal; expected '}'"},
      {"regression: a number too large for a double (found by fuzz_fixture_loader)", "tokens.json",
       "{\"algorithm\": \"HS256\",\n \"x\": 1e999}",
       "[fixture.parse] tokens.json: line 2, column 7: number overflow parsing '1e999'"},
      // These must be refused, not overflow the stack.
      {"regression: a 30,000-character placeholder", "responses.json",
       R"({"success":{"status":200,"body":{"x":"{{)" + std::string(30000, 'a') + R"(}}"}}})",
       "[fixture.value] responses.json: /success/body/x: unknown placeholder {{" +
           std::string(32, 'a') + "...}} (known: session, access_token, refresh_token, client_id)"},
      {"regression: a 30,000-character session format", "session.json",
       R"({"format":"{)" + std::string(30000, 'a') + R"(}"})",
       "[fixture.value] session.json: /format: the format is longer than 256 characters"},
      {"regression: 100,000 nested arrays", "responses.json",
       R"({"success":)" + std::string(100000, '[') + std::string(100000, ']') + "}",
       "[fixture.parse] responses.json: line 1, column 75: nested deeper than 64 levels"},
      {"a field twice", "keys.json",
       R"({"keys":[{"key":"abc","status":"valid","status":"expired"}]})",
       "[fixture.parse] keys.json: field \"status\": the same field appears twice in one object"},
      {"unknown field", "keys.json", R"({"keys":[{"key":"abc","status":"valid","colour":1}]})",
       "[fixture.unknown-field] keys.json: /keys/0/colour: unknown field (known here: key, "
       "status, answer, label, delay_ms, fault, quota, token_lifetime_seconds, chaos)"},
      {"missing field", "keys.json", R"({"keys":[{"status":"valid"}]})",
       "[fixture.missing-field] keys.json: /keys/0/key: required field is missing"},
      {"neither status nor answer", "keys.json", R"({"keys":[{"key":"abc"}]})",
       "[fixture.missing-field] keys.json: /keys/0/status: required field is missing (or name "
       "an answer of responses.json with \"answer\")"},
      {"both status and answer", "keys.json",
       R"({"keys":[{"key":"abc","status":"valid","answer":"success"}]})",
       "[fixture.value] keys.json: /keys/0/answer: give either status or answer, not both"},
      {"a key naming an answer that does not exist", "keys.json",
       R"({"keys":[{"key":"abc","answer":"success"},{"key":"def","answer":"teapot"}]})",
       "[fixture.unknown-answer] keys.json: /keys/1/answer: responses.json has no answer "
       "\"teapot\" (it has: " +
           default_answers_listed(20) + ")"},
      // The control plane's fields (fixtures/README.md).
      {"a negative delay", "keys.json", keys_with(R"("delay_ms":-5)"),
       "[fixture.value] keys.json: /keys/0/delay_ms: -5 is outside 0..60000"},
      {"a delay over max_delay", "keys.json", keys_with(R"("delay_ms":60001)"),
       "[fixture.value] keys.json: /keys/0/delay_ms: 60001 is outside 0..60000"},
      {"a delay that is not a number", "keys.json", keys_with(R"("delay_ms":"2s")"),
       "[fixture.type] keys.json: /keys/0/delay_ms: expected integer, got string"},
      {"an unknown fault", "keys.json", keys_with(R"("fault":"CONNECTION_RESET")"),
       "[fixture.value] keys.json: /keys/0/fault: \"CONNECTION_RESET\" is not one of "
       "CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, "
       "RANDOM_DATA_THEN_CLOSE, SLOW_BODY, TRUNCATED_BODY"},
      {"a quota of 0", "keys.json", keys_with(R"("quota":{"limit":0,"window_seconds":60})"),
       "[fixture.value] keys.json: /keys/0/quota/limit: 0 is outside 1..10000"},
      {"a quota without a window", "keys.json", keys_with(R"("quota":{"limit":5})"),
       "[fixture.missing-field] keys.json: /keys/0/quota/window_seconds: required field is "
       "missing"},
      {"a quota window of 0", "keys.json", keys_with(R"("quota":{"limit":5,"window_seconds":0})"),
       "[fixture.value] keys.json: /keys/0/quota/window_seconds: 0 is outside 1..86400"},
      {"a token lifetime that is not an integer", "keys.json",
       keys_with(R"("token_lifetime_seconds":1.5)"),
       "[fixture.type] keys.json: /keys/0/token_lifetime_seconds: expected integer, got "
       "number"},
      {"a chaos probability over 1", "keys.json",
       keys_with(R"("chaos":{"probability":1.5,"answer":"unavailable"})"),
       "[fixture.value] keys.json: /keys/0/chaos/probability: 1.5 is outside 0..1"},
      {"a negative chaos probability", "keys.json",
       keys_with(R"("chaos":{"probability":-0.1,"fault":"EMPTY_RESPONSE"})"),
       "[fixture.value] keys.json: /keys/0/chaos/probability: -0.1 is outside 0..1"},
      {"chaos with neither answer nor fault", "keys.json",
       keys_with(R"("chaos":{"probability":0.5})"),
       "[fixture.missing-field] keys.json: /keys/0/chaos/answer: required field is missing (or "
       "give \"fault\")"},
      {"chaos with both answer and fault", "keys.json",
       keys_with(R"("chaos":{"probability":0.5,"answer":"unavailable","fault":"EMPTY_RESPONSE"})"),
       "[fixture.value] keys.json: /keys/0/chaos/answer: give either answer or fault, not both"},
      {"chaos naming an answer that does not exist", "keys.json",
       keys_with(R"("chaos":{"probability":0.5,"answer":"unavailabel"})"),
       "[fixture.unknown-answer] keys.json: /keys/0/chaos/answer: responses.json has no answer "
       "\"unavailabel\""},
      {"chaos with an unknown fault", "keys.json",
       keys_with(R"("chaos":{"probability":0.5,"fault":"SLOW"})"),
       "[fixture.value] keys.json: /keys/0/chaos/fault: \"SLOW\" is not one of "
       "CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, "
       "RANDOM_DATA_THEN_CLOSE, SLOW_BODY, TRUNCATED_BODY"},
      {"an answer that is not a string", "keys.json", R"({"keys":[{"key":"abc","answer":418}]})",
       "[fixture.type] keys.json: /keys/0/answer: expected string, got integer"},
      {"wrong type", "keys.json", R"({"keys":[{"key":"abc","status":1}]})",
       "[fixture.type] keys.json: /keys/0/status: expected string, got integer"},
      {"keys not a list", "keys.json", R"({"keys":{}})",
       "[fixture.type] keys.json: /keys: expected array, got object"},
      {"unknown status", "keys.json", R"({"keys":[{"key":"abc","status":"frozen"}]})",
       "[fixture.value] keys.json: /keys/0/status: \"frozen\" is not one of valid, expired, "
       "revoked"},
      {"empty key", "keys.json", R"({"keys":[{"key":"","status":"valid"}]})",
       "[fixture.value] keys.json: /keys/0/key: an API key cannot be empty"},
      {"duplicate key", "keys.json",
       R"({"keys":[{"key":"secret-key-one","status":"valid"},
                   {"key":"secret-key-one","status":"expired"}]})",
       "[fixture.duplicate-key] keys.json: /keys/1/key: the key \"secr...\" is already listed "
       "at /keys/0"},
      {"an answer the mock needs is missing (here misspelt)", "responses.json",
       R"({"succes":{"status":200}})",
       "[fixture.missing-field] responses.json: /success: required field is missing (the mock "
       "gives this answer itself)"},
      {"an answer name with a space", "responses.json",
       responses_with_success(R"({"status":200},"tea pot":{"status":418})"),
       "[fixture.value] responses.json: /tea pot: an answer name is 1 to 64 letters, digits, "
       "'_', '-' or '.'"},
      {"an answer name with a slash is shown as a JSON pointer", "responses.json",
       responses_with_success(R"({"status":200},"a/b~c":{"status":418})"),
       "[fixture.value] responses.json: /a~1b~0c: an answer name is 1 to 64 letters, digits, "
       "'_', '-' or '.'"},
      {"a user's answer is checked like the mock's", "responses.json",
       responses_with_success(R"({"status":200},"teapot":{"status":418,"body":"{{sesion}}"})"),
       "[fixture.value] responses.json: /teapot/body: unknown placeholder {{sesion}} (known: "
       "session, access_token, refresh_token, client_id)"},
      {"status out of range", "responses.json", responses_with_success(R"({"status":700})"),
       "[fixture.value] responses.json: /success/status: 700 is outside 100..599"},
      {"a status without a body", "responses.json", responses_with_success(R"({"status":204})"),
       "[fixture.value] responses.json: /success/status: status 204 cannot carry a body; every "
       "answer here has one"},
      {"an interim status", "responses.json", responses_with_success(R"({"status":101})"),
       "[fixture.value] responses.json: /success/status: status 101 cannot carry a body; every "
       "answer here has one"},
      {"unknown placeholder", "responses.json",
       responses_with_success(R"({"status":200,"body":{"s":"{{sesion}}"}})"),
       "[fixture.value] responses.json: /success/body/s: unknown placeholder {{sesion}} "
       "(known: session, access_token, refresh_token, client_id)"},
      {"placeholder inside text", "responses.json",
       responses_with_success(R"({"status":200,"body":{"s":"id {{session}}"}})"),
       "[fixture.value] responses.json: /success/body/s: a placeholder must be a whole string "
       "value, like \"{{session}}\""},
      {"body and raw_body", "responses.json",
       responses_with_success(R"({"status":200,"body":{},"raw_body":"x"})"),
       "[fixture.value] responses.json: /success/raw_body: give either body or raw_body, not "
       "both"},
      {"HTTP-layer header", "responses.json",
       responses_with_success(R"({"status":200,"headers":{"Content-Length":"5"}})"),
       "[fixture.value] responses.json: /success/headers/Content-Length: this header belongs to "
       "the HTTP layer and is set by the mock"},
      {"header with a newline", "responses.json",
       responses_with_success(R"({"status":200,"headers":{"X-A":"1\r\nX-B: 2"}})"),
       "[fixture.value] responses.json: /success/headers/X-A: a header value cannot hold CR, LF "
       "or NUL"},
      {"unknown algorithm", "tokens.json", tokens_with("HS256", "RS256"),
       "[fixture.value] tokens.json: /algorithm: \"RS256\" is not one of HS256, HS384, HS512"},
      {"empty secret", "tokens.json", tokens_with(R"("secret":"s")", R"("secret":"")"),
       "[fixture.value] tokens.json: /secret: the signing secret cannot be empty"},
      {"lifetime not an integer", "tokens.json",
       tokens_with(R"("lifetime_seconds":60)", R"("lifetime_seconds":"60")"),
       "[fixture.type] tokens.json: /access_token/lifetime_seconds: expected integer, got "
       "string"},
      {"reserved claim", "tokens.json",
       tokens_with(R"("lifetime_seconds":60)", R"("lifetime_seconds":60,"claims":{"exp":1})"),
       "[fixture.value] tokens.json: /access_token/claims/exp: this claim is set by the mock "
       "and cannot be overridden"},
      {"missing token kind", "tokens.json",
       R"({"algorithm":"HS256","secret":"s","issuer":"i","access_token":{"type":"a","lifetime_seconds":1}})",
       "[fixture.missing-field] tokens.json: /refresh_token: required field is missing"},
      {"unknown session placeholder", "session.json", R"({"format":"in{digit:4}"})",
       "[fixture.value] session.json: /format: unknown placeholder {digit:4} (known: "
       "{digits:N}, {hex:N}, {timestamp}, {uuid})"},
      {"session width missing", "session.json", R"({"format":"in{digits}"})",
       "[fixture.value] session.json: /format: {digits:N} needs a width N from 1 to 64"},
      {"unbalanced brace", "session.json", R"({"format":"in{digits:4"})",
       "[fixture.value] session.json: /format: unbalanced brace in \"in{digits:4\""},
      {"not an object", "session.json", R"(["in{digits:4}"])",
       "[fixture.type] session.json: /: expected object, got array"},
  }));
  DYNAMIC_SECTION(row.name) {
    CHECK(error_of(default_files_with(row.file, row.text)) == row.message);
  }
}

TEST_CASE("answers are data: any name, the mock's own first", "[fixtures][answers]") {
  const auto set = load_fixtures_from_directory(INSPEKT_TEST_DATA "/teapot");
  // The mock's own names in outcome_names order, then the set's own by name.
  std::vector<std::string> names;
  for (const auto &answer : set.answers) {
    names.push_back(answer.name);
  }
  CHECK(names == std::vector<std::string>{"success", "invalid_request", "unknown_key",
                                          "expired_key", "revoked_key", "method_not_allowed",
                                          "not_found", "payload_too_large", "teapot"});
  const auto teapot = set.find_answer("teapot");
  REQUIRE(teapot);
  CHECK(set.answers[*teapot].response.status == 418);
  REQUIRE(set.keys.size() == 4);
  CHECK(set.keys[3].answer == *teapot);
  CHECK_FALSE(set.find_answer("coffee"));
  CHECK_FALSE(set.find_answer(Outcome::rate_limited)); // optional until a key has a quota
  CHECK(set.find_answer(Outcome::unknown_key) == set.find_answer("unknown_key"));
}

TEST_CASE("the key summary counts every answer, however many there are", "[fixtures][answers]") {
  CHECK(describe_keys(load_fixtures_from_directory(INSPEKT_TEST_DATA "/teapot")) ==
        "4 keys (1 success, 1 expired_key, 1 revoked_key, 1 teapot)");
  // Regression: a fixed array of three counts indexed by key status overran on a fourth.
  std::string responses = R"({"success":{"status":200},"invalid_request":{"status":400},
    "unknown_key":{"status":401},"expired_key":{"status":401},"revoked_key":{"status":401},
    "method_not_allowed":{"status":405},"not_found":{"status":404},
    "payload_too_large":{"status":413})";
  std::string keys = R"({"keys":[)";
  for (int i = 0; i < 40; ++i) {
    const auto name = "answer-" + std::to_string(i);
    responses += ",\"" + name + "\":{\"status\":" + std::to_string(400 + i) + "}";
    keys += (i == 0 ? "" : ",") + std::string(R"({"key":"k)") + std::to_string(i) +
            R"(","answer":")" + name + "\"}";
  }
  auto files = default_files_with("responses.json", responses + "}");
  // A set without gate.json, which needs none of the gate's answers.
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const FixtureFile &f) { return f.name == "gate.json"; }),
              files.end());
  for (auto &file : files) {
    if (file.name == "keys.json") {
      file.text = keys + "]}";
    }
  }
  const auto summary = describe_keys(load_fixtures(files, "test"));
  CHECK_THAT(summary, Catch::StartsWith("40 keys (1 answer-0, 1 answer-1, 1 answer-10, "));
  CHECK_THAT(summary, Catch::EndsWith(", 1 answer-9)"));
}

TEST_CASE("every fixture error id is documented in fixtures/README.md", "[fixtures][docs]") {
  std::ifstream in(INSPEKT_FIXTURES_README);
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(readme.empty());
  for (const auto &known : fixture_error_ids) {
    INFO(known.id);
    CHECK(readme.find("| `" + std::string(known.id) + "` |") != std::string::npos);
  }
  for (const auto &own : outcome_names) {
    INFO(own.name);
    CHECK(readme.find("`" + std::string(own.name) + "`") != std::string::npos);
  }
}

TEST_CASE("a quota needs the rate_limited answer", "[fixtures][control]") {
  auto responses = nlohmann::json::parse(embedded_fixture_files()[1].text);
  responses.erase("rate_limited");
  auto files = default_files_with("responses.json", responses.dump());
  CHECK(error_of(files) == "[fixture.unknown-answer] keys.json: /keys/3/quota: a quota needs the "
                           "answer rate_limited, which responses.json does not define");
  // Without quotas a set needs no rate_limited.
  for (auto &file : files) {
    if (file.name == "keys.json") {
      file.text = keys_with(R"("delay_ms":5)");
    }
  }
  CHECK(error_of(files) == "loaded without error");
}

TEST_CASE("the demo keys of the README are in the default set", "[fixtures][control]") {
  const auto set = load_embedded_fixtures();
  const auto key = [&set](const std::string &name) -> const ApiKeyEntry & {
    const auto it = std::find_if(set.keys.begin(), set.keys.end(),
                                 [&name](const ApiKeyEntry &entry) { return entry.key == name; });
    REQUIRE(it != set.keys.end());
    return *it;
  };
  const auto &limited = key("demo-rate-limited-key");
  REQUIRE(limited.quota);
  CHECK(limited.quota->limit == 5);
  CHECK(limited.quota->window == std::chrono::seconds(60));
  CHECK(key("demo-slow-key").delay == std::chrono::milliseconds(2000));
  CHECK(set.name_of(key("demo-error-key").answer) == "server_error");
  CHECK(set.name_of(key("demo-unavailable-key").answer) == "unavailable");
  CHECK(key("demo-reset-key").fault == Fault::connection_reset_by_peer);
  CHECK(key("demo-short-lived-key").token_lifetime == std::chrono::seconds(10));
  const auto &flaky = key("demo-flaky-key");
  REQUIRE(flaky.chaos);
  CHECK(flaky.chaos->probability == 0.5);
  CHECK(flaky.chaos->answer == set.find_answer("unavailable"));
  CHECK(set.response(Outcome::rate_limited).status == 429);
  CHECK(set.response(Outcome::server_error).status == 500);
  CHECK(set.response(Outcome::unavailable).status == 503);
}

TEST_CASE("a missing file names itself", "[fixtures]") {
  auto files = embedded_fixture_files();
  files.erase(files.begin() + 2);
  CHECK(error_of(files) == "[fixture.io] tokens.json: file is missing from the fixture set");
}

TEST_CASE("loading a directory names files by their path", "[fixtures]") {
  const auto dir = std::filesystem::temp_directory_path() / "inspekt-fixtures-test";
  std::filesystem::remove_all(dir);
  CHECK_THROWS_WITH(load_fixtures_from_directory(dir),
                    "[fixture.io] " + dir.string() +
                        ": not a directory (a fixture set is a directory holding keys.json, "
                        "responses.json, tokens.json and session.json)");
  std::filesystem::create_directories(dir);
  for (const auto &file : embedded_fixture_files()) {
    std::ofstream(dir / file.name) << file.text;
  }
  CHECK(load_fixtures_from_directory(dir).keys.size() == load_embedded_fixtures().keys.size());
  std::ofstream(dir / "keys.json") << R"({"keys":[{"key":"k"}]})";
  CHECK_THROWS_WITH(load_fixtures_from_directory(dir),
                    "[fixture.missing-field] " + (dir / "keys.json").string() +
                        ": /keys/0/status: required field is missing (or name an answer of "
                        "responses.json with \"answer\")");
  std::filesystem::remove(dir / "session.json");
  CHECK_THROWS_WITH(load_fixtures_from_directory(dir),
                    "[fixture.io] " + (dir / "session.json").string() +
                        ": cannot read: No such file or directory");
  std::filesystem::remove_all(dir);
}

TEST_CASE("session formats parse into parts", "[fixtures][session]") {
  const auto format = parse_session_id_format("in{digits:4}{timestamp}-{hex:8}{uuid}x");
  REQUIRE(format.parts.size() == 7);
  CHECK(format.parts[0].text == "in");
  CHECK(format.parts[1].kind == SessionIdPart::Kind::digits);
  CHECK(format.parts[1].width == 4);
  CHECK(format.parts[2].kind == SessionIdPart::Kind::timestamp);
  CHECK(format.parts[4].kind == SessionIdPart::Kind::hex);
  CHECK(format.parts[5].kind == SessionIdPart::Kind::uuid);
  CHECK(format.parts[6].text == "x");
  CHECK_THROWS_AS(parse_session_id_format(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_session_id_format("{digits:0}"), std::invalid_argument);
  CHECK_THROWS_AS(parse_session_id_format("{digits:65}"), std::invalid_argument);
}
