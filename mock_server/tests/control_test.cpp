// The control plane in the handler (fixtures/README.md, README.md "Testing your app's error
// handling"): the demo keys' behaviours, Prefer, quotas and chaos. Table-driven; each row on a
// fresh handler with a pinned seed and clock, so that no row sees another's quota.

#include "fixture_files.hpp"
#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace inspekt::mock;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr std::int64_t now = 1764000000;

HttpRequest login(const std::string &key, std::optional<std::string> prefer = std::nullopt,
                  std::optional<std::string> type = "application/json") {
  return {"POST",          std::string(authenticate_path),
          std::move(type), json{{"key", key}, {"client_id", "app"}}.dump(),
          false,           std::move(prefer),
          std::nullopt,    {}};
}

std::string header(const HttpResponse &response, const std::string &name) {
  for (const auto &[n, v] : response.headers) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

// exp - iat of the access token, when the answer has one.
std::optional<std::int64_t> token_lifetime(const HttpResponse &response) {
  const auto body = json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token")) {
    return std::nullopt;
  }
  const auto claims = inspekt::decode_jwt(body["access_token"].get<std::string>()).jwt->claims;
  return claims["exp"].get<std::int64_t>() - claims["iat"].get<std::int64_t>();
}

struct Row {
  std::string name;
  HttpRequest request;
  int status;
  std::string answer;
  std::optional<Reason> reason = std::nullopt;
  std::chrono::milliseconds delay{0};
  std::optional<Fault> fault = std::nullopt;
  std::optional<std::int64_t> lifetime = std::nullopt; // of the tokens, when pinned
  std::string retry_after = "";
  std::string message = ""; // of an error body, when pinned
};

} // namespace

TEST_CASE("the control plane: demo keys and Prefer", "[handler][control]") {
  const auto row = GENERATE(values<Row>({
      // The demo keys of the default set.
      {"demo-slow-key answers after 2 s", login("demo-slow-key"), 200, "success", std::nullopt,
       2000ms, std::nullopt, 3600},
      {"demo-reset-key resets the connection", login("demo-reset-key"), 200, "success",
       std::nullopt, 0ms, Fault::connection_reset_by_peer},
      {"demo-error-key: 500", login("demo-error-key"), 500, "server_error", std::nullopt, 0ms,
       std::nullopt, std::nullopt, "", "Internal server error"},
      {"demo-unavailable-key: 503 with Retry-After", login("demo-unavailable-key"), 503,
       "unavailable", std::nullopt, 0ms, std::nullopt, std::nullopt, "30", "Service unavailable"},
      {"demo-short-lived-key: tokens live 10 s", login("demo-short-lived-key"), 200, "success",
       std::nullopt, 0ms, std::nullopt, 10},
      {"demo-rate-limited-key: the first login passes", login("demo-rate-limited-key"), 200,
       "success"},
      // Prefer: each preference, and combined.
      {"Prefer: code=429", login("demo-valid-key", "code=429"), 429, "rate_limited", Reason::prefer,
       0ms, std::nullopt, std::nullopt, "60", "Too many requests"},
      {"Prefer: code=401 is the first 401, unknown_key", login("demo-valid-key", "code=401"), 401,
       "unknown_key", Reason::prefer},
      {"Prefer: answer=expired_key", login("demo-valid-key", "answer=expired_key"), 401,
       "expired_key", Reason::prefer, 0ms, std::nullopt, std::nullopt, "", "API Key not valid"},
      {"Prefer: delay=250", login("demo-valid-key", "delay=250"), 200, "success", std::nullopt,
       250ms},
      {"Prefer: fault=CONNECTION_RESET_BY_PEER",
       login("demo-valid-key", "fault=CONNECTION_RESET_BY_PEER"), 200, "success", std::nullopt, 0ms,
       Fault::connection_reset_by_peer},
      {"Prefer: lifetime=5", login("demo-valid-key", "lifetime=5"), 200, "success", std::nullopt,
       0ms, std::nullopt, 5},
      {"Prefer: combined with commas", login("demo-valid-key", "code=503, delay=250"), 503,
       "unavailable", Reason::prefer, 250ms, std::nullopt, std::nullopt, "30"},
      {"Prefer: in any case, with a quoted value",
       login("demo-valid-key", R"(Answer="server_error")"), 500, "server_error", Reason::prefer},
      {"Prefer: empty list elements count for nothing", login("demo-valid-key", " , delay=5,"), 200,
       "success", std::nullopt, 5ms},
      {"Prefer overrides the key's answer", login("demo-error-key", "answer=success"), 200,
       "success", Reason::prefer},
      {"Prefer overrides the key's delay", login("demo-slow-key", "delay=0"), 200, "success",
       std::nullopt, 0ms},
      {"Prefer overrides a refused body", login("demo-valid-key", "code=503", std::nullopt), 503,
       "unavailable", Reason::prefer, 0ms, std::nullopt, std::nullopt, "30"},
      {"Prefer: lifetime=-5 issues expired tokens", login("demo-valid-key", "lifetime=-5"), 200,
       "success", std::nullopt, 0ms, std::nullopt, -5},
      // Not the refusals before the handler's own (404, 405, 413).
      {"Prefer does not override 405",
       {"GET", "/api/authenticate", std::nullopt, "", false, "code=200", std::nullopt, {}},
       405,
       "method_not_allowed"},
      {"Prefer does not override 404",
       {"POST", "/api/other", "application/json", "{}", false, "code=200", std::nullopt, {}},
       404,
       "not_found"},
      {"Prefer does not override 413",
       {"POST", "/api/authenticate", "application/json", "", true, "code=200", std::nullopt, {}},
       413,
       "payload_too_large"},
      // A preference the mock cannot meet: 400 naming the problem, never a fallback.
      {"Prefer: a status no answer has", login("demo-valid-key", "code=418"), 400,
       "invalid_request", Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: code=418: no answer of the fixtures has that status"},
      {"Prefer: a code that is not a status", login("demo-valid-key", "code=abc"), 400,
       "invalid_request", Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: code=abc: not an HTTP status code"},
      {"Prefer: an answer that does not exist", login("demo-valid-key", "answer=teapot"), 400,
       "invalid_request", Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: answer=teapot: the fixtures have no answer of that name (known: " +
           inspekt::mock::test::default_answers_listed() + ")"},
      {"Prefer: a delay over 60 s", login("demo-valid-key", "delay=60001"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: delay=60001: not a delay in milliseconds from 0 to 60000"},
      {"Prefer: a negative delay", login("demo-valid-key", "delay=-1"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: delay=-1: not a delay in milliseconds from 0 to 60000"},
      {"Prefer: an unknown fault", login("demo-valid-key", "fault=RESET"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: fault=RESET: not one of CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, "
       "MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE, SLOW_BODY, TRUNCATED_BODY"},
      {"Prefer: a lifetime that is not a number", login("demo-valid-key", "lifetime=5s"), 400,
       "invalid_request", Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: lifetime=5s: not a lifetime in seconds"},
      {"Prefer: repeated", login("demo-valid-key", "code=429, code=500"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "", "Prefer: code is given twice"},
      {"Prefer: conflicting", login("demo-valid-key", "code=429, answer=expired_key"), 400,
       "invalid_request", Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: code and answer conflict; give one of them"},
      {"Prefer: unknown", login("demo-valid-key", "colour=blue"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: unknown preference \"colour\" (known: code, answer, delay, fault, lifetime)"},
      {"Prefer: without a value", login("demo-valid-key", "code"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: code needs a value, like code=429"},
      {"Prefer: with parameters", login("demo-valid-key", "code=429; q=1"), 400, "invalid_request",
       Reason::prefer_invalid, 0ms, std::nullopt, std::nullopt, "",
       "Prefer: \"code=429; q=1\": parameters (after ';') are not supported"},
      {"Prefer: garbage", login("demo-valid-key", "\x01\xff=="), 400, "invalid_request",
       Reason::prefer_invalid},
  }));

  DYNAMIC_SECTION(row.name) {
    const AuthHandler handler(load_embedded_fixtures(), {1, now});
    const auto handled = handler.handle(row.request);
    const auto &response = handled.response;
    CHECK(response.status == row.status);
    CHECK(handled.facts.answer == row.answer);
    CHECK(handled.facts.reason == row.reason);
    CHECK(response.delay == row.delay);
    CHECK(response.fault == row.fault);
    if (row.lifetime) {
      CHECK(token_lifetime(response) == row.lifetime);
    }
    CHECK(header(response, "Retry-After") == row.retry_after);
    CHECK(header(response, "Content-Type") == "application/json");
    const auto body = json::parse(response.body, nullptr, false);
    REQUIRE(body.is_object());
    if (!row.message.empty()) {
      CHECK(body == json{{"message", row.message}});
    }
  }
}

TEST_CASE("with --ignore-prefer the mock answers as if no Prefer was sent", "[handler][control]") {
  const AuthHandler handler(load_embedded_fixtures(), {1, now}, PreferHeader::ignored);
  for (const char *prefer : {"code=429", "delay=250", "return=minimal", "code=418"}) {
    INFO(prefer);
    const auto handled = handler.handle(login("demo-valid-key", prefer));
    CHECK(handled.response.status == 200);
    CHECK(handled.response.delay == 0ms);
    CHECK_FALSE(handled.facts.reason);
  }
}

TEST_CASE("a quota is a sliding window on the mock's clock", "[handler][control][quota]") {
  const AuthHandler handler(load_embedded_fixtures(), {1, now});
  const auto attempt = [&handler] { return handler.handle(login("demo-rate-limited-key")); };
  // Five logins 10 s apart, from t=0 to t=40.
  for (int i = 0; i < 5; ++i) {
    CHECK(attempt().response.status == 200);
    handler.clock().advance(10s);
  }
  // t=50: the sixth waits until the first leaves the window at t=60.
  auto over = attempt();
  CHECK(over.response.status == 429);
  CHECK(over.facts.answer == "rate_limited");
  CHECK(over.facts.reason == Reason::quota);
  CHECK(header(over.response, "Retry-After") == "10");
  CHECK(json::parse(over.response.body) == json{{"message", "Too many requests"}});
  // Refused logins do not count: at t=59.5 one slot is still half a second away.
  handler.clock().advance(9500ms);
  CHECK(header(attempt().response, "Retry-After") == "1");
  handler.clock().advance(500ms); // t=60
  CHECK(attempt().response.status == 200);
  handler.clock().advance(1s); // t=61: the next slot frees when t=10 leaves, at t=70
  CHECK(header(attempt().response, "Retry-After") == "9");
  // Other keys are not limited; and a quota can be cleared (the admin API's reset).
  for (int i = 0; i < 20; ++i) {
    CHECK(handler.handle(login("demo-valid-key")).response.status == 200);
  }
  handler.quotas().clear();
  CHECK(attempt().response.status == 200);
}

TEST_CASE("a quota holds under logins from many threads", "[handler][control][quota]") {
  const AuthHandler handler(load_embedded_fixtures(), {1, now});
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        passed += handler.handle(login("demo-rate-limited-key")).response.status == 200;
      }
    });
  }
  for (auto &thread : threads) {
    thread.join();
  }
  CHECK(passed == 5);
}

TEST_CASE("quota state stays bounded however many keys are used", "[control][quota]") {
  QuotaBook book(100);
  const Quota quota{1, 60s};
  std::vector<KeyDigest> keys(10000);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i] = key_digest("key-" + std::to_string(i));
    CHECK(book.admit(keys[i], quota, 1000ms).allowed);
  }
  CHECK(book.keys_tracked() <= 100);
  // A window that has run out is dropped first, and then the key passes again.
  CHECK(book.admit(keys[0], quota, 61000ms).allowed);
}

TEST_CASE("chaos strikes about as often as asked, the same way under --seed",
          "[handler][control][chaos]") {
  const auto statuses = [](std::uint64_t seed) {
    const AuthHandler handler(load_embedded_fixtures(), {seed, now});
    std::string seen;
    for (int i = 0; i < 200; ++i) {
      const auto handled = handler.handle(login("demo-flaky-key"));
      seen += handled.response.status == 503 ? 'x' : '.';
      if (handled.response.status == 503) {
        CHECK(handled.facts.reason == Reason::chaos);
        CHECK(handled.facts.answer == "unavailable");
      }
    }
    return seen;
  };
  const auto first = statuses(42);
  CHECK(first == statuses(42));
  CHECK(first != statuses(43));
  const auto failures = std::count(first.begin(), first.end(), 'x');
  CHECK(failures > 60);
  CHECK(failures < 140);
}

TEST_CASE("chaos can be a fault on the wire", "[handler][control][chaos]") {
  auto files = embedded_fixture_files();
  files[0].text = R"({"keys":[{"key":"k","status":"valid",
    "chaos":{"probability":1,"fault":"EMPTY_RESPONSE"}}]})";
  const AuthHandler handler(load_fixtures(files, "test"), {1, now});
  const auto handled = handler.handle(login("k"));
  CHECK(handled.response.status == 200);
  CHECK(handled.response.fault == Fault::empty_response);
  CHECK(handled.facts.reason == Reason::chaos);
}

TEST_CASE("Prefer: RFC 7240's own preferences are ignored, and Preference-Applied lists what was",
          "[handler][control]") {
  struct Case {
    const char *prefer;
    int status;
    const char *applied; // "" for no Preference-Applied header
  };
  const auto row = GENERATE(values<Case>({
      // RFC 7240 section 2: a server ignores preferences it does not act on; these are
      // the registry's, not the mock's, so they are neither refused nor applied.
      {"return=minimal", 200, ""},
      {"respond-async, wait=10, handling=lenient, return=representation", 200, ""},
      {"return=minimal; charset=utf-8", 200, ""},
      {"code=429, return=minimal", 429, "code=429"},
      {"Answer=\"server_error\", wait=5", 500, "answer=server_error"},
      {"delay=5, fault=SLOW_BODY", 200, "delay=5, fault=SLOW_BODY"},
      {"lifetime=5", 200, "lifetime=5"},
      {"fault=EMPTY_RESPONSE", 200, "fault=EMPTY_RESPONSE"},
      // A Prefer the mock cannot meet applies nothing.
      {"code=418", 400, ""},
  }));
  DYNAMIC_SECTION(row.prefer) {
    const AuthHandler handler(load_embedded_fixtures(), {1, now});
    const auto handled = handler.handle(login("demo-valid-key", row.prefer));
    CHECK(handled.response.status == row.status);
    CHECK(header(handled.response, "Preference-Applied") == row.applied);
  }
}

TEST_CASE("Prefer: lifetime is applied only where tokens are issued", "[handler][control]") {
  const AuthHandler handler(load_embedded_fixtures(), {1, now});
  const auto handled = handler.handle(login("no-such-key", "lifetime=5, delay=10"));
  CHECK(handled.response.status == 401);
  CHECK(header(handled.response, "Preference-Applied") == "delay=10");
  const AuthHandler ignoring(load_embedded_fixtures(), {1, now}, PreferHeader::ignored);
  CHECK(header(ignoring.handle(login("demo-valid-key", "code=429")).response,
               "Preference-Applied") == "");
}

TEST_CASE("Prefer: the 400s say what would be met", "[handler][control]") {
  const AuthHandler handler(load_embedded_fixtures(), {1, now});
  const auto message = [&handler](const std::string &prefer) {
    const auto handled = handler.handle(login("demo-valid-key", prefer));
    CHECK(handled.response.status == 400);
    return json::parse(handled.response.body).value("message", "");
  };
  // The names a user can give, not only that theirs is not one of them.
  CHECK(message("answer=nope") ==
        "Prefer: answer=nope: the fixtures have no answer of that name (known: " +
            inspekt::mock::test::default_answers_listed() + ")");
  // A slow body is as slow as its delay: without one it would come at once.
  CHECK(message("fault=SLOW_BODY") ==
        "Prefer: fault=SLOW_BODY needs delay=MS, the time the body takes to trickle out "
        "(like fault=SLOW_BODY, delay=2000)");
}
