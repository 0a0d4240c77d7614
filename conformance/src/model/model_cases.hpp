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

// Probes: POSTs that carry many classes at once, so that a live run within its budget
// reaches more of them (live_set.hpp). Each is the covering point of a class whose
// answer is 401 or 200, plus riders: one more class per dimension, each a class under
// which a valid login is answered 200 and which changes nothing the oracle expects of
// the probe (its status, what it tolerates, what it calls lenient). A server broken in
// a rider alone answers the probe otherwise than expected unless it answers exactly the
// probe's status; no probe expects 400, the status a broken rider is likeliest to give,
// or tolerates it.
struct Probe {
  ModelClass decides; // the class whose covering point the probe starts from
  Point point;
};
const std::vector<Probe> &probes();

std::vector<RequestSpec> model_request_specs();
std::vector<ConformanceCase> model_cases();

// Each class, the id of a case whose request is in it ("" when none is), and every
// case with a request that carries it (carries_class: what a deviation of that class
// alone may fail).
struct Coverage {
  ModelClass model_class;
  std::string case_id;
  std::vector<std::string> cases_in_class = {};
};
std::vector<Coverage> coverage(const std::vector<ConformanceCase> &cases);

} // namespace inspekt::conformance::model
