#include "checks.hpp"

#include "inspekt/client/jwt.hpp"
#include "inspekt/mock/auth_handler.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <algorithm>
#include <array>

namespace inspekt::fuzz {
namespace {

using nlohmann::json;

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("fixture loader: " + rule);
  }
}

// fixture_error.hpp lists them.
constexpr std::array<std::string_view, 7> known_ids{
    "fixture.io",   "fixture.parse", "fixture.unknown-field", "fixture.missing-field",
    "fixture.type", "fixture.value", "fixture.duplicate-key"};

void serve_logins(mock::FixtureSet fixtures) {
  const std::string first_key = fixtures.keys.empty() ? "none" : fixtures.keys.front().key;
  const mock::AuthHandler handler(std::move(fixtures), {1, 1764000000});
  const auto &set = handler.fixtures();
  const json login = {{"key", first_key}, {"client_id", "fuzz"}};
  for (const std::string &body : {login.dump(), std::string(R"({"key":"x"})"), std::string("[")}) {
    const mock::HttpRequest request{"POST", std::string(mock::authenticate_path),
                                    "application/json", body, false};
    const auto handled = handler.handle(request);
    require(handled.response.status == set.response(handled.facts.outcome).status,
            "the status is the outcome's");
    const auto &templ = set.response(handled.facts.outcome);
    if (handled.facts.outcome == mock::Outcome::success && templ.json_body) {
      const auto answer = json::parse(handled.response.body, nullptr, false);
      require(!answer.is_discarded(), "a JSON template renders JSON");
    }
  }
  for (const auto outcome : mock::all_outcomes) {
    require(handler.respond(outcome).status == set.response(outcome).status,
            "every outcome renders");
  }
}

} // namespace

void check_fixture_loader(std::string_view input) {
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) {
    return;
  }
  const auto name = input.substr(0, newline);
  auto files = mock::embedded_fixture_files();
  const auto file = std::find_if(files.begin(), files.end(),
                                 [&](const mock::FixtureFile &f) { return f.name == name; });
  if (file == files.end()) {
    return;
  }
  file->text = std::string(input.substr(newline + 1));
  mock::FixtureSet fixtures;
  try {
    fixtures = mock::load_fixtures(files, "fuzz");
  } catch (const mock::FixtureError &e) {
    require(std::find(known_ids.begin(), known_ids.end(), e.id()) != known_ids.end(),
            "unknown error id " + e.id());
    require(std::string_view(e.what()).rfind("[" + e.id() + "] " + e.file() + ": ", 0) == 0,
            "a message starts with [id] file: ");
    return;
  }
  serve_logins(std::move(fixtures));
}

} // namespace inspekt::fuzz
