#include "live_set.hpp"

#include "model/request_model.hpp"

#include <algorithm>

namespace inspekt::conformance {

bool in_live_set(const std::string &request_id) {
  const auto &ids = live_set_requests();
  return std::find(ids.begin(), ids.end(), request_id) != ids.end();
}

bool live_eligible(const ConformanceCase &test_case) {
  return std::all_of(test_case.requests.begin(), test_case.requests.end(), [](const auto &id) {
    const auto &spec = request_spec(id);
    // The model's requests carry the valid key: to a live service only as a POST (the
    // table's GET, PUT, DELETE and PATCH never carry it).
    return spec.reach == Reach::doc ||
           (spec.point != nullptr && spec.point->method() == model::Method::post);
  });
}

bool in_live_set(const ConformanceCase &test_case) {
  return !test_case.requests.empty() &&
         std::all_of(test_case.requests.begin(), test_case.requests.end(),
                     [](const auto &id) { return in_live_set(std::string(id)); });
}

} // namespace inspekt::conformance
