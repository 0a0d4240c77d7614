#pragma once
// A run of --explore N: the model's seeded points against the target, each disagreement
// with the oracle shrunk and reported as a case result with a copy-paste curl line
// (keys as placeholders). Mock-only unless --explore-live, and then within the budget.

#include "results.hpp"
#include "target.hpp"

#include <cstdint>
#include <deque>
#include <string>

namespace inspekt::conformance {

struct ExploreOptions {
  std::uint64_t count = 0;
  std::uint64_t seed = 1;
  bool progress = false; // on stderr (a terminal)
};

// Why --explore may not run against this target with these options; empty when it may.
std::string explore_refusal(std::uint64_t count, bool live, bool explore_live,
                            std::optional<int> max_requests);

// Runs the exploration; its cases (kept in `cases`, whose addresses `results` holds)
// are one per distinct failure, shrunk, and one INFO line that says what was explored.
void run_exploration(Target &target, const ExploreOptions &options,
                     std::deque<ConformanceCase> &cases, Results &results);

} // namespace inspekt::conformance
