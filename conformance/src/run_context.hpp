#pragma once
// The state one run of the suite shares between main() and the Catch2 test cases:
// Catch2 test cases take no arguments, so main() sets this up before the session runs.

#include "results.hpp"
#include "target.hpp"

#include <memory>

namespace inspekt::conformance {

struct RunContext {
  std::unique_ptr<Target> target;
  Results results;
  bool strict = false;
};

RunContext &run_context();

// Runs one case against the target and reports it to Catch2 and to the results.
void run_case(const ConformanceCase &test_case);

} // namespace inspekt::conformance
