#include "explore_run.hpp"

#include "model/explore.hpp"

#include <cstdio>

namespace inspekt::conformance {

std::string explore_refusal(std::uint64_t count, bool live, bool explore_live,
                            std::optional<int> max_requests) {
  if (!live) {
    return {};
  }
  if (!explore_live) {
    return "--explore sends many requests, so it is for the mock: against a live target it "
           "needs --explore-live too, and N within the request budget";
  }
  if (max_requests && count > static_cast<std::uint64_t>(*max_requests)) {
    return "--explore " + std::to_string(count) + " does not fit the live request budget of " +
           std::to_string(*max_requests) + " (--max-requests)";
  }
  return {};
}

void run_exploration(Target &target, const ExploreOptions &options,
                     std::deque<ConformanceCase> &cases, Results &results) {
  const auto start = std::chrono::steady_clock::now();
  const auto progress = [&options](std::uint64_t done) {
    if (options.progress) {
      std::fprintf(stderr, "\rexplore: %llu of %llu points", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(options.count));
      std::fflush(stderr);
    }
  };
  const auto explored = model::explore(
      options.count, options.seed,
      [&target](const model::Point &p) { return target.send_model(p); }, progress);
  if (options.progress) {
    std::fprintf(stderr, "\r%60s\r", "");
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  const std::string url = target.base_url();
  int n = 0;
  for (const auto &finding : explored.findings) {
    ConformanceCase &c = cases.emplace_back();
    c.id = "explore-" + std::to_string(++n);
    c.name = "explored: " + model::describe(finding.shrunk) + " (found as " +
             model::describe(finding.found) + ")";
    c.spec = std::string(finding.expected.spec);
    c.level = finding.judgement.level;
    c.reach = Reach::mock_only;
    c.origin = Origin::model;
    results.record(c, Verdict::fail,
                   target.redact(finding.judgement.observed + "; shrunk in " +
                                 std::to_string(finding.shrink_requests) +
                                 " requests; reproduce: " + model::curl_line(finding.shrunk, url)));
  }
  if (explored.transport_errors > 0) {
    ConformanceCase &c = cases.emplace_back();
    c.id = "explore-no-answer";
    c.name = "every explored request gets an HTTP answer (no crash, no hang)";
    c.spec = model::spec_400;
    c.level = Level::must;
    c.reach = Reach::mock_only;
    c.origin = Origin::model;
    results.record(
        c, Verdict::fail,
        target.redact(std::to_string(explored.transport_errors) +
                      " requests got no answer; the first: " + explored.first_transport_error));
  }
  ConformanceCase &summary = cases.emplace_back();
  summary.id = "explore";
  summary.name = "what --explore sent";
  summary.spec = "the request model (docs/conformance.md)";
  summary.level = Level::info;
  summary.reach = Reach::mock_only;
  summary.origin = Origin::model;
  results.record(summary, Verdict::info,
                 std::to_string(explored.points) + " points from seed " +
                     std::to_string(options.seed) + ", " + std::to_string(explored.disagreements) +
                     " disagreed with the oracle (" + std::to_string(explored.findings.size()) +
                     " distinct, shrunk), " + std::to_string(explored.requests) + " requests",
                 elapsed);
}

} // namespace inspekt::conformance
