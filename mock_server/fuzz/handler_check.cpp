#include "checks.hpp"

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"
#include "inspekt/mock/handler/login_body.hpp"

#include <set>

namespace inspekt::fuzz {
namespace {

using mock::HttpRequest;
using nlohmann::json;

void require(bool holds, const char *rule) {
  if (!holds) {
    throw InvariantBroken(std::string("handler: ") + rule);
  }
}

const mock::AuthHandler &handler() {
  static const mock::AuthHandler pinned(mock::load_embedded_fixtures(), {1, 1764000000});
  return pinned;
}

HttpRequest parse_input(std::string_view input) {
  HttpRequest request{"POST",
                      std::string(mock::authenticate_path),
                      "application/json",
                      "",
                      false,
                      std::nullopt,
                      std::nullopt,
                      {}};
  const auto first = input.find('\n');
  const auto second = first == std::string_view::npos ? first : input.find('\n', first + 1);
  if (second == std::string_view::npos) {
    request.body = std::string(input);
    return request;
  }
  const auto request_line = input.substr(0, first);
  const auto space = request_line.find(' ');
  request.method = std::string(request_line.substr(0, space));
  if (space != std::string_view::npos) {
    request.path = std::string(request_line.substr(space + 1));
  }
  auto type = input.substr(first + 1, second - first - 1);
  if (const auto tab = type.find('\t'); tab != std::string_view::npos) {
    request.prefer = std::string(type.substr(tab + 1));
    type = type.substr(0, tab);
  }
  if (type == "-") {
    request.content_type.reset();
  } else {
    request.content_type = std::string(type);
  }
  request.body = std::string(input.substr(second + 1));
  return request;
}

void check_credentials(const json &body, const mock::FixtureSet &fixtures) {
  require(body.is_object(), "a 200 body is an object");
  for (const char *field : {"session", "access_token", "refresh_token"}) {
    require(body.contains(field) && body[field].is_string(), "a 200 body has the three strings");
  }
  const auto &tokens = fixtures.tokens;
  for (const char *field : {"access_token", "refresh_token"}) {
    const auto token = body[field].get<std::string>();
    require(verify_jwt(token, tokens.algorithm, tokens.secret), "issued tokens verify");
    const auto decoded = decode_jwt(token);
    require(decoded && decoded.jwt->claims["sid"] == body["session"], "tokens name the session");
  }
}

// The one-pass reader of login bodies reads what nlohmann reads, or leaves the body to it.
void check_login_body(std::string_view text) {
  const mock::LoginBody body(text);
  const mock::LoginBody general(text, mock::LoginBody::Reader::general_only);
  const auto same = [](const mock::LoginBody::Member &a, const mock::LoginBody::Member &b) {
    return a.kind == b.kind && a.text == b.text;
  };
  require(body.shape() == general.shape() && same(body.key(), general.key()) &&
              same(body.client_id(), general.client_id()),
          "a login body reads the same in one pass as through nlohmann");
}

} // namespace

void check_handler(std::string_view input) {
  const auto request = parse_input(input);
  check_login_body(request.body);
  const auto &fixtures = handler().fixtures();
  static const std::set<int> statuses = [&fixtures] {
    std::set<int> all;
    for (const auto &answer : fixtures.answers) {
      all.insert(answer.response.status);
    }
    return all;
  }();

  const auto handled = handler().handle(request);
  const auto &response = handled.response;
  const auto answer = fixtures.find_answer(handled.facts.answer);
  require(answer.has_value(), "the facts name an answer of the fixtures");
  require(handled.facts.key_hint.size() <= 7, "the log's key hint is at most 4 bytes and ...");
  require(response.delay >= std::chrono::milliseconds(0) && response.delay <= mock::max_delay,
          "a delay is within max_delay");
  const auto body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  require(!body.is_discarded(), "the body is JSON");
  if (handled.facts.reason == mock::Reason::prefer_invalid) {
    require(request.prefer.has_value(), "only a Prefer header is refused as one");
    require(response.status == 400, "a Prefer problem is a 400");
    require(body.is_object() && body["message"].is_string() &&
                body["message"].get<std::string>().rfind("Prefer: ", 0) == 0,
            "a Prefer problem's message names Prefer");
    require(response.delay.count() == 0 && !response.fault, "a Prefer problem is answered plainly");
  } else {
    require(statuses.count(response.status) == 1, "the status is one the fixtures give");
    require(response.status == fixtures.answers[*answer].response.status,
            "the status is the answer's");
  }
  if (response.status >= 500 || response.fault || response.delay.count() > 0) {
    // Misbehaving is asked for: by Prefer, or by a key of the control plane.
    require(request.prefer.has_value() || !handled.facts.key_hint.empty(),
            "the mock misbehaves only when asked");
  }
  if (answer == fixtures.find_answer(mock::Outcome::success) &&
      handled.facts.reason != mock::Reason::prefer_invalid) {
    check_credentials(body, fixtures);
  }
  const auto again = handler().handle(request).facts;
  const auto stateful = [](const mock::RequestFacts &facts) {
    return facts.reason == mock::Reason::quota || facts.reason == mock::Reason::chaos;
  };
  require(again.answer == handled.facts.answer || stateful(again) || stateful(handled.facts),
          "the same request has the same answer, but for quotas and chaos");
}

} // namespace inspekt::fuzz
