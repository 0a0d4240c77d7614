// inspekt-conformance: parses the command line, plans the run (run_plan.hpp), runs the
// cases (runner.hpp) and writes the reports (report.hpp).

#include "explore_run.hpp"
#include "live_set.hpp"
#include "model/model_cases.hpp"
#include "report.hpp"
#include "run_options.hpp"
#include "run_plan.hpp"
#include "runner.hpp"

#include "inspekt/client/cli_errors.hpp"
#include "inspekt/client/version.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <deque>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace {

using namespace inspekt::conformance;
using inspekt::check_writable;
using inspekt::write_file_whole;

constexpr const char *program = "inspekt-conformance: ";

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

int list_coverage() {
  const auto rows = model::coverage(case_table());
  int uncovered = 0;
  for (const auto &row : rows) {
    std::cout << std::left << std::setw(44) << row.model_class.name() << " "
              << (row.case_id.empty() ? "(no case)" : row.case_id) << "\n";
    uncovered += row.case_id.empty() ? 1 : 0;
  }
  std::cout << rows.size() << " classes, " << rows.size() - static_cast<std::size_t>(uncovered)
            << " covered by a case\n";
  return uncovered == 0 ? exit_pass : exit_failed;
}

// The live set (live_set.hpp): each request, the cases its answers feed, and the count.
int list_live_set() {
  for (const auto &id : live_set_requests()) {
    std::string cases;
    for (const auto &c : case_table()) {
      if (in_live_set(c) &&
          std::find(c.requests.begin(), c.requests.end(), id) != c.requests.end()) {
        cases += (cases.empty() ? "" : ", ") + c.id;
      }
    }
    std::cout << std::left << std::setw(34) << id << " " << cases << "\n";
  }
  std::cout << live_set_requests().size()
            << " requests: the fewest that catch every deviation of conformance/deviations/\n";
  return exit_pass;
}

int list_cases() {
  for (const auto &c : case_table()) {
    std::string tags;
    for (const auto &tag : tags_of(c)) {
      tags += "[" + tag + "]";
    }
    std::cout << std::left << std::setw(32) << c.id << " " << std::setw(6) << to_string(c.level)
              << " " << std::setw(18) << tags << " " << c.name << "\n"
              << std::string(33, ' ') << "spec: " << c.spec << "\n";
  }
  return exit_pass;
}

std::string report_text(const RunOptions &options, const Results &results, const RunSummary &run) {
  switch (options.reporter) {
  case Reporter::junit:
    return junit_report(results, run);
  case Reporter::xml:
    return xml_report(results, run);
  case Reporter::json:
    return json_report(results, run);
  case Reporter::console:
  case Reporter::compact:
    break;
  }
  return console_report(
      results, run,
      {options.reporter == Reporter::compact, options.show_successes, options.durations});
}

// The patch over the base set (embedded or --fixtures), so that it carries the
// --fixture-patch in use too: one patch reproduces what the target answers.
std::string fixture_patch_text(const RunOptions &options, const DriftReport &drift,
                               const std::string &target) {
  auto patch = drift.patch;
  if (!options.fixture_patch.empty()) {
    patch = inspekt::mock::read_fixture_patch(options.fixture_patch).patch;
    merge_fragment(patch, drift.patch);
  }
  const std::string description =
      "drift of " + target + " from " +
      (options.fixtures_dir.empty() ? "the embedded default set" : options.fixtures_dir);
  return nlohmann::json{{"description", description}, {"patch", patch}}.dump(2) + "\n";
}

int run(const RunOptions &options) {
  // Before any request: a run against the live service is not repeated lightly.
  for (const auto *path : {&options.out_file, &options.summary_json}) {
    if (!path->empty()) {
      if (const auto problem = check_writable(*path)) {
        std::cerr << program << *problem << "\n";
        return exit_usage;
      }
    }
  }
  if (!options.write_fixture_patch.empty()) {
    if (const auto problem = check_writable(options.write_fixture_patch)) {
      std::cerr << program << "--write-fixture-patch: " << *problem << "\n";
      return exit_usage;
    }
  }
  auto planned = plan_run(options, process_environment());
  if (!planned.plan) {
    std::cerr << program << planned.error << "\n";
    return exit_usage;
  }
  auto &plan = *planned.plan;
  std::istringstream announcement(plan.announcement);
  for (std::string line; std::getline(announcement, line);) {
    std::cerr << program << line << "\n";
  }
  Target target(plan.target, plan.keys);
  if (const auto &problem = target.client_error()) {
    std::cerr << program << *problem << "\n";
    return exit_usage;
  }

  RunSummary summary;
  summary.target = target.base_url();
  summary.live = target.live();
  summary.strict = options.strict;
  summary.started = std::chrono::system_clock::now();
  const auto start = std::chrono::steady_clock::now();
  if (const auto unreachable =
          options.explore > 0 ? std::nullopt : first_contact(target, plan.cases)) {
    std::cerr << program << "[" << unreachable->id << "] " << target.base_url() << ": "
              << unreachable->problem << "; no case was run\n";
    return exit_unreachable;
  }
  Results results;
  std::deque<ConformanceCase> explored; // the cases --explore makes; results points at them
  if (options.explore > 0) {
    run_exploration(target, {options.explore, options.seed, ::isatty(2) == 1}, explored, results);
  } else {
    for (const ConformanceCase *test_case : plan.cases) {
      run_case(target, *test_case, results);
    }
  }
  summary.requests_sent = target.requests_sent();
  if (wants_drift(options)) {
    summary.drift = measure_drift(target, plan.drift_fixtures);
  }
  summary.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);

  // A machine report on stdout keeps stdout to itself; the table then goes to stderr.
  const bool machine = options.reporter == Reporter::junit || options.reporter == Reporter::xml ||
                       options.reporter == Reporter::json;
  const std::string report = report_text(options, results, summary);
  int code = results.exit_code(options.strict);
  if (!options.out_file.empty()) {
    if (const auto problem = write_file_whole(options.out_file, report)) {
      std::cerr << program << *problem << "\n";
      code = exit_usage;
    }
    if (machine) {
      std::cout << console_report(results, summary,
                                  {false, options.show_successes, options.durations});
    }
  } else {
    std::cout << report << std::flush;
    if (machine) {
      std::cerr << console_report(results, summary, {true, false, false});
    }
  }
  if (!options.summary_json.empty()) {
    if (const auto problem =
            write_file_whole(options.summary_json, json_report(results, summary))) {
      std::cerr << program << *problem << "\n";
      code = exit_usage;
    }
  }
  if (!options.write_fixture_patch.empty()) {
    const auto &path = options.write_fixture_patch;
    if (const auto problem = write_file_whole(
            path, fixture_patch_text(options, *summary.drift, target.base_url()))) {
      std::cerr << program << "--write-fixture-patch: " << *problem << "\n";
      code = exit_usage;
    } else {
      // Beside the verdict table: stdout, unless a report has it to itself.
      (machine && options.out_file.empty() ? std::cerr : std::cout)
          << "drift: fixture patch written to " << path
          << " (apply it with: inspekt-mock --fixture-patch " << path << ")\n";
    }
  }
  return code;
}

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
    return options.coverage ? list_coverage() : options.live ? list_live_set() : list_cases();
  }
  try {
    return run(options);
  } catch (const std::exception &e) {
    std::cerr << program << "internal error: " << e.what() << "\n";
    return exit_failed;
  }
}
