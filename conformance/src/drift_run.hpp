#pragma once
// --drift within one run of the suite: main() says which fixture files are in use, the
// Catch2 test case "drift" (hidden, tag [drift], run after the cases) measures it once
// so that the reporters (JUnit included) show it, and main() prints and writes it.

#include "drift.hpp"
#include "run_context.hpp"

#include <optional>
#include <string>
#include <vector>

namespace inspekt::conformance {

struct DriftRun {
  bool enabled = false;
  std::vector<mock::FixtureFile> fixture_files; // the set in use
  std::optional<DriftReport> report;            // measured once, after the cases
};

DriftRun &drift_run();

// The report, measured on first call from the exchanges the target has recorded.
const DriftReport &drift_report();

// The Catch2 test spec that adds the drift test case to whatever the run selects.
void select_drift_case(std::vector<std::string> &test_specs);

} // namespace inspekt::conformance
