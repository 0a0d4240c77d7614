#include "inspekt/client/auth_client.hpp"
#include "inspekt/core/error.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <set>
#include <sstream>

using namespace inspekt;

TEST_CASE("error kinds have distinct names and print them", "[error]") {
  const std::set<std::string_view> names{
      to_string(ErrorKind::invalid_request),    to_string(ErrorKind::invalid_key),
      to_string(ErrorKind::method_not_allowed), to_string(ErrorKind::unexpected_status),
      to_string(ErrorKind::transport),          to_string(ErrorKind::protocol)};
  CHECK(names.size() == 6);
  CHECK(names.count("?") == 0);
  std::ostringstream text;
  text << AuthError{ErrorKind::invalid_key, 401, "API Key not valid", "refused", {}};
  CHECK(text.str() == "invalid_key (401): refused");
}

TEST_CASE("redact removes a key from message and description", "[error][secrets]") {
  const std::string key = "k3y-DO-NOT-LEAK-7f3a9c";
  AuthError error{ErrorKind::invalid_key,
                  401,
                  "key " + key + " unknown",
                  "it said \"key " + key + " unknown\", twice: " + key,
                  {}};
  redact(error, key);
  CHECK(error.server_message == "key <the key> unknown");
  CHECK(error.description.find(key) == std::string::npos);
  CHECK(error.description.find("<the key>") != std::string::npos);

  SECTION("in its JSON-escaped form too") {
    const std::string quoted_key = "k3y\"with\\quote";
    AuthError echoed{ErrorKind::unexpected_status, 500, "", R"(body "k3y\"with\\quote")", {}};
    redact(echoed, quoted_key);
    CHECK(echoed.description == R"(body "<the key>")");
  }
  SECTION("but not a key too short to be a secret") {
    AuthError plain{ErrorKind::invalid_key, 401, "a b c", "a b c", {}};
    redact(plain, "a");
    CHECK(plain.server_message == "a b c");
  }
}

TEST_CASE("the request body is the documented JSON", "[request]") {
  CHECK(nlohmann::json::parse(*authenticate_body("k", std::nullopt)) ==
        nlohmann::json{{"key", "k"}});
  CHECK(nlohmann::json::parse(*authenticate_body("k\"1", std::string("app"))) ==
        nlohmann::json{{"key", "k\"1"}, {"client_id", "app"}});
  // Not UTF-8: refused rather than sent with replacement characters.
  CHECK_FALSE(authenticate_body("k\xff", std::nullopt));
  CHECK_FALSE(authenticate_body("k", std::string("\xc3")));
}

TEST_CASE("options the client cannot use make it invalid before any request", "[client]") {
  SECTION("a bad base URL") {
    ClientOptions options;
    options.base_url = "ftp://example.com";
    const AuthClient client(options);
    CHECK_FALSE(client.valid());
    REQUIRE(client.error());
    CHECK(client.error()->kind == ErrorKind::transport);
    CHECK_THAT(client.error()->description, Catch::StartsWith("[url.scheme]"));
    const auto result = client.authenticate("demo-valid-key");
    CHECK_FALSE(result);
    REQUIRE(result.error);
    CHECK(result.error->description == client.error()->description);
    CHECK_FALSE(result.exchange);
    CHECK_FALSE(client.send(RawRequest{}));
  }
  SECTION("an unreadable CA file") {
    ClientOptions options;
    options.base_url = "https://127.0.0.1:1";
    options.ca_file = "/nonexistent/ca.pem";
    const AuthClient client(options);
    CHECK_FALSE(client.valid());
    CHECK_THAT(client.error()->description, Catch::StartsWith("[tls.ca-file]"));
  }
  SECTION("a CA file that holds no certificate (not a transport error, exit 7)") {
    char name[] = "/tmp/inspekt-ca-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    const std::string text = "not a certificate\n";
    CHECK(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    ClientOptions options;
    options.base_url = "https://127.0.0.1:1";
    options.ca_file = name;
    const AuthClient client(options);
    ::unlink(name);
    CHECK_FALSE(client.valid());
    CHECK_THAT(client.error()->description,
               Catch::StartsWith("[tls.ca-file]") && Catch::Contains("no PEM certificate"));
  }
  SECTION("a timeout that is not positive") {
    ClientOptions options;
    options.base_url = "http://127.0.0.1:1";
    options.read_timeout = std::chrono::milliseconds(0);
    CHECK_THAT(AuthClient(options).error()->description, Catch::StartsWith("[options.timeout]"));
  }
  SECTION("good options") {
    const AuthClient client(ClientOptions{});
    CHECK(client.valid());
    CHECK(client.base_url().to_string() == live_base_url);
  }
}
