#pragma once
// What each case concluded, for the summary table at the end of a run and its JSON
// form (--summary-json), which the deviation meta-test reads.

#include "case_table.hpp"

#include <nlohmann/json.hpp>

#include <mutex>
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
};

class Results {
public:
  // Keeps a pointer to `test_case`: an entry of case_table(), never a temporary.
  void record(const ConformanceCase &test_case, Verdict verdict, std::string observed);
  void record(ConformanceCase &&, Verdict, std::string) = delete;

  void print_table(std::ostream &out) const;
  nlohmann::json to_json() const;
  bool failed(Level level) const;
  bool empty() const { return results_.empty(); }
  // 1 when a MUST case failed, or a SHOULD case under --strict; else 0.
  int exit_code(bool strict) const;

private:
  std::vector<CaseResult> results_;
};

} // namespace inspekt::conformance
