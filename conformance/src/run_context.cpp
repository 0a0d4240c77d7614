#include "run_context.hpp"

#include <catch2/catch.hpp>

namespace inspekt::conformance {

RunContext &run_context() {
  static RunContext context;
  return context;
}

void run_case(const ConformanceCase &test_case) {
  auto &context = run_context();
  auto &target = *context.target;
  const auto skip = [&](const std::string &why) {
    context.results.record(test_case, Verdict::skip, why);
    WARN("skipped " << test_case.id << ": " << why);
  };
  if (test_case.mock_only && target.live()) {
    return skip("refused: mock-only cases never run against a live target");
  }
  if (test_case.needs_expired_key && !target.has_expired_key()) {
    return skip("no expired key to try: set INSPEKT_EXPIRED_KEY");
  }

  Observation seen;
  std::string problem;
  for (const auto &id : test_case.requests) {
    const auto &answers = target.answers(request_spec(id));
    if (!answers.not_sent.empty()) {
      return skip(answers.not_sent);
    }
    if (!answers.transport_error.empty()) {
      problem = "request " + id + ": " + answers.transport_error;
      break;
    }
    std::vector<const Exchange *> exchanges;
    for (const auto &exchange : answers.exchanges) {
      exchanges.push_back(&exchange);
    }
    seen.answers.push_back(std::move(exchanges));
  }
  const CheckResult result = problem.empty() ? test_case.check(seen) : CheckResult{false, problem};
  const std::string observed = target.redact(result.observed);
  INFO("spec: " << test_case.spec);

  if (test_case.level == Level::info) {
    context.results.record(test_case, Verdict::info, observed);
    SUCCEED("INFO " << test_case.id << ": " << observed);
  } else if (result.pass) {
    context.results.record(test_case, Verdict::pass, observed);
    SUCCEED(observed);
  } else {
    context.results.record(test_case, Verdict::fail, observed);
    if (test_case.level == Level::must || context.strict) {
      FAIL_CHECK(test_case.level << " " << test_case.id << ": " << observed);
    } else {
      WARN("SHOULD not met, " << test_case.id << ": " << observed);
    }
  }
}

} // namespace inspekt::conformance
