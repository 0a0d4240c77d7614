// The inspekt-auth program against the real mock and test-made servers: what it prints,
// its exit codes, and that a distinctive key shows in none of its output, nor the mock's.

#include "commands.hpp"
#include "fake_gate.hpp"
#include "test_support/child_process.hpp"
#include "test_support/local_servers.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>

using inspekt::testing::ChildProcess;
using inspekt::testing::closed_port;
using inspekt::testing::FakeGate;
using inspekt::testing::LocalHttpServer;
using inspekt::testing::start_mock_binary;
using inspekt::testing::StartedMock;
using inspekt::testing::TempPath;
using namespace inspekt::cli;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string secret_key = "k3y-DO-NOT-LEAK-7f3a9c";
const std::string leak_fixtures = INSPEKT_CLIENT_TEST_DATA "/leak-key";

struct CliRun {
  std::optional<int> status;
  std::string out;
  std::string err;
};

// Runs inspekt-auth with only the variables given: the developer's own INSPEKT_API_KEY
// or INSPEKT_BASE_URL must never reach a test (nor the live service).
CliRun run_auth(const std::vector<std::string> &args, std::vector<std::string> env = {}) {
  std::vector<std::string> argv{INSPEKT_AUTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  env.insert(env.begin(), {"INSPEKT_API_KEY", "INSPEKT_BASE_URL"});
  ChildProcess child(argv, env);
  CliRun run;
  while (auto line = child.read_line(10s)) {
    run.out += *line + "\n";
  }
  run.status = child.wait(10s);
  run.err = child.stderr_text();
  return run;
}

std::string key_env(const std::string &key = secret_key) {
  return "INSPEKT_API_KEY=" + key;
}

StartedMock started_mock(std::vector<std::string> args = {}) {
  auto mock = start_mock_binary(std::move(args));
  REQUIRE_FALSE(mock.base_url.empty());
  return mock;
}

void check_no_key(const CliRun &run) {
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.out.find(secret_key) == std::string::npos);
  CHECK(run.err.find(secret_key) == std::string::npos);
}

} // namespace

TEST_CASE("login prints the credentials as JSON or env lines", "[cli][mock]") {
  auto mock = started_mock();
  const auto base = "--base-url=" + mock.base_url;

  const auto plain = run_auth({"login", base}, {key_env("demo-valid-key")});
  REQUIRE(plain.status == exit_ok);
  const auto body = json::parse(plain.out);
  CHECK(body.size() == 3);
  CHECK(body["session"].is_string());
  CHECK(plain.err.empty());

  const auto claims =
      run_auth({"login", base, "--show-claims", "--client-id", "cli"}, {key_env("demo-valid-key")});
  REQUIRE(claims.status == exit_ok);
  const auto decoded = json::parse(claims.out)["decoded"];
  CHECK(decoded["access_token"]["claims"]["sub"] == "cli");
  CHECK(decoded["refresh_token"]["claims"]["token_type"] == "refresh");

  const auto env = run_auth({"login", base, "--format", "env"}, {key_env("demo-valid-key")});
  REQUIRE(env.status == exit_ok);
  CHECK_THAT(env.out, Catch::Matches("INSPEKT_SESSION=in[0-9]+\nINSPEKT_ACCESS_TOKEN=eyJ[^\n]+\n"
                                     "INSPEKT_REFRESH_TOKEN=eyJ[^\n]+\n"));

  // The base URL from the environment when no flag gives one.
  const auto from_env =
      run_auth({"login"}, {key_env("demo-valid-key"), "INSPEKT_BASE_URL=" + mock.base_url});
  CHECK(from_env.status == exit_ok);
}

TEST_CASE("the key shows in no output of inspekt-auth or the mock", "[cli][secrets]") {
  auto mock = started_mock({"--fixtures", leak_fixtures, "--log-format", "json"});
  const auto base = "--base-url=" + mock.base_url;

  SECTION("a login that works") {
    const auto run = run_auth({"login", base, "--show-claims"}, {key_env()});
    CHECK(run.status == exit_ok);
    CHECK_THAT(run.out, Catch::Contains("\"refresh_token\""));
    check_no_key(run);
  }
  SECTION("the key from a file") {
    TempPath file("key");
    std::ofstream(file.path()) << secret_key << "\n";
    const auto run = run_auth({"login", base, "--key-file", file.path()});
    CHECK(run.status == exit_ok);
    check_no_key(run);
  }
  SECTION("an expired key and an unknown one") {
    for (const auto &key : {std::string("k3y-DO-NOT-LEAK-expired-7f3a9c"), secret_key + "-x"}) {
      const auto run = run_auth({"login", base}, {key_env(key)});
      CHECK(run.status == exit_invalid_key);
      CHECK_THAT(run.err, Catch::Contains("API Key not valid"));
      check_no_key(run);
    }
  }
  SECTION("a server that echoes the key in its answers") {
    LocalHttpServer echo([](httplib::Server &server) {
      server.Post("/401/api/authenticate", [](const auto &req, auto &res) {
        res.status = 401;
        res.set_content(json{{"message", "not valid: " + req.body}}.dump(), "application/json");
      });
      server.Post("/503/api/authenticate", [](const auto &req, auto &res) {
        res.status = 503;
        res.set_content("down, try again with " + req.body, "text/plain");
      });
    });
    const auto invalid = run_auth({"login", "--base-url", echo.base_url() + "/401"}, {key_env()});
    CHECK(invalid.status == exit_invalid_key);
    CHECK_THAT(invalid.err, Catch::Contains("<the key>"));
    check_no_key(invalid);
    const auto down = run_auth({"login", "--base-url", echo.base_url() + "/503"}, {key_env()});
    CHECK(down.status == exit_unexpected_status);
    check_no_key(down);
  }
  SECTION("no answer at all") {
    const auto run = run_auth(
        {"login", "--base-url", "http://127.0.0.1:" + std::to_string(closed_port())}, {key_env()});
    CHECK(run.status == exit_transport);
    check_no_key(run);
  }
  SECTION("the key on the command line is refused and not repeated") {
    for (const auto &args :
         std::vector<std::vector<std::string>>{{"login", secret_key},
                                               {"login", base, "--key", secret_key},
                                               {"login", "--key=" + secret_key},
                                               {"--api-key", secret_key, "login"}}) {
      const auto run = run_auth(args);
      CHECK(run.status == exit_usage);
      CHECK_THAT(run.err, Catch::Contains("never taken from the command line"));
      check_no_key(run);
    }
    const auto no_command = run_auth({secret_key});
    CHECK(no_command.status == exit_usage);
    check_no_key(no_command);
  }
  const auto log = mock.process->stderr_text();
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
  CHECK(log.find(secret_key) == std::string::npos);
  CHECK(mock.process->stderr_text().find(secret_key) == std::string::npos);
}

TEST_CASE("over HTTPS: the written CA is trusted, nothing else is", "[cli][tls]") {
  TempPath ca("cli-ca");
  auto mock =
      started_mock({"--fixtures", leak_fixtures, "--tls-self-signed", "--tls-write-ca", ca.path()});
  const auto base = "--base-url=" + mock.base_url;

  const auto trusted = run_auth({"login", base, "--ca-file", ca.path()}, {key_env()});
  CHECK(trusted.status == exit_ok);
  check_no_key(trusted);

  const auto refused = run_auth({"login", base}, {key_env()});
  CHECK(refused.status == exit_transport);
  CHECK_THAT(refused.err, Catch::Contains("TLS certificate problem"));
  check_no_key(refused);

  const auto insecure = run_auth({"login", base, "--insecure"}, {key_env()});
  CHECK(insecure.status == exit_ok);
  CHECK_THAT(insecure.err, Catch::Contains("warning: --insecure"));
  check_no_key(insecure);
}

TEST_CASE("call logs in and calls the guarded route with the header and session", "[cli][call]") {
  FakeGate gate;
  const std::string base = "--base-url=" + gate.base_url();
  const std::string key = key_env(FakeGate::valid_key);

  SECTION("a JSON body, the default") {
    const auto run = run_auth({"call", base}, {key});
    INFO(run.err);
    REQUIRE(run.status == exit_ok);
    const auto out = json::parse(run.out);
    CHECK(out["status"] == 200);
    CHECK(out["attempts"] == 1);
    CHECK(out["body"] == json{{"message", "Upload received"}});
    CHECK_FALSE(out.contains("www_authenticate"));
    CHECK(gate.logins() == 1);
    CHECK(gate.uploads_accepted() == 1);
  }
  SECTION("--data: the object gets the session") {
    const auto run = run_auth({"call", base, "--data", R"({"vehicle": "car"})"}, {key});
    CHECK(run.status == exit_ok);
    CHECK(gate.uploads_accepted() == 1);
  }
  SECTION("--file: multipart with a session field and the files") {
    TempPath photo("photo.jpg");
    std::ofstream(photo.path(), std::ios::binary) << std::string(1000, '\xff') << "--x\r\n";
    const auto run =
        run_auth({"call", base, "--file", photo.path(), "--file", photo.path()}, {key});
    INFO(run.err);
    CHECK(run.status == exit_ok);
    const std::string name = photo.path().substr(photo.path().rfind('/') + 1);
    const auto parts = gate.last_parts();
    CHECK(std::count(parts.begin(), parts.end(), "file:" + name + ":1005") == 2);
    CHECK(std::count_if(parts.begin(), parts.end(), [](const std::string &part) {
            return part.rfind("session::", 0) == 0;
          }) == 1);
  }
  SECTION("a 401 logs in once more and the retry passes") {
    gate.refuse_next(1);
    const auto run = run_auth({"call", base}, {key});
    CHECK(run.status == exit_ok);
    const auto out = json::parse(run.out);
    CHECK(out["status"] == 200);
    CHECK(out["attempts"] == 2);
    CHECK(gate.logins() == 2);
    CHECK(gate.uploads_refused() == 1);
  }
  SECTION("a second 401 is reported with its challenge, exit 9, no third try") {
    gate.refuse_next(5);
    const auto run = run_auth({"call", base}, {key});
    CHECK(run.status == exit_call_refused);
    const auto out = json::parse(run.out);
    CHECK(out["status"] == 401);
    CHECK(out["attempts"] == 2);
    CHECK(out["www_authenticate"] == "Bearer error=\"invalid_token\"");
    CHECK(out["body"]["message"] == "token_revoked");
    CHECK_THAT(run.err, Catch::Contains("refused (401)"));
    CHECK(gate.logins() == 2);
    CHECK(gate.uploads_refused() == 2);
  }
  SECTION("another status is the caller's: exit 9, no re-login") {
    const auto run = run_auth({"call", base, "--path", "/api/elsewhere"}, {key});
    CHECK(run.status == exit_call_refused);
    CHECK(json::parse(run.out)["status"] == 404);
    CHECK(gate.logins() == 1);
  }
  SECTION("a refused login: the login's exit code, no call, no key shown") {
    const auto run = run_auth({"call", base}, {key_env()});
    CHECK(run.status == exit_invalid_key);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains("invalid_key (401)"));
    check_no_key(run);
    CHECK(gate.failed_logins() == 1);
    CHECK(gate.uploads_accepted() + gate.uploads_refused() == 0);
  }
  SECTION("bad usage is refused before any request") {
    const auto not_object = run_auth({"call", base, "--data", "[1]"}, {key});
    CHECK(not_object.status == exit_usage);
    CHECK_THAT(not_object.err, Catch::Contains("[call.data] --data must be a JSON object"));
    const auto both = run_auth(
        {"call", base, "--data", "{}", "--file", INSPEKT_CLIENT_TEST_DATA "/README.md"}, {key});
    CHECK(both.status == exit_usage);
    CHECK_THAT(both.err, Catch::Contains("--data excludes --file"));
    const auto path = run_auth({"call", base, "--path", "api/upload"}, {key});
    CHECK(path.status == exit_usage);
    CHECK_THAT(path.err, Catch::Contains("[call.path]"));
    const auto no_key = run_auth({"call", base});
    CHECK(no_key.status == exit_usage);
    CHECK_THAT(no_key.err, Catch::Contains("[key.missing]"));
    CHECK(gate.logins() + gate.failed_logins() == 0);
  }
}
