#include "results.hpp"

#include <algorithm>
#include <iomanip>
#include <map>

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

void Results::record(const ConformanceCase &test_case, Verdict verdict, std::string observed) {
  // Catch2 may enter a section more than once; the last run of a case is its verdict.
  const auto it = std::find_if(results_.begin(), results_.end(),
                               [&](const CaseResult &r) { return r.test_case == &test_case; });
  if (it != results_.end()) {
    *it = {&test_case, verdict, std::move(observed)};
  } else {
    results_.push_back({&test_case, verdict, std::move(observed)});
  }
}

void Results::print_table(std::ostream &out) const {
  std::size_t width = 4;
  for (const auto &r : results_) {
    width = std::max(width, r.test_case->id.size());
  }
  out << "\n"
      << std::left << std::setw(static_cast<int>(width)) << "case"
      << "  level   verdict  observed\n";
  std::map<std::string, std::map<Verdict, int>> counts;
  for (const auto &r : results_) {
    const bool show = r.verdict != Verdict::pass;
    out << std::left << std::setw(static_cast<int>(width)) << r.test_case->id << "  "
        << std::setw(6) << to_string(r.test_case->level) << "  " << std::setw(7)
        << to_string(r.verdict) << "  " << (show ? r.observed : "") << "\n";
    ++counts[std::string(to_string(r.test_case->level))][r.verdict];
  }
  out << "\n";
  for (const auto level : {Level::must, Level::should, Level::info}) {
    const auto &c = counts[std::string(to_string(level))];
    const auto get = [&c](Verdict v) {
      const auto it = c.find(v);
      return it == c.end() ? 0 : it->second;
    };
    out << to_string(level) << ": " << get(Verdict::pass) << " pass, " << get(Verdict::fail)
        << " FAIL, " << get(Verdict::skip) << " skip";
    if (level == Level::info) {
      out << ", " << get(Verdict::info) << " observed";
    }
    out << (level == Level::info ? "\n" : "; ");
  }
}

nlohmann::json Results::to_json() const {
  nlohmann::json cases = nlohmann::json::array();
  for (const auto &r : results_) {
    cases.push_back({{"id", r.test_case->id},
                     {"level", to_string(r.test_case->level)},
                     {"mock_only", r.test_case->mock_only},
                     {"verdict", to_string(r.verdict)},
                     {"observed", r.observed}});
  }
  return {{"cases", cases}};
}

bool Results::failed(Level level) const {
  return std::any_of(results_.begin(), results_.end(), [level](const CaseResult &r) {
    return r.verdict == Verdict::fail && r.test_case->level == level;
  });
}

int Results::exit_code(bool strict) const {
  return failed(Level::must) || (strict && failed(Level::should)) ? 1 : 0;
}

} // namespace inspekt::conformance
