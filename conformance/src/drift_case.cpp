// The drift as a Catch2 test case, so that every reporter shows it: one section per
// aspect, a differing aspect a failed check inside a [!mayfail] case. In JUnit that is
// a <testcase> with <skipped> and a <failure> naming fixtures and target values, and
// the table in <system-out>; it never changes the run's exit code.

#include "drift_run.hpp"

#include <catch2/catch.hpp>

#include <iostream>

namespace inspekt::conformance {

DriftRun &drift_run() {
  static DriftRun run;
  return run;
}

const DriftReport &drift_report() {
  auto &run = drift_run();
  if (!run.report) {
    run.report = measure_drift(*run_context().target, run.fixture_files);
  }
  return *run.report;
}

void select_drift_case(std::vector<std::string> &test_specs) {
  // Catch2 joins the entries with "and"; a comma is "or".
  if (test_specs.empty()) {
    test_specs.push_back("~[.]"); // what runs without a test spec
  }
  test_specs.back() += ",[drift]";
}

// Declared after the cases (cases_test.cpp is linked first) and run in declaration
// order, so every case has sent its requests by then.
TEST_CASE("drift: the target beside the fixtures in use", "[.][drift][!mayfail]") {
  const auto &report = drift_report();
  for (const auto &row : report.rows) {
    DYNAMIC_SECTION("drift " << row.aspect) {
      if (row.verdict == DriftVerdict::drift || row.verdict == DriftVerdict::unpatchable) {
        FAIL_CHECK(to_string(row.verdict) << ": " << row.aspect << ": fixtures " << row.fixtures
                                          << ", target " << row.target);
      } else {
        SUCCEED(to_string(row.verdict) << ": " << row.aspect << ": " << row.target);
      }
    }
  }
}

} // namespace inspekt::conformance
