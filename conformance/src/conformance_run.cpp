// The run of inspekt-conformance from parsed options to reports: plan (run_plan.hpp),
// cases (runner.hpp) or exploration (explore_run.hpp), drift (drift.hpp), and reports
// (report.hpp). The program's main only parses the command line.

#include "conformance_run.hpp"

#include "explore_run.hpp"
#include "live_set.hpp"
#include "model/model_cases.hpp"
#include "report.hpp"
#include "run_plan.hpp"
#include "runner.hpp"

#include "inspekt/core/cli_errors.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"

#include <algorithm>
#include <deque>
#include <iomanip>
#include <sstream>

namespace inspekt::conformance {
namespace {

constexpr const char *program = "inspekt-conformance: ";

int list_coverage(Reporter reporter, std::ostream &out) {
  const auto rows = model::coverage(case_table());
  int uncovered = 0;
  if (reporter == Reporter::json) {
    // For tests/deviation_test.py: which cases a deviation of a class may fail.
    auto classes = nlohmann::json::array();
    for (const auto &row : rows) {
      classes.push_back({{"class", row.model_class.name()},
                         {"case", row.case_id},
                         {"cases_in_class", row.cases_in_class}});
      uncovered += row.case_id.empty() ? 1 : 0;
    }
    out << nlohmann::json{{"classes", classes}}.dump(1) << "\n";
    return uncovered == 0 ? exit_pass : exit_failed;
  }
  for (const auto &row : rows) {
    out << std::left << std::setw(44) << row.model_class.name() << " "
        << (row.case_id.empty() ? "(no case)" : row.case_id) << "\n";
    uncovered += row.case_id.empty() ? 1 : 0;
  }
  out << rows.size() << " classes, " << rows.size() - static_cast<std::size_t>(uncovered)
      << " covered by a case\n";
  return uncovered == 0 ? exit_pass : exit_failed;
}

// The live set (live_set.hpp): each request, the cases its answers feed, and the count.
int list_live_set(std::ostream &out) {
  for (const auto &id : live_set_requests()) {
    std::string cases;
    for (const auto &c : case_table()) {
      if (in_live_set(c) &&
          std::find(c.requests.begin(), c.requests.end(), id) != c.requests.end()) {
        cases += (cases.empty() ? "" : ", ") + c.id;
      }
    }
    out << std::left << std::setw(34) << id << " " << cases << "\n";
  }
  out << live_set_requests().size()
      << " requests: the fewest that catch every deviation of conformance/deviations/ but "
         "those whose not_live says why\n";
  return exit_pass;
}

int list_cases(std::ostream &out) {
  for (const auto &c : case_table()) {
    std::string tags;
    for (const auto &tag : tags_of(c)) {
      tags += "[" + tag + "]";
    }
    out << std::left << std::setw(32) << c.id << " " << std::setw(6) << to_string(c.level) << " "
        << std::setw(18) << tags << " " << c.name << "\n"
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

// The reports a run asked for (the table or a machine report, --out, --summary-json,
// --write-fixture-patch); returns the run's exit code, exit_usage when one could not be
// written.
int write_reports(const RunOptions &options, const Results &results, const RunSummary &summary,
                  const std::string &target, const RunStreams &streams) {
  std::ostream &out = streams.out;
  std::ostream &err = streams.err;
  // A machine report on stdout keeps stdout to itself; the table then goes to stderr.
  const bool machine = options.reporter == Reporter::junit || options.reporter == Reporter::xml ||
                       options.reporter == Reporter::json;
  const std::string report = report_text(options, results, summary);
  int code = results.exit_code(options.strict);
  if (!options.out_file.empty()) {
    if (const auto problem = write_file_whole(options.out_file, report)) {
      err << program << *problem << "\n";
      code = exit_usage;
    }
    if (machine) {
      out << console_report(results, summary, {false, options.show_successes, options.durations});
    }
  } else {
    out << report << std::flush;
    if (machine) {
      err << console_report(results, summary, {true, false, false});
    }
  }
  if (!options.summary_json.empty()) {
    if (const auto problem =
            write_file_whole(options.summary_json, json_report(results, summary))) {
      err << program << *problem << "\n";
      code = exit_usage;
    }
  }
  if (!options.write_fixture_patch.empty()) {
    const auto &path = options.write_fixture_patch;
    if (const auto problem =
            write_file_whole(path, fixture_patch_text(options, *summary.drift, target))) {
      err << program << "--write-fixture-patch: " << *problem << "\n";
      code = exit_usage;
    } else {
      // Beside the verdict table: stdout, unless a report has it to itself.
      (machine && options.out_file.empty() ? err : out)
          << "drift: fixture patch written to " << path
          << " (apply it with: inspekt-mock --fixture-patch " << path << ")\n";
    }
  }
  return code;
}

} // namespace

int run_listing(const RunOptions &options, std::ostream &out) {
  return options.coverage ? list_coverage(options.reporter, out)
         : options.live   ? list_live_set(out)
                          : list_cases(out);
}

int run_conformance(const RunOptions &options, const RunStreams &streams) {
  std::ostream &err = streams.err;
  // Before any request: a run against the live service is not repeated lightly.
  for (const auto *path : {&options.out_file, &options.summary_json}) {
    if (!path->empty()) {
      if (const auto problem = check_writable(*path)) {
        err << program << *problem << "\n";
        return exit_usage;
      }
    }
  }
  if (!options.write_fixture_patch.empty()) {
    if (const auto problem = check_writable(options.write_fixture_patch)) {
      err << program << "--write-fixture-patch: " << *problem << "\n";
      return exit_usage;
    }
  }
  auto planned = plan_run(options, process_environment());
  if (!planned.plan) {
    err << program << planned.error << "\n";
    return exit_usage;
  }
  auto &plan = *planned.plan;
  std::istringstream announcement(plan.announcement);
  for (std::string line; std::getline(announcement, line);) {
    err << program << line << "\n";
  }
  Target target(plan.target, plan.keys);
  if (const auto &problem = target.client_error()) {
    err << program << *problem << "\n";
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
    err << program << "[" << unreachable->id << "] " << target.base_url() << ": "
        << unreachable->problem << "; no case was run\n";
    return exit_unreachable;
  }
  Results results;
  std::deque<ConformanceCase> explored; // the cases --explore makes; results points at them
  if (options.explore > 0) {
    run_exploration(target, {options.explore, options.seed, streams.err_is_terminal}, explored,
                    results);
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

  return write_reports(options, results, summary, target.base_url(), streams);
}

} // namespace inspekt::conformance
