// The suite as Catch2 sees it: the case table, run with generators. [doc] cases are
// safe against the live service; [mock-only] cases are refused there.

#include "run_context.hpp"

#include <catch2/catch.hpp>

namespace inspekt::conformance {
namespace {

std::vector<std::size_t> indices(bool mock_only) {
  std::vector<std::size_t> out;
  const auto &cases = case_table();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].mock_only == mock_only) {
      out.push_back(i);
    }
  }
  return out;
}

} // namespace

TEST_CASE("documented behaviour of POST /api/authenticate", "[doc]") {
  const auto index = GENERATE(from_range(indices(false)));
  const auto &test_case = case_table()[index];
  DYNAMIC_SECTION(test_case.level << " " << test_case.id << ": " << test_case.name) {
    run_case(test_case);
  }
}

TEST_CASE("hostile input and load, against a mock only", "[mock-only]") {
  const auto index = GENERATE(from_range(indices(true)));
  const auto &test_case = case_table()[index];
  DYNAMIC_SECTION(test_case.level << " " << test_case.id << ": " << test_case.name) {
    run_case(test_case);
  }
}

} // namespace inspekt::conformance
