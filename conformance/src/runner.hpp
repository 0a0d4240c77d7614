#pragma once
// Runs the selected cases against the target, one after another, into Results. The
// first contact comes first: a target that cannot be reached or trusted stops the run
// before any case, in one line, instead of failing every case the same way.

#include "results.hpp"
#include "target.hpp"

#include <optional>
#include <string>
#include <vector>

namespace inspekt::conformance {

// Why this case is not sent to this target (a mock-only case against a live target, no
// expired key to try); empty when it is.
std::string reason_to_skip(Target &target, const ConformanceCase &test_case);

struct Unreachable {
  std::string id;      // "target.unreachable", "target.untrusted", "target.wrong-scheme" or
                       // "target.silent"
  std::string problem; // the client's description of the failure
};

// Sends the first request the cases will send (its answer is kept for them: this costs
// no request) and says whether the server could not be reached or trusted, or speaks
// TLS where the base URL says http.
std::optional<Unreachable> first_contact(Target &target,
                                         const std::vector<const ConformanceCase *> &cases);

// Runs one case and records its verdict: skip, pass, FAIL or info.
void run_case(Target &target, const ConformanceCase &test_case, Results &results);

} // namespace inspekt::conformance
