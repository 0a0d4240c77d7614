// The programs' shared front door for command-line mistakes (cli_errors.hpp): the same
// ids and wording whichever program calls it.

#include "inspekt/core/cli_errors.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace inspekt;

TEST_CASE("an unknown flag is named with the nearest known one, a secret-like one is not",
          "[cli][usage]") {
  const std::vector<std::string> flags{"--help", "--host", "--port", "--admin-token"};
  CHECK(unknown_flag_problem("--prot", flags) ==
        "[usage.unknown-flag] unknown flag '--prot' (did you mean '--port'?)");
  CHECK(unknown_flag_problem("--prot=18086", flags) ==
        "[usage.unknown-flag] unknown flag '--prot' (did you mean '--port'?)");
  CHECK(unknown_flag_problem("--zebra", flags) == "[usage.unknown-flag] unknown flag '--zebra'");
  CHECK(unknown_flag_problem("--base-ur", {"--base-url"}, " for login") ==
        "[usage.unknown-flag] unknown flag '--base-ur' for login (did you mean '--base-url'?)");
  CHECK(unknown_flag_problem("--Sk_Live_123", flags) ==
        "[usage.unknown-flag] unknown flag (not shown)");
}

TEST_CASE("extra arguments: the first flag is named, a stray value never", "[cli][usage]") {
  const std::vector<std::string> flags{"--port"};
  CHECK_FALSE(extra_arguments_problem({}, flags, "flags only"));
  // CLI11 lists extras in reverse ("18086 --prot"); the flag is found wherever it is.
  CHECK(extra_arguments_problem({"18086", "--prot"}, flags, "flags only") ==
        "[usage.unknown-flag] unknown flag '--prot' (did you mean '--port'?)");
  const auto stray = extra_arguments_problem({"s3cr3t-token"}, flags, "flags only");
  REQUIRE(stray);
  CHECK(*stray == "[usage.extra-argument] unexpected argument (not shown); flags only");
}

TEST_CASE("parse errors get an id and a plain sentence", "[cli][usage]") {
  CHECK(parse_error_problem("ArgumentMismatch",
                            "--port: 1 required INT:INT in [0 - 65535] missing") ==
        "[usage.missing-value] --port needs a value");
  CHECK(parse_error_problem("ArgumentMismatch", "--port: At Most 1 required but received 2") ==
        "[usage.repeated] --port is given more than once");
  CHECK(parse_error_problem("ValidationError", "--format: yaml not in {json,env}") ==
        "[usage.bad-value] --format: yaml not in {json,env}");
  CHECK(parse_error_problem("RequiresError", "--tls-cert requires --tls-key") ==
        "[usage.conflict] --tls-cert requires --tls-key");
}

TEST_CASE("value checks say what the value is not", "[cli][usage]") {
  CHECK(port_number_problem("8080").empty());
  CHECK(port_number_problem("0").empty());
  CHECK(port_number_problem("65535").empty());
  for (const char *bad : {"abc", "65536", "-1", "", "80x", " 80"}) {
    INFO(bad);
    CHECK_THAT(port_number_problem(bad), Catch::Contains("is not a port number (0 to 65535"));
  }
  CHECK(seed_problem("0").empty());
  CHECK(seed_problem("18446744073709551615").empty());
  for (const std::string bad : {"-1", "+1", "18446744073709551616", "", "1e3", " 7"}) {
    CHECK(seed_problem(bad) ==
          "'" + bad + "' is not a whole number from 0 to 18446744073709551615");
  }
  CHECK(whole_number_problem("7", 1, 10).empty());
  CHECK(whole_number_problem("11", 1, 10) == "'11' is not a whole number from 1 to 10");
  CHECK(whole_number_problem(std::string(60, '9'), 1, 10) ==
        "'" + std::string(40, '9') + "...' is not a whole number from 1 to 10");
}

TEST_CASE("a usage problem is two lines and exit code 2", "[cli][usage]") {
  std::ostringstream err;
  CHECK(report_usage_problem(err, "inspekt-mock", "[usage.x] y", "inspekt-mock --help") == 2);
  CHECK(err.str() == "inspekt-mock: [usage.x] y\nRun 'inspekt-mock --help' for the flags.\n");
}
