// The inspekt-mock program itself: started on port 0, waited for by its ready line,
// driven over HTTP, stopped by signal.

#include "test_support/child_process.hpp"
#include "test_support/raw_http.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <regex>
#include <thread>

using inspekt::testing::ChildProcess;
using inspekt::testing::RawConnection;
using inspekt::testing::start_mock_binary;
using inspekt::testing::status_of;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string valid_body = R"({"key":"demo-valid-key","client_id":"binary-test"})";

httplib::Result login(int port, const std::string &body = valid_body) {
  httplib::Client client("127.0.0.1", port);
  return client.Post("/api/authenticate", body, "application/json");
}

} // namespace

TEST_CASE("the program prints one ready line and serves logins", "[binary]") {
  auto mock = start_mock_binary();
  REQUIRE_FALSE(mock.base_url.empty());
  CHECK(std::regex_match(mock.base_url, std::regex(R"(http://127\.0\.0\.1:[0-9]+)")));
  const auto result = login(mock.port);
  REQUIRE(result);
  CHECK(result->status == 200);
  const auto body = json::parse(result->body);
  CHECK(body["session"].is_string());
  CHECK(body["access_token"].is_string());
  CHECK(body["refresh_token"].is_string());
  // Nothing else on stdout: scripts read it.
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
  CHECK_FALSE(mock.process->read_line(100ms).has_value());
}

TEST_CASE("SIGTERM and SIGINT stop it with exit 0 within a second", "[binary]") {
  const int signal_number = GENERATE(SIGTERM, SIGINT);
  auto mock = start_mock_binary();
  REQUIRE_FALSE(mock.base_url.empty());
  // An idle keep-alive connection and one that never sent a byte must not hold it.
  RawConnection idle(mock.port);
  REQUIRE(idle.send(inspekt::testing::post_request(valid_body)));
  REQUIRE(status_of(idle.read_response(2s)) == 200);
  RawConnection silent(mock.port);
  const auto start = std::chrono::steady_clock::now();
  mock.process->signal(signal_number);
  CHECK(mock.process->wait(3s) == 0);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("SIGHUP does not kill it (it must not exit 129)", "[binary][regression]") {
  auto mock = start_mock_binary();
  REQUIRE(mock.port > 0);
  mock.process->signal(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (mock.process->stderr_text().find("reload ok") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK_THAT(mock.process->stderr_text(), Catch::Contains("reload ok: on SIGHUP"));
  CHECK_FALSE(mock.process->wait(100ms).has_value()); // still running
  const auto result = login(mock.port);
  REQUIRE(result);
  CHECK(result->status == 200);
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("the access log shows the key's first characters only", "[binary][secrets]") {
  auto mock = start_mock_binary({"--log-format", "json"});
  REQUIRE_FALSE(mock.base_url.empty());
  REQUIRE(login(mock.port));
  REQUIRE(login(mock.port, R"({"key":"demo-expired-key"})"));
  httplib::Client client("127.0.0.1", mock.port);
  REQUIRE(client.Post("/api/authenticate", R"({"key":"demo-valid-key"})", "text/plain"));
  mock.process->signal(SIGTERM);
  REQUIRE(mock.process->wait(2s) == 0);
  const auto log = mock.process->stderr_text();
  CHECK(log.find("demo-valid-key") == std::string::npos);
  CHECK(log.find("demo-expired-key") == std::string::npos);
  CHECK(log.find("eyJ") == std::string::npos);
  CHECK(log.find(R"("outcome":"success")") != std::string::npos);
  CHECK(log.find(R"("outcome":"expired_key")") != std::string::npos);
  CHECK(log.find(R"("key":"demo...")") != std::string::npos);
  CHECK(log.find(R"("reason":"content_type")") != std::string::npos);
}

TEST_CASE("with --quiet stderr stays empty", "[binary]") {
  auto mock = start_mock_binary({"--quiet"});
  REQUIRE(login(mock.port));
  mock.process->signal(SIGTERM);
  REQUIRE(mock.process->wait(2s) == 0);
  CHECK(mock.process->stderr_text().empty());
}

TEST_CASE("pinning --seed and --now gives byte-identical answers", "[binary][determinism]") {
  const std::vector<std::string> pinned{"--seed", "7", "--now", "1764000000"};
  auto first = start_mock_binary(pinned);
  auto second = start_mock_binary(pinned);
  for (int i = 0; i < 3; ++i) {
    const auto a = login(first.port);
    const auto b = login(second.port);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->body == b->body);
    CHECK(a->headers == b->headers);
  }
}

TEST_CASE("a --now that makes tokens born expired is warned about at start", "[binary]") {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto stale = start_mock_binary({"--seed", "1", "--now", "1700000000"});
  auto fresh = start_mock_binary({"--seed", "1", "--now", std::to_string(now)});
  REQUIRE(login(stale.port));
  REQUIRE(login(fresh.port));
  for (auto *mock : {&stale, &fresh}) {
    mock->process->signal(SIGTERM);
    REQUIRE(mock->process->wait(2s) == 0);
  }
  CHECK_THAT(stale.process->stderr_text(), Catch::Contains(" warning: --now 1700000000 is ") &&
                                               Catch::Contains("they are born expired"));
  CHECK_THAT(fresh.process->stderr_text(), !Catch::Contains("warning"));
}

TEST_CASE("Prefer reaches the handler through the program, unless --ignore-prefer",
          "[binary][control]") {
  auto honoured = start_mock_binary();
  auto ignored = start_mock_binary({"--ignore-prefer"});
  const httplib::Headers prefer{{"Prefer", "code=429"}};
  httplib::Client to_honoured("127.0.0.1", honoured.port);
  const auto limited =
      to_honoured.Post("/api/authenticate", prefer, valid_body, "application/json");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "60");
  const auto refused = to_honoured.Post("/api/authenticate", {{"Prefer", "code=418"}}, valid_body,
                                        "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(json::parse(refused->body)["message"] ==
        "Prefer: code=418: no answer of the fixtures has that status");
  httplib::Client to_ignored("127.0.0.1", ignored.port);
  const auto plain = to_ignored.Post("/api/authenticate", prefer, valid_body, "application/json");
  REQUIRE(plain);
  CHECK(plain->status == 200);
  honoured.process->signal(SIGTERM);
  REQUIRE(honoured.process->wait(2s) == 0);
  CHECK_THAT(honoured.process->stderr_text(),
             Catch::Contains("outcome=rate_limited reason=prefer") &&
                 Catch::Contains("outcome=invalid_request reason=prefer_invalid"));
}

TEST_CASE("a port in use exits 3 and says so", "[binary]") {
  auto first = start_mock_binary();
  REQUIRE(first.port > 0);
  ChildProcess second({INSPEKT_MOCK_BINARY, "--port", std::to_string(first.port)});
  CHECK(second.wait(5s) == 3);
  CHECK_THAT(second.stderr_text(),
             Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port) +
                             ": address already in use"));
}

TEST_CASE("a broken fixture set exits 2 with its id before listening", "[binary]") {
  ChildProcess mock({INSPEKT_MOCK_BINARY, "--port", "0", "--fixtures", "/nonexistent-fixtures"});
  CHECK(mock.wait(5s) == 2);
  CHECK_FALSE(mock.read_line(100ms).has_value());
  CHECK_THAT(mock.stderr_text(), Catch::StartsWith("inspekt-mock: [fixture.io] "
                                                   "/nonexistent-fixtures: not a directory"));
}

TEST_CASE("a key answering 418 needs fixture files only, for the program too", "[binary]") {
  auto mock = start_mock_binary({"--fixtures", INSPEKT_TEST_DATA "/teapot"});
  REQUIRE_FALSE(mock.base_url.empty());
  const auto result = login(mock.port, R"({"key":"demo-teapot-key"})");
  REQUIRE(result);
  CHECK(result->status == 418);
  CHECK(json::parse(result->body) == json{{"message", "I'm a teapot"}});
  CHECK(result->get_header_value("Content-Type") == "application/json");
  mock.process->signal(SIGTERM);
  REQUIRE(mock.process->wait(2s) == 0);
  const auto log = mock.process->stderr_text();
  CHECK_THAT(log, Catch::Contains("4 keys (1 success, 1 expired_key, 1 revoked_key, 1 teapot)"));
  CHECK_THAT(log, Catch::Contains(" 418 "));
  CHECK_THAT(log, Catch::Contains("outcome=teapot key=\"demo...\""));
}
