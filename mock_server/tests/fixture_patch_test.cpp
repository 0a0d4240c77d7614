// Fixture patches (fixture_patch.hpp): the one merge-patch implementation that the
// deviations, inspekt-mock --fixture-patch and inspekt-conformance use.

#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"

#include <catch2/catch.hpp>

using namespace inspekt::mock;
using nlohmann::json;

TEST_CASE("a file that is not a fixture patch is refused with its place", "[fixtures]") {
  struct Row {
    std::string text;
    std::string message;
  };
  const auto row = GENERATE(values<Row>({
      {"{", "[fixture.patch] p.json: not JSON: "},
      {"[]",
       "[fixture.patch] p.json: expected an object with a \"patch\" object, got a JSON array"},
      {R"({"description":"x"})", "[fixture.patch] p.json: /patch: required field is missing"},
      {R"({"patch":[]})", "[fixture.patch] p.json: /patch: expected an object, got array"},
      {R"({"patch":{"keys":{}}})", "[fixture.patch] p.json: /patch/keys: not a fixture file"},
      // Regression (found by fuzz_admin): a number too large for a double escaped as
      // nlohmann's out_of_range, and a reload or --fixture-patch aborted the mock.
      {R"({"patch":{"keys.json":{"x":1e999}}})", "[fixture.patch] p.json: not JSON: "},
      {R"({"patch":{"keys.json":[1]}})",
       "[fixture.patch] p.json: /patch/keys.json: expected an object (a merge patch of the "
       "file's members), got array"},
  }));
  REQUIRE_THROWS_AS(parse_fixture_patch(row.text, "p.json"), FixtureError);
  try {
    parse_fixture_patch(row.text, "p.json");
  } catch (const FixtureError &e) {
    CHECK(e.id() == "fixture.patch");
    CHECK_THAT(e.what(), Catch::StartsWith(row.message));
  }
}

TEST_CASE("regression: a fixture file holding 1e999 is left to the loader to report",
          "[fixtures][regression]") {
  const auto patch = parse_fixture_patch(R"({"patch":{"keys.json":{"keys":[]}}})", "p.json");
  std::vector<FixtureFile> files{{"keys.json", R"({"keys": [1e999]})"}};
  std::vector<FixtureFile> patched;
  REQUIRE_NOTHROW(patched = apply_fixture_patch(files, patch));
  REQUIRE(patched.size() == 1);
  CHECK(patched[0].text == files[0].text);
}

TEST_CASE("a patch applies as RFC 7396 says, and the set loads", "[fixtures]") {
  const auto patch = parse_fixture_patch(
      R"({"description":"d","patch":{"responses.json":{"unknown_key":{"status":403,
          "body":{"message":null,"error":"Forbidden"}}},"session.json":{"format":"s-{hex:8}"}}})",
      "p.json");
  CHECK(patch.description == "d");
  const auto set = load_fixtures(apply_fixture_patch(embedded_fixture_files(), patch), "patched");
  const auto &unknown = set.response(Outcome::unknown_key);
  CHECK(unknown.status == 403);
  CHECK(*unknown.json_body == json{{"error", "Forbidden"}});
  CHECK(set.session.pattern == "s-{hex:8}");
}

TEST_CASE("merge_patch_between gives the patch from one document to another", "[fixtures]") {
  struct Row {
    json from;
    json to;
  };
  const auto row = GENERATE(values<Row>({
      {json::object(), json::object()},
      {{{"a", 1}}, {{"a", 2}}},
      {{{"a", 1}, {"b", {{"c", 1}, {"d", 2}}}}, {{"b", {{"c", 3}}}}},
      {{{"a", {1, 2}}}, {{"a", {2}}, {"e", "x"}}},
      {{{"a", {{"b", 1}}}}, {{"a", "flat"}}},
  }));
  const json patch = merge_patch_between(row.from, row.to);
  json applied = row.from;
  applied.merge_patch(patch);
  CHECK(applied == row.to);
  if (row.from == row.to) {
    CHECK(patch == json::object());
  }
}
