#include "live_set.hpp"

#include <algorithm>

namespace inspekt::conformance {

bool in_live_set(const std::string &request_id) {
  const auto &ids = live_set_requests();
  return std::find(ids.begin(), ids.end(), request_id) != ids.end();
}

bool live_eligible(const ConformanceCase &test_case) {
  return std::all_of(test_case.requests.begin(), test_case.requests.end(), [](const auto &id) {
    const auto &spec = request_spec(id);
    return spec.reach == Reach::doc || spec.point != nullptr;
  });
}

bool in_live_set(const ConformanceCase &test_case) {
  return !test_case.requests.empty() &&
         std::all_of(test_case.requests.begin(), test_case.requests.end(),
                     [](const auto &id) { return in_live_set(std::string(id)); });
}

} // namespace inspekt::conformance
