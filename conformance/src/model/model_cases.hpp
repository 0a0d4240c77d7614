#pragma once
// The fixed cases the request model generates: for every class, one point off the
// plain valid login in that class alone, judged by the oracle. A plain run sends them
// (never to a live target); `--list --coverage` shows which case covers which class.

#include "../case_table.hpp"
#include "request_model.hpp"

#include <string>
#include <vector>

namespace inspekt::conformance::model {

// The point that covers `c`: the valid login with `c`'s value (a text class makes its
// member a string; a member-type class gives the member a plain text).
Point covering_point(const ModelClass &c);

std::vector<RequestSpec> model_request_specs();
std::vector<ConformanceCase> model_cases();

// Each class and the id of a case whose request is in it ("" when none is).
struct Coverage {
  ModelClass model_class;
  std::string case_id;
};
std::vector<Coverage> coverage(const std::vector<ConformanceCase> &cases);

} // namespace inspekt::conformance::model
