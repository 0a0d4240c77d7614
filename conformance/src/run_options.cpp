#include "run_options.hpp"

#include "case_table.hpp"
#include "key_kinds.hpp"

#include "inspekt/core/cli_errors.hpp"

#include <CLI/CLI.hpp>

namespace inspekt::conformance {
namespace {

constexpr std::pair<Reporter, const char *> reporters[] = {
    {Reporter::console, "console"}, {Reporter::compact, "compact"}, {Reporter::junit, "junit"},
    {Reporter::xml, "xml"},         {Reporter::json, "json"},
};

std::string joined(const std::vector<std::string> &names, const char *separator) {
  std::string out;
  for (const auto &name : names) {
    out += (out.empty() ? "" : separator) + name;
  }
  return out;
}

// A whole number within bounds, said as inspekt-mock and inspekt-auth say it.
CLI::Validator whole_number(long long lowest, long long highest) {
  return CLI::Validator(
      [lowest, highest](std::string &value) {
        return inspekt::whole_number_problem(value, lowest, highest);
      },
      "INT in [" + std::to_string(lowest) + " - " + std::to_string(highest) + "]");
}

constexpr long long an_hour_ms = 3'600'000;

} // namespace

std::string exit_code_table() {
  return "Exit codes:\n"
         "  0  every MUST case passed (SHOULD failures are reported, and count with --strict)\n"
         "  1  a MUST case failed, or a SHOULD case with --strict\n"
         "  2  usage: bad flag, unknown case id or tag, no key, a report path that cannot be\n"
         "     written, a fixture set that does not load\n"
         "  3  the target cannot be reached (connection refused, DNS, timeout), is not\n"
         "     trusted (TLS certificate) or answers nothing: said in one line before any\n"
         "     case runs\n";
}

std::string_view to_string(Reporter reporter) {
  for (const auto &[value, name] : reporters) {
    if (value == reporter) {
      return name;
    }
  }
  return "?";
}

const std::vector<std::string> &reporter_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto &entry : reporters) {
      out.emplace_back(entry.second);
    }
    return out;
  }();
  return names;
}

void add_run_options(CLI::App &app, RunOptions &options) {
  app.add_option("--base-url", options.base_url,
                 "Server to check, e.g. http://127.0.0.1:8080; without it a mock with the "
                 "embedded fixtures is started in this process. Keys come from the environment: " +
                     key_variables_text());
  app.add_flag("--live", options.live,
               "Treat the target as the live service even on loopback: [doc] cases only, a "
               "request budget and a pause between requests (any non-loopback target is live)");
  app.add_option("--max-requests", options.max_requests, "Most requests to send (live default 64)")
      ->check(whole_number(1, 1'000'000));
  app.add_option("--min-interval-ms", options.min_interval_ms,
                 "Least time between requests, in ms (live: default and floor 250)")
      ->check(whole_number(0, an_hour_ms));
  app.add_option("--ca-file", options.ca_file,
                 "PEM file of the CA to trust for https (e.g. the mock's --tls-write-ca file)")
      ->check(CLI::ExistingFile);
  app.add_option("--timeout-ms", options.timeout_ms, "Connect and read timeout per request, in ms")
      ->check(whole_number(1, an_hour_ms))
      ->capture_default_str();
  // Not checked here: a set that does not load is said with its [fixture.*] id.
  app.add_option("--fixtures", options.fixtures_dir,
                 "Fixture set (a directory) for the in-process mock, and the one --drift "
                 "compares with (default: the embedded fixtures/default)");
  app.add_option("--fixture-patch", options.fixture_patch,
                 "A fixture patch (JSON merge patch per file: a deviation from "
                 "conformance/deviations/, or one --write-fixture-patch wrote) applied over "
                 "that set");
  app.add_flag(
      "--drift", options.drift,
      "Compare the target's answers with the fixtures in use and print the drift "
      "table (docs/conformance.md#drift-in-one-run); no extra requests, never changes the exit "
      "code");
  app.add_option("--write-fixture-patch", options.write_fixture_patch,
                 "With --drift (implied): write the fixture patch that makes the mock answer "
                 "like the target to FILE (whole or not at all)");

  app.add_option("--case", options.case_ids,
                 "Run this case (an id from --list, e.g. 401-unknown-key); repeatable")
      ->allow_extra_args(false);
  app.add_option("--tag", options.tags,
                 "Run the cases with this tag (" + joined(known_tags(), ", ") + "); repeatable")
      ->allow_extra_args(false)
      ->check(CLI::IsMember(known_tags()));
  app.add_option("spec", options.specs,
                 "Cases to run, as with Catch2: an id, a glob (\"400-*\"), a tag in brackets "
                 "(\"[doc]\"); a leading ~ leaves matching cases out");
  app.add_flag("-l,--list", options.list,
               "List the cases (id, level, tags, the spec sentence each checks) and exit 0; "
               "with --live, the live set: the requests a live run sends");
  app.add_flag("--coverage", options.coverage,
               "With --list: every class of the request model and the case that covers it "
               "(with -r json: and every case with a request in it)");
  app.add_option("--explore", options.explore,
                 "Instead of the cases, send N seeded points of the request model, judge each "
                 "by the oracle and shrink each failure to the smallest request that still "
                 "fails (a copy-paste curl line, keys as placeholders); mock-only")
      ->check(whole_number(1, 1'000'000));
  app.add_option("--seed", options.seed, "Seed of --explore (the same seed, the same points)")
      ->check(CLI::Validator(inspekt::seed_problem, "UINT64"))
      ->capture_default_str();
  app.add_flag("--explore-live", options.explore_live,
               "Allow --explore against a live target, when N fits the request budget");
  app.add_flag("--strict", options.strict, "SHOULD failures fail the run too (exit 1)");

  app.add_option_function<std::string>(
         "-r,--reporter",
         [&options](const std::string &name) {
           for (const auto &[value, known] : reporters) {
             if (name == known) {
               options.reporter = value;
             }
           }
         },
         "Report format: console (the verdict table), compact (what did not pass), junit "
         "(for CI), xml, json (as --summary-json)")
      ->check(CLI::IsMember(reporter_names()))
      ->default_str("console");
  app.add_option("-o,--out", options.out_file,
                 "Write the report to FILE (whole or not at all); the verdict table then goes "
                 "to stdout. Without it a junit, xml or json report goes to stdout and the "
                 "table to stderr");
  app.add_option("--summary-json", options.summary_json,
                 "Also write the verdicts as JSON to FILE (whole or not at all)");
  app.add_flag("-s,--success", options.show_successes, "Show what was seen for passing cases too");
  app.add_option_function<std::string>(
         "-d,--durations",
         [&options](const std::string &value) { options.durations = value == "yes"; },
         "Show each case's time: yes or no (default no)")
      ->check(CLI::IsMember({"yes", "no"}));
}

} // namespace inspekt::conformance
