#pragma once
// Planning a run: which target (a URL, or a mock started in this process), whether it
// is the live service, with which keys, which cases, and how politely. The live-safety
// numbers (request budget, pause between requests) are owned here and nowhere else.

#include "case_table.hpp"
#include "run_options.hpp"
#include "target.hpp"

#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {
class BackgroundMockServer;
}

namespace inspekt::conformance {

// A live target gets at most this many requests (--max-requests may lower or raise
// it) and at least this pause between two (--min-interval-ms may only raise it).
inline constexpr int live_max_requests = 64;
inline constexpr std::chrono::milliseconds live_min_interval{250};

// Reads an environment variable; empty counts as unset. Tests pass their own.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment process_environment();

struct CaseSelection {
  std::vector<const ConformanceCase *> cases; // in table order
  std::string error;                          // an unknown id or tag; cases is then empty
};

// --case, --tag and the positional specs, or by default every case (live: [doc] ones).
// A mock-only case asked for by name stays selected on a live target: the run shows it
// refused, never sent.
CaseSelection select_cases(const RunOptions &options, bool live);

// --drift, or --write-fixture-patch (which implies it).
bool wants_drift(const RunOptions &options);

struct RunPlan {
  std::unique_ptr<mock::BackgroundMockServer> in_process; // when no --base-url
  TargetOptions target;
  Keys keys;
  std::vector<const ConformanceCase *> cases;
  std::string announcement; // said before any case runs (live target, a URL that holds
                            // the endpoint path); may be empty
  std::vector<mock::FixtureFile> drift_fixtures; // with --drift: the set in use

  RunPlan();
  RunPlan(RunPlan &&) noexcept;
  RunPlan &operator=(RunPlan &&) noexcept;
  ~RunPlan();
};

struct PlanResult {
  std::optional<RunPlan> plan;
  std::string error; // a usage error, when there is no plan
};

// Everything a run needs before its first request; starts the in-process mock when no
// --base-url is given.
PlanResult plan_run(const RunOptions &options, const Environment &environment);

} // namespace inspekt::conformance
