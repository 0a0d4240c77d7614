// inspekt-auth's commands without a process: key sources, output formats, exit codes.

#include "commands.hpp"

#include "inspekt/core/base64url.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace inspekt;
using namespace inspekt::cli;

namespace {

const std::string secret_key = "k3y-DO-NOT-LEAK-7f3a9c";
std::istringstream no_input;

Environment fake_environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(std::string(name));
    if (found == values.end() || found->second.empty()) {
      return std::nullopt;
    }
    return found->second;
  };
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string &contents) {
    char name[] = "/tmp/inspekt-key-XXXXXX";
    ::close(::mkstemp(name));
    path = name;
    std::ofstream(path, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

Credentials sample_credentials() {
  const auto make = [](const char *type) {
    return sign_jwt(JwtAlgorithm::hs256, base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
                    base64url_encode(nlohmann::json{{"token_type", type}}.dump()), "s");
  };
  Credentials credentials;
  credentials.session = "in1234";
  credentials.access_token = make("access");
  credentials.refresh_token = make("refresh");
  credentials.access = *decode_jwt(credentials.access_token).jwt;
  credentials.refresh = *decode_jwt(credentials.refresh_token).jwt;
  return credentials;
}

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run login(const LoginOptions &options, const Environment &environment,
          const std::string &input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_login(options, environment, Io{in, out, err});
  return {status, out.str(), err.str()};
}

Run decode(const std::string &input) {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_decode(Io{in, out, err});
  return {status, out.str(), err.str()};
}

} // namespace

TEST_CASE("every error kind has its own exit code, none of 0, 1, 2", "[cli]") {
  std::set<int> codes;
  for (auto kind :
       {ErrorKind::invalid_request, ErrorKind::invalid_key, ErrorKind::method_not_allowed,
        ErrorKind::unexpected_status, ErrorKind::transport, ErrorKind::protocol}) {
    const int code = exit_code(kind);
    CHECK(code > exit_usage);
    CHECK(codes.insert(code).second);
    // The table --help prints lists it.
    CHECK_THAT(exit_code_table(), Catch::Contains("  " + std::to_string(code) + "  "));
  }
  CHECK(exit_code(ErrorKind::invalid_request) == 3);
  CHECK(exit_code(ErrorKind::protocol) == 8);
}

TEST_CASE("the key comes from a file, stdin or the environment, trimmed", "[cli][key]") {
  LoginOptions options;
  SECTION("the environment") {
    const auto key =
        read_key(options, fake_environment({{"INSPEKT_API_KEY", " abc1 \n"}}), no_input);
    CHECK(key.key == "abc1");
  }
  SECTION("a file wins over the environment") {
    TempFile file("from-file\r\n");
    options.key_file = file.path;
    const auto key =
        read_key(options, fake_environment({{"INSPEKT_API_KEY", "from-env"}}), no_input);
    CHECK(key.key == "from-file");
  }
  SECTION("stdin wins over the environment") {
    options.key_stdin = true;
    std::istringstream in("from-stdin\n");
    CHECK(read_key(options, fake_environment({{"INSPEKT_API_KEY", "from-env"}}), in).key ==
          "from-stdin");
  }
}

TEST_CASE("a missing, empty or odd key is refused with an id, never quoted", "[cli][key]") {
  LoginOptions options;
  const auto none = fake_environment({});
  CHECK_THAT(read_key(options, none, no_input).error, Catch::StartsWith("[key.missing]"));
  CHECK_THAT(read_key(options, fake_environment({{"INSPEKT_API_KEY", ""}}), no_input).error,
             Catch::StartsWith("[key.missing]"));

  TempFile blank(" \n\n");
  options.key_file = blank.path;
  CHECK_THAT(read_key(options, none, no_input).error, Catch::StartsWith("[key.empty]"));

  TempFile two_lines(secret_key + "\nsecond-line\n");
  options.key_file = two_lines.path;
  const auto two = read_key(options, none, no_input);
  CHECK_FALSE(two.key);
  CHECK_THAT(two.error, Catch::StartsWith("[key.control]"));
  CHECK(two.error.find(secret_key) == std::string::npos);

  options.key_file = "/nonexistent/key";
  CHECK_THAT(read_key(options, none, no_input).error, Catch::StartsWith("[key.file]"));
}

TEST_CASE("the base URL: flag, else INSPEKT_BASE_URL, else the live service", "[cli]") {
  LoginOptions options;
  CHECK(resolve_base_url(options, fake_environment({})) == "https://reports.inspektlabs.com");
  CHECK(resolve_base_url(options, fake_environment({{"INSPEKT_BASE_URL", "http://e:1"}})) ==
        "http://e:1");
  options.base_url = "http://flag:2";
  CHECK(resolve_base_url(options, fake_environment({{"INSPEKT_BASE_URL", "http://e:1"}})) ==
        "http://flag:2");
}

TEST_CASE("credentials print as JSON, with claims on request, or as env lines", "[cli][output]") {
  const auto credentials = sample_credentials();
  const auto plain = credentials_json(credentials, false);
  CHECK(plain.size() == 3);
  CHECK(plain["session"] == "in1234");
  CHECK(plain["access_token"] == credentials.access_token);
  CHECK(plain["refresh_token"] == credentials.refresh_token);
  CHECK(plain.begin().key() == "session");

  const auto with_claims = credentials_json(credentials, true);
  CHECK(with_claims["decoded"]["access_token"]["claims"]["token_type"] == "access");
  CHECK(with_claims["decoded"]["refresh_token"]["header"]["alg"] == "HS256");

  CHECK(credentials_env(credentials) ==
        "INSPEKT_SESSION=in1234\nINSPEKT_ACCESS_TOKEN=" + credentials.access_token +
            "\nINSPEKT_REFRESH_TOKEN=" + credentials.refresh_token + "\n");
}

TEST_CASE("env values are quoted only when a shell would read them otherwise", "[cli][output]") {
  CHECK(shell_value("in1234") == "in1234");
  CHECK(shell_value("a.b-c_d") == "a.b-c_d");
  CHECK(shell_value("") == "''");
  CHECK(shell_value("two words") == "'two words'");
  CHECK(shell_value("$(rm -rf ~)") == "'$(rm -rf ~)'");
  CHECK(shell_value("it's") == "'it'\\''s'");
}

TEST_CASE("login refuses bad usage with exit 2 before any request", "[cli]") {
  LoginOptions options;
  SECTION("no key") {
    options.base_url = "http://127.0.0.1:1";
    const auto run = login(options, fake_environment({}));
    CHECK(run.status == exit_usage);
    CHECK_THAT(run.err, Catch::Contains("[key.missing]"));
    CHECK(run.out.empty());
  }
  SECTION("a bad base URL") {
    options.base_url = "ftp://x";
    const auto run = login(options, fake_environment({{"INSPEKT_API_KEY", secret_key}}));
    CHECK(run.status == exit_usage);
    CHECK_THAT(run.err, Catch::Contains("[url.scheme]"));
    CHECK(run.err.find(secret_key) == std::string::npos);
  }
  SECTION("claims in env format") {
    options.base_url = "http://127.0.0.1:1";
    options.show_claims = true;
    options.format = OutputFormat::env;
    CHECK(login(options, fake_environment({{"INSPEKT_API_KEY", "k"}})).status == exit_usage);
  }
}

TEST_CASE("login with --insecure warns on stderr on every run", "[cli][tls]") {
  LoginOptions options;
  options.insecure = true;
  options.base_url = "http://127.0.0.1:1";
  const auto run = login(options, fake_environment({}));
  CHECK(run.status == exit_usage); // no key, and still the warning
  CHECK_THAT(run.err, Catch::Contains("warning: --insecure"));
}

TEST_CASE("decode prints header and claims, never the signature", "[cli][decode]") {
  const auto credentials = sample_credentials();
  const auto run = decode(credentials.access_token + "\n");
  REQUIRE(run.status == exit_ok);
  const auto printed = nlohmann::json::parse(run.out);
  CHECK(printed["header"]["alg"] == "HS256");
  CHECK(printed["claims"]["token_type"] == "access");
  CHECK(printed.size() == 2);
  const auto signature = credentials.access_token.substr(credentials.access_token.rfind('.') + 1);
  CHECK(run.out.find(signature) == std::string::npos);

  const auto bad = decode("not-a-token");
  CHECK(bad.status == exit_protocol);
  CHECK_THAT(bad.err, Catch::Contains("[decode.not-jwt]"));
  CHECK(bad.out.empty());
  CHECK(decode("  \n").status == exit_usage);
}

TEST_CASE("a command line's slips are named, with the nearest known name", "[cli][usage]") {
  const std::vector<std::string> commands{"login", "decode"};
  const std::vector<std::string> login_flags{"--help", "--base-url", "--client-id", "--ca-file"};
  struct Row {
    std::vector<std::string> extras;
    std::optional<std::string> command;
    std::string expected; // the start of the message; empty: no problem
  };
  // "lgoin" and "--bogus" must not both say "A subcommand is required", nor
  // "login --base-ur URL" blame a key typed on the command line.
  const std::vector<Row> rows{
      {{"lgoin"},
       std::nullopt,
       "[usage.unknown-command] unknown subcommand 'lgoin' (did you mean 'login'?)"},
      {{"sk-live-0123456789abcdef"},
       std::nullopt,
       "[usage.unknown-command] unknown subcommand (not shown: it could be a key)"},
      {{"--bogus"}, std::nullopt, "[usage.unknown-flag] unknown flag '--bogus'; the flags are"},
      {{"lgoin", "--base-url", "http://127.0.0.1:8080"},
       std::nullopt,
       "[usage.unknown-command] unknown subcommand 'lgoin' (did you mean 'login'?)"},
      {{"--base-ur", "http://127.0.0.1:8080"},
       "login",
       "[usage.unknown-flag] unknown flag '--base-ur' for login (did you mean '--base-url'?)"},
      {{"--base-ur=http://127.0.0.1:8080"},
       "login",
       "[usage.unknown-flag] unknown flag '--base-ur' for login (did you mean '--base-url'?)"},
      {{"--Secret_Key_123"}, "login", "[usage.unknown-flag] unknown flag for login (not shown)"},
      {{"stray-value"}, "login", "[usage.extra-argument] unexpected argument (not shown)"},
      {{}, std::nullopt, "[usage.no-command] a subcommand is required: login or decode"},
      {{}, "login", ""},
  };
  for (const auto &row : rows) {
    INFO(row.expected);
    const auto problem = command_line_problem(row.extras, row.command, commands, login_flags);
    if (row.expected.empty()) {
      CHECK_FALSE(problem);
    } else {
      REQUIRE(problem);
      CHECK_THAT(*problem, Catch::StartsWith(row.expected));
      CHECK(problem->find("Secret_Key") == std::string::npos);
      CHECK(problem->find("sk-live") == std::string::npos);
    }
  }
}

TEST_CASE("a subcommand's flag typed before it is sent after it", "[cli][usage]") {
  const std::vector<std::string> login_flags{"--help", "--base-url", "--client-id"};
  // "inspekt-auth --base-url URL login": the top level leaves --base-url and URL over.
  CHECK(
      flag_before_command_problem({"--base-url", "http://127.0.0.1:8080"}, "login", login_flags) ==
      "[usage.flag-before-command] '--base-url' is a flag of login: flags go after the "
      "subcommand (inspekt-auth login --base-url ...)");
  CHECK(flag_before_command_problem({"--base-url=http://127.0.0.1:8080"}, "login", login_flags));
  // Not a flag of login: the unknown-flag message says it, with its suggestion.
  CHECK_FALSE(flag_before_command_problem({"--base-ur", "x"}, "login", login_flags));
  CHECK_FALSE(flag_before_command_problem({}, "login", login_flags));
}

TEST_CASE("a base URL that already holds the endpoint path gets a hint", "[cli][url]") {
  const auto with = parse_base_url("http://127.0.0.1:8080/api/authenticate");
  REQUIRE(with);
  CHECK(endpoint_in_base_url_hint(*with.url, authenticate_path) ==
        "the base URL already ends in /api/authenticate, which is added to it (the request went "
        "to /api/authenticate/api/authenticate): use --base-url http://127.0.0.1:8080");
  const auto prefixed = parse_base_url("https://example.com/v1/api/authenticate");
  REQUIRE(prefixed);
  CHECK_THAT(endpoint_in_base_url_hint(*prefixed.url, authenticate_path).value_or(""),
             Catch::EndsWith("use --base-url https://example.com/v1"));
  const auto plain = parse_base_url("http://127.0.0.1:8080/api");
  REQUIRE(plain);
  CHECK_FALSE(endpoint_in_base_url_hint(*plain.url, authenticate_path));
}

TEST_CASE("call's body: JSON with the login's session, or multipart with a session field",
          "[cli][call]") {
  std::string error;
  CallOptions options;
  const auto plain = call_body(options, {}, "in42", error);
  REQUIRE(plain);
  CHECK(plain->content_type == "application/json");
  CHECK(nlohmann::json::parse(plain->body) == nlohmann::json{{"session", "in42"}});

  options.data = R"({"session": "stale", "n": 1})";
  const auto merged = call_body(options, {}, "in42", error);
  REQUIRE(merged);
  CHECK(nlohmann::json::parse(merged->body) == nlohmann::json{{"session", "in42"}, {"n", 1}});

  options.data = "\"text\"";
  CHECK_FALSE(call_body(options, {}, "in42", error));
  CHECK_THAT(error, Catch::StartsWith("[call.data]"));

  options.data.reset();
  options.files = {"dir/a\"b.bin"};
  const auto multipart =
      call_body(options, {{"a\"b.bin", std::string("\0\r\n--", 5)}}, "in42", error);
  REQUIRE(multipart);
  const std::string prefix = "multipart/form-data; boundary=";
  REQUIRE_THAT(multipart->content_type, Catch::StartsWith(prefix));
  const std::string boundary = multipart->content_type.substr(prefix.size());
  CHECK(boundary.size() <= 70); // RFC 2046 section 5.1.1
  CHECK(multipart->body ==
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"session\"\r\n\r\nin42\r\n" +
            "--" + boundary +
            "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\\\"b.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n" +
            std::string("\0\r\n--", 5) + "\r\n--" + boundary + "--\r\n");
}
