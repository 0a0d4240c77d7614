// AuthClient against the real inspekt-mock binary and against servers the test makes
// (one that echoes, one that never answers): HTTP, verified HTTPS, timeouts, and the key
// kept out of every error text and log.

#include "inspekt/client/auth_client.hpp"
#include "inspekt/core/version.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "test_support/child_process.hpp"
#include "test_support/local_servers.hpp"
#include "test_support/timed_responder.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <fstream>
#include <mutex>

using namespace inspekt;
using inspekt::testing::closed_port;
using inspekt::testing::LocalHttpServer;
using inspekt::testing::SilentListener;
using inspekt::testing::start_mock_binary;
using inspekt::testing::StartedMock;
using inspekt::testing::TempPath;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string secret_key = "k3y-DO-NOT-LEAK-7f3a9c";
const std::string leak_fixtures = INSPEKT_CLIENT_TEST_DATA "/leak-key";

ClientOptions options_for(const std::string &base_url) {
  ClientOptions options;
  options.base_url = base_url;
  options.connect_timeout = 2s;
  options.read_timeout = 2s;
  return options;
}

AuthClient client_for(const std::string &base_url) {
  AuthClient client(options_for(base_url));
  REQUIRE(client.valid());
  return client;
}

StartedMock started_mock(std::vector<std::string> args = {}) {
  auto mock = start_mock_binary(std::move(args));
  REQUIRE_FALSE(mock.base_url.empty());
  return mock;
}

// Stops the mock and returns everything it logged.
std::string mock_log(StartedMock &mock) {
  mock.process->signal(SIGTERM);
  REQUIRE(mock.process->wait(2s) == 0);
  return mock.process->stderr_text();
}

void check_no_key(const AuthError &error) {
  INFO(error);
  CHECK(error.description.find(secret_key) == std::string::npos);
  CHECK(error.server_message.find(secret_key) == std::string::npos);
  // Nor a cut-off part of it: at most 4 characters of a key may ever be shown.
  CHECK(error.description.find(secret_key.substr(0, 5)) == std::string::npos);
  CHECK(error.server_message.find(secret_key.substr(0, 5)) == std::string::npos);
}

// A server that answers each path in a way that quotes the key back.
LocalHttpServer echoing_server() {
  return LocalHttpServer([](httplib::Server &server) {
    const auto key_of = [](const httplib::Request &req) {
      const auto body = json::parse(req.body, nullptr, false);
      return body.is_object() ? body.value("key", std::string()) : std::string();
    };
    server.Post("/400/api/authenticate", [key_of](const auto &req, auto &res) {
      res.status = 400;
      res.set_content(json{{"message", "Invalid API key: " + key_of(req)}}.dump(),
                      "application/json");
    });
    server.Post("/401/api/authenticate", [key_of](const auto &req, auto &res) {
      res.status = 401;
      res.set_content(json{{"message", "API Key not valid: " + key_of(req)}}.dump(),
                      "application/json");
    });
    server.Post("/500/api/authenticate", [key_of](const auto &req, auto &res) {
      res.status = 500;
      res.set_content("Traceback: KeyError('" + key_of(req) + "')", "text/plain");
    });
    // The key straddles the point where an error description cuts the body short.
    server.Post("/500-long/api/authenticate", [key_of](const auto &req, auto &res) {
      res.status = 500;
      res.set_content(std::string(63, '#') + " bad key " + key_of(req) + std::string(40, '#'),
                      "text/plain");
    });
    server.Post("/200/api/authenticate", [key_of](const auto &req, auto &res) {
      res.set_content(json{{"session", key_of(req)}, {"access_token", key_of(req)}}.dump(),
                      "application/json");
    });
  });
}

} // namespace

TEST_CASE("login over HTTP against the mock gives decoded credentials", "[mock][http]") {
  auto mock = started_mock();
  const auto client = client_for(mock.base_url);
  const auto result = client.authenticate("demo-valid-key", std::string("client-7"));
  REQUIRE(result);
  const Credentials &credentials = *result.credentials;
  CHECK_FALSE(credentials.session.empty());
  CHECK(credentials.access.claims["sid"] == credentials.session);
  CHECK(credentials.refresh.claims["sid"] == credentials.session);
  CHECK(credentials.access.claims["sub"] == "client-7");
  CHECK(credentials.access.claims["token_type"] == "access");
  CHECK(credentials.refresh.claims["token_type"] == "refresh");
  CHECK(credentials.authorization_header() == "Bearer " + credentials.refresh_token);
  REQUIRE(result.exchange);
  CHECK(result.exchange->status == 200);
  CHECK_THAT(result.exchange->header("content-type"), Catch::StartsWith("application/json"));
  CHECK(result.exchange->elapsed > 0us);
  CHECK(result.exchange->elapsed < 2s);
}

TEST_CASE("the mock's documented failures come back as their kinds", "[mock][http]") {
  auto mock = started_mock();
  const auto client = client_for(mock.base_url);

  const auto expired = client.authenticate("demo-expired-key");
  REQUIRE(expired.error);
  CHECK(expired.error->kind == ErrorKind::invalid_key);
  CHECK(expired.error->status == 401);
  CHECK(expired.error->server_message == "API Key not valid");

  RawRequest get;
  get.method = "GET";
  get.content_type.reset();
  const auto got = client.send(get);
  REQUIRE(got);
  CHECK(got.exchange->status == 405);
  CHECK(got.exchange->header("Allow") == "POST");
  const auto not_allowed = classify(*got.exchange);
  REQUIRE(not_allowed.error);
  CHECK(not_allowed.error->kind == ErrorKind::method_not_allowed);
  CHECK(not_allowed.error->server_message == "Method not allowed");

  RawRequest malformed;
  malformed.body = "{\"key\":";
  const auto bad = classify(*client.send(malformed).exchange);
  REQUIRE(bad.error);
  CHECK(bad.error->kind == ErrorKind::invalid_request);
  CHECK(bad.error->server_message == "Invalid API key");

  // The mock is strict: no Content-Type, no JSON.
  RawRequest untyped;
  untyped.content_type.reset();
  untyped.body = R"({"key":"demo-valid-key"})";
  CHECK(client.send(untyped).exchange->status == 400);

  const auto elsewhere = client_for(mock.base_url + "/not-here").authenticate("demo-valid-key");
  REQUIRE(elsewhere.error);
  CHECK(elsewhere.error->kind == ErrorKind::unexpected_status);
  CHECK(elsewhere.error->status == 404);
}

TEST_CASE("send() puts the request on the wire as given", "[http][raw]") {
  // Written on the server's thread before it answers, read here after the answer.
  std::mutex mutex;
  json recorded;
  const auto seen_request = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return recorded;
  };
  LocalHttpServer echo([&](httplib::Server &server) {
    const auto record = [&](const httplib::Request &req, httplib::Response &res) {
      json headers = json::object();
      for (const auto &[name, value] : req.headers) {
        if (name != "REMOTE_ADDR" && name != "REMOTE_PORT" && name != "LOCAL_ADDR" &&
            name != "LOCAL_PORT") {
          std::string lower = name; // names compare without case: record them so
          std::transform(lower.begin(), lower.end(), lower.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          headers[lower].push_back(value);
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      recorded = {
          {"method", req.method}, {"target", req.target}, {"headers", headers}, {"body", req.body}};
      res.set_content("{}", "application/json");
    };
    server.Put(".*", record);
    server.Post(".*", record);
    server.Get(".*", record);
    server.Delete(".*", record);
  });

  SECTION("a body without Content-Type stays without") {
    const auto client = client_for(echo.base_url() + "/prefix");
    RawRequest request;
    request.method = "PUT";
    request.path = "/api/authenticate?probe=1";
    request.content_type.reset();
    request.body = "not json";
    request.headers = {{"X-Probe", "yes"}};
    const auto sent = client.send(request);
    REQUIRE(sent);
    const auto seen = seen_request();
    CHECK(seen["method"] == "PUT");
    CHECK(seen["target"] == "/prefix/api/authenticate?probe=1");
    CHECK(seen["body"] == "not json");
    CHECK_FALSE(seen["headers"].contains("content-type"));
    CHECK(seen["headers"]["content-length"] == json::array({"8"}));
    CHECK(seen["headers"]["x-probe"] == json::array({"yes"}));
    CHECK(seen["headers"]["host"] == json::array({"127.0.0.1:" + std::to_string(echo.port())}));
    CHECK(seen["headers"]["user-agent"] ==
          json::array({"inspekt-client/" + std::string(inspekt::version())}));
  }
  SECTION("the caller's headers replace the defaults, once") {
    const auto client = client_for(echo.base_url());
    RawRequest request;
    request.body = "{}";
    request.content_type = "text/plain";
    request.headers = {{"user-agent", "probe/1"}, {"Host", "example.com"}};
    REQUIRE(client.send(request));
    const auto seen = seen_request();
    CHECK(seen["headers"]["user-agent"] == json::array({"probe/1"}));
    CHECK(seen["headers"]["host"] == json::array({"example.com"}));
    CHECK(seen["headers"]["content-type"] == json::array({"text/plain"}));
  }
  SECTION("authenticate() sends the documented JSON") {
    const auto client = client_for(echo.base_url());
    client.authenticate("some-key", std::string("app"));
    const auto seen = seen_request();
    CHECK(seen["method"] == "POST");
    CHECK(seen["target"] == "/api/authenticate");
    CHECK(seen["headers"]["content-type"] == json::array({"application/json"}));
    CHECK(json::parse(seen["body"].get<std::string>()) ==
          json{{"key", "some-key"}, {"client_id", "app"}});
  }
  SECTION("an empty body on DELETE is announced as empty") {
    const auto client = client_for(echo.base_url());
    RawRequest request;
    request.method = "DELETE";
    request.body = "";
    REQUIRE(client.send(request));
    const auto seen = seen_request();
    CHECK(seen["headers"]["content-length"] == json::array({"0"}));
  }
}

TEST_CASE("HTTPS with the mock's self-signed certificate trusted logs in", "[mock][tls]") {
  TempPath ca("ca");
  auto mock = started_mock({"--tls-self-signed", "--tls-write-ca", ca.path()});
  CHECK_THAT(mock.base_url, Catch::StartsWith("https://127.0.0.1:"));
  // The file is there as soon as the ready line is.
  CHECK(std::ifstream(ca.path()).good());

  auto options = options_for(mock.base_url);
  options.ca_file = ca.path();
  const auto trusted = AuthClient(options).authenticate("demo-valid-key");
  INFO((trusted.error ? trusted.error->description : ""));
  REQUIRE(trusted);
  CHECK(trusted.exchange->status == 200);

  SECTION("without the CA the certificate is refused: verification is on by default") {
    const auto refused = client_for(mock.base_url).authenticate("demo-valid-key");
    REQUIRE(refused.error);
    CHECK(refused.error->kind == ErrorKind::transport);
    CHECK_FALSE(refused.error->status);
    CHECK_FALSE(refused.exchange);
    CHECK_THAT(refused.error->description, Catch::Contains("TLS certificate problem") &&
                                               Catch::Contains("self-signed certificate"));
  }
  SECTION("with verification turned off the same server is accepted") {
    auto insecure = options_for(mock.base_url);
    insecure.verify_tls = false;
    CHECK(AuthClient(insecure).authenticate("demo-valid-key"));
  }
  SECTION("a trusted certificate for another host name is refused") {
    // The certificate names the loopback (localhost, 127.0.0.1, ::1) and the --host;
    // a mock on every address is still on loopback at 127.0.0.2, a name it lacks.
    TempPath every_ca("every-ca");
    auto every =
        started_mock({"--host", "0.0.0.0", "--tls-self-signed", "--tls-write-ca", every_ca.path()});
    auto other_name = options_for("https://127.0.0.2:" + std::to_string(every.port));
    other_name.ca_file = every_ca.path();
    const auto refused = AuthClient(other_name).authenticate("demo-valid-key");
    REQUIRE(refused.error);
    CHECK(refused.error->kind == ErrorKind::transport);
    CHECK_THAT(refused.error->description, Catch::Contains("not valid for the host \"127.0.0.2\""));
  }
  SECTION("TLS to a plain HTTP port is a TLS error, not a hang") {
    auto plain = started_mock();
    const auto https_to_http = "https://127.0.0.1:" + std::to_string(plain.port);
    const auto refused = client_for(https_to_http).authenticate("demo-valid-key");
    REQUIRE(refused.error);
    CHECK(refused.error->kind == ErrorKind::transport);
    CHECK_THAT(refused.error->description, Catch::StartsWith("TLS problem"));
  }
}

TEST_CASE("a server that accepts and never answers times out in the configured time", "[timeout]") {
  SilentListener silent;
  constexpr auto timeout = 300ms;
  constexpr auto margin = 400ms;
  const bool https = GENERATE(false, true);
  DYNAMIC_SECTION((https ? "HTTPS (the handshake)" : "HTTP (the answer)")) {
    ClientOptions options;
    options.base_url =
        std::string(https ? "https" : "http") + "://127.0.0.1:" + std::to_string(silent.port());
    // The connect succeeds (the kernel accepts); what waits is the handshake or the
    // answer, bounded by connect and read timeout respectively.
    options.connect_timeout = https ? timeout : 5s;
    options.read_timeout = https ? 5s : timeout;
    // Verification would first load the system trust store, which no timeout bounds
    // (milliseconds, but a second under a sanitizer); the handshake wait is the subject.
    options.verify_tls = false;
    const AuthClient client(options);
    const auto start = std::chrono::steady_clock::now();
    const auto result = client.authenticate(secret_key);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(result.error);
    CHECK(result.error->kind == ErrorKind::transport);
    CHECK_THAT(result.error->description, Catch::Contains("timed out"));
    if (https) {
      CHECK_THAT(result.error->description, Catch::StartsWith("TLS problem"));
    }
    CHECK(took >= timeout - 10ms);
    CHECK(took < timeout + margin);
    check_no_key(*result.error);
  }
}

TEST_CASE("a closed port is a transport error naming host and port", "[http]") {
  const int port = closed_port();
  const auto result =
      client_for("http://127.0.0.1:" + std::to_string(port)).authenticate(secret_key);
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::transport);
  CHECK_THAT(result.error->description,
             Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)));
  check_no_key(*result.error);
}

TEST_CASE("the key appears in no error text, even when the server echoes it", "[secrets]") {
  auto echo = echoing_server();
  const auto row = GENERATE(
      as<std::pair<std::string, ErrorKind>>{}, std::pair{"/400", ErrorKind::invalid_request},
      std::pair{"/401", ErrorKind::invalid_key}, std::pair{"/500", ErrorKind::unexpected_status},
      std::pair{"/500-long", ErrorKind::unexpected_status}, std::pair{"/200", ErrorKind::protocol});
  DYNAMIC_SECTION(row.first) {
    const auto result = client_for(echo.base_url() + row.first).authenticate(secret_key);
    REQUIRE(result.error);
    CHECK(result.error->kind == row.second);
    check_no_key(*result.error);
    // The raw exchange is the server's own words, kept whole for the suite to judge.
    REQUIRE(result.exchange);
    CHECK(result.exchange->body.find(secret_key) != std::string::npos);
  }
}

TEST_CASE("the key appears in no log of the mock, whatever the outcome", "[mock][secrets]") {
  const auto format = GENERATE(as<std::string>{}, "text", "json");
  DYNAMIC_SECTION("log format " << format) {
    auto mock = started_mock({"--fixtures", leak_fixtures, "--log-format", format});
    const auto client = client_for(mock.base_url);
    const auto valid = client.authenticate(secret_key, std::string("leak-test"));
    REQUIRE(valid);
    const auto expired = client.authenticate("k3y-DO-NOT-LEAK-expired-7f3a9c");
    REQUIRE(expired.error);
    check_no_key(*expired.error);
    const auto unknown = client.authenticate(secret_key + "-unknown");
    REQUIRE(unknown.error);
    check_no_key(*unknown.error);
    const auto log = mock_log(mock);
    CHECK_THAT(log, Catch::Contains("k3y-..."));
    CHECK(log.find("k3y-DO") == std::string::npos);
    CHECK(log.find(valid.credentials->refresh_token) == std::string::npos);
  }
}

TEST_CASE("each fault comes back as a transport error that says what happened",
          "[fault][http][tls]") {
  using inspekt::mock::Fault;
  const auto [fault, expected] = GENERATE(table<Fault, std::string>({
      {Fault::connection_reset_by_peer, "reset the connection (TCP reset)"},
      {Fault::empty_response, "closed the connection without an HTTP answer"},
      {Fault::random_data_then_close, "closed the connection without an HTTP answer"},
      {Fault::malformed_response_chunk, "malformed answer: its chunked body is broken"},
      {Fault::truncated_body, "truncated body: Content-Length promised"},
  }));
  const bool tls = GENERATE(false, true);
  DYNAMIC_SECTION(inspekt::mock::to_string(fault) << (tls ? " over HTTPS" : " over HTTP")) {
    inspekt::mock::ServerOptions server;
    server.port = 0;
    if (tls) {
      server.tls = inspekt::mock::make_self_signed_identity("127.0.0.1");
    }
    inspekt::mock::BackgroundMockServer mock(
        std::make_shared<const inspekt::testing::TimedResponder>(20ms, fault), server);
    auto options = options_for(mock.base_url());
    options.verify_tls = false;
    const AuthClient client(options);
    const auto result = client.authenticate("demo-valid-key");
    REQUIRE(result.error);
    CHECK(result.error->kind == ErrorKind::transport);
    CHECK_THAT(result.error->description, Catch::Contains(expected));
  }
}

TEST_CASE("a slow body is still a whole answer", "[fault][http]") {
  inspekt::mock::ServerOptions server;
  server.port = 0;
  inspekt::mock::BackgroundMockServer mock(std::make_shared<const inspekt::testing::TimedResponder>(
                                               300ms, inspekt::mock::Fault::slow_body),
                                           server);
  const auto result = client_for(mock.base_url()).authenticate("demo-valid-key");
  CHECK(result);
}

TEST_CASE("the mock's 503 tells the client how long to wait", "[mock][http]") {
  auto mock = started_mock({"--quiet"});
  const auto result = client_for(mock.base_url).authenticate("demo-unavailable-key");
  REQUIRE(result.error);
  CHECK(result.error->status == 503);
  REQUIRE(result.error->retry_after);
  CHECK(result.error->retry_after->count() == 30);
  CHECK_THAT(result.error->description, Catch::Contains("retry after 30 s"));
}
