// inspekt-conformance: parses the command line and calls the run (conformance_run.hpp).

#include "conformance_run.hpp"
#include "run_options.hpp"

#include "inspekt/core/cli_errors.hpp"
#include "inspekt/core/version.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <csignal>
#include <iostream>

namespace {

using namespace inspekt::conformance;

const char *const examples = R"(
Examples:
  inspekt-conformance                                   # every case, against an in-process mock
  inspekt-conformance --list                            # case ids, levels, tags, spec sentences
  inspekt-conformance --case 401-unknown-key            # one case
  inspekt-conformance --tag doc --strict                # the cases safe for the live service
  inspekt-conformance -r junit -o report.xml            # JUnit for CI; the table on stdout
  inspekt-conformance --base-url URL --write-fixture-patch patch.json  # drift, and a patch
  INSPEKT_API_KEY=demo-valid-key INSPEKT_EXPIRED_KEY=demo-expired-key \
    inspekt-conformance --base-url http://127.0.0.1:8080   # any server
  INSPEKT_API_KEY=... inspekt-conformance --base-url https://reports.inspektlabs.com  # live: [doc] only
)";

} // namespace

int main(int argc, char **argv) {
  // A target that closes before reading the request must not kill the run: cpp-httplib
  // writes without MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"inspekt-conformance: checks a server against the documented contract of "
               "POST /api/authenticate, case by case. Without --base-url it starts a mock "
               "with the embedded fixtures in this process.",
               "inspekt-conformance"};
  app.footer(std::string(examples) + "\n" + exit_code_table());
  app.set_version_flag("--version", "inspekt-conformance " + std::string(inspekt::version()));
  // Extras are collected, not refused by CLI11: a misspelt flag then gets a "did you mean".
  app.allow_extras();
  RunOptions options;
  add_run_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    return inspekt::report_usage_problem(std::cerr, "inspekt-conformance",
                                         inspekt::parse_error_problem(e.get_name(), e.what()),
                                         "inspekt-conformance --help");
  }
  if (const auto problem =
          inspekt::extra_arguments_problem(app.remaining(), inspekt::long_flag_names(app),
                                           "cases are named by id, glob or [tag] (see --list)")) {
    return inspekt::report_usage_problem(std::cerr, "inspekt-conformance", *problem,
                                         "inspekt-conformance --help");
  }
  if (options.list) {
    return run_listing(options, std::cout);
  }
  try {
    return run_conformance(options, {std::cout, std::cerr, ::isatty(2) == 1});
  } catch (const std::exception &e) {
    std::cerr << "inspekt-conformance: internal error: " << e.what() << "\n";
    return exit_failed;
  }
}
