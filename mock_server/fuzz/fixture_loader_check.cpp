#include "checks.hpp"

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

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

void serve_logins(mock::FixtureSet fixtures) {
  const std::string first_key = fixtures.keys.empty() ? "none" : fixtures.keys.front().key;
  const mock::AuthHandler handler(std::move(fixtures), {1, 1764000000});
  const auto &set = handler.fixtures();
  const json login = {{"key", first_key}, {"client_id", "fuzz"}};
  for (const std::string &body : {login.dump(), std::string(R"({"key":"x"})"), std::string("[")}) {
    const mock::HttpRequest request{"POST",
                                    std::string(mock::authenticate_path),
                                    "application/json",
                                    body,
                                    false,
                                    std::nullopt,
                                    std::nullopt,
                                    {}};
    const auto handled = handler.handle(request);
    const auto answer_id = set.find_answer(handled.facts.answer);
    require(answer_id.has_value(), "the facts name an answer of the set");
    const auto &templ = set.answers[*answer_id].response;
    require(handled.response.status == templ.status, "the status is the answer's");
    if (templ.json_body) {
      const auto answer = json::parse(handled.response.body, nullptr, false);
      require(!answer.is_discarded(), "a JSON template renders JSON");
    }
  }
  for (const auto &route : set.gate.routes) {
    require(route.answer < set.answers.size(), "a guarded route names an answer of the set");
    require(set.gate.find(route.method, route.path) == &route, "each route guarded once");
  }
  for (const auto &own : mock::outcome_names) {
    if (own.requirement == mock::Requirement::with_gate && !set.gate.empty()) {
      require(set.find_answer(own.outcome).has_value(), "a set that guards has every refusal");
    }
    if (own.requirement == mock::Requirement::always) {
      require(handler.respond(own.outcome).status == set.response(own.outcome).status,
              "every answer the mock gives itself renders");
    }
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
    require(std::any_of(mock::fixture_error_ids.begin(), mock::fixture_error_ids.end(),
                        [&e](const auto &known) { return known.id == e.id(); }),
            "unknown error id " + e.id());
    require(std::string_view(e.what()).rfind("[" + e.id() + "] " + e.file() + ": ", 0) == 0,
            "a message starts with [id] file: ");
    return;
  }
  serve_logins(std::move(fixtures));
}

} // namespace inspekt::fuzz
