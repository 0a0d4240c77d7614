#pragma once
// What each case concluded: the reports (report.hpp) and the exit code read it.

#include "case_table.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace inspekt::conformance {

enum class Verdict { pass, fail, skip, info };
std::string_view to_string(Verdict verdict);

struct CaseResult {
  const ConformanceCase *test_case = nullptr;
  Verdict verdict = Verdict::skip;
  std::string observed;
  std::chrono::microseconds duration{0};
  // The level the verdict counts at: the case's, or a graver one its check gave a
  // failure (CheckResult::failed_at).
  Level level = Level::must;
};

class Results {
public:
  // Keeps a pointer to `test_case`: an entry of case_table(), never a temporary.
  void record(const ConformanceCase &test_case, Verdict verdict, std::string observed,
              std::chrono::microseconds duration = {},
              std::optional<Level> failed_at = std::nullopt);
  void record(ConformanceCase &&, Verdict, std::string, std::chrono::microseconds = {},
              std::optional<Level> = std::nullopt) = delete;

  const std::vector<CaseResult> &cases() const { return results_; }
  // How many cases of `level` (any level when none) got `verdict`.
  int count(Verdict verdict, std::optional<Level> level = std::nullopt) const;
  nlohmann::json to_json() const;
  bool failed(Level level) const;
  bool empty() const { return results_.empty(); }
  // 1 when a MUST case failed, or a SHOULD case under --strict; else 0.
  int exit_code(bool strict) const;

private:
  std::vector<CaseResult> results_;
};

} // namespace inspekt::conformance
