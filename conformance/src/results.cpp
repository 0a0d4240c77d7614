#include "results.hpp"

#include "live_set.hpp"

#include <algorithm>

namespace inspekt::conformance {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
  case Verdict::pass:
    return "pass";
  case Verdict::fail:
    return "FAIL";
  case Verdict::skip:
    return "skip";
  case Verdict::info:
    return "info";
  }
  return "?";
}

void Results::record(const ConformanceCase &test_case, Verdict verdict, std::string observed,
                     std::chrono::microseconds duration, std::optional<Level> failed_at) {
  const auto it = std::find_if(results_.begin(), results_.end(),
                               [&](const CaseResult &r) { return r.test_case == &test_case; });
  const Level level = verdict == Verdict::fail && failed_at && *failed_at < test_case.level
                          ? *failed_at
                          : test_case.level;
  CaseResult result{&test_case, verdict, std::move(observed), duration, level};
  if (it != results_.end()) {
    *it = std::move(result);
  } else {
    results_.push_back(std::move(result));
  }
}

int Results::count(Verdict verdict, std::optional<Level> level) const {
  return static_cast<int>(std::count_if(results_.begin(), results_.end(), [&](const CaseResult &r) {
    return r.verdict == verdict && (!level || r.level == *level);
  }));
}

nlohmann::json Results::to_json() const {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto &r : results_) {
    cases.push_back({{"id", r.test_case->id},
                     {"level", to_string(r.level)},
                     {"mock_only", r.test_case->mock_only()},
                     {"requests", r.test_case->requests},
                     {"live_eligible", live_eligible(*r.test_case)},
                     {"verdict", to_string(r.verdict)},
                     {"observed", r.observed}});
  }
  return {{"cases", cases}};
}

bool Results::failed(Level level) const {
  return std::any_of(results_.begin(), results_.end(), [level](const CaseResult &r) {
    return r.verdict == Verdict::fail && r.level == level;
  });
}

int Results::exit_code(bool strict) const {
  return failed(Level::must) || (strict && failed(Level::should)) ? 1 : 0;
}

} // namespace inspekt::conformance
