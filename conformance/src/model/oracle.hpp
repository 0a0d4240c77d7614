#pragma once
// The oracle: what the documented contract answers at any point of the request model,
// and which sentence says so. Written once; the generated cases and --explore both ask
// it. The order is the contract's: method (405), then the body as JSON (400), then
// key present and a non-empty string (400), client_id a string when present (400),
// then the key itself (401 unless valid), then 200.

#include "../case_table.hpp"
#include "request_model.hpp"

#include "inspekt/core/exchange.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace inspekt::conformance::model {

struct Expectation {
  int status = 200;
  // Answers that pass too: readings the page and the RFCs leave open (a BOM ignored or
  // refused, 501 for an unknown method, 400 rather than 401 for a key no one could hold).
  std::vector<int> tolerated;
  // Answers of a server lenient where the page is silent (a body without the JSON media
  // type read anyway): a SHOULD failure, not a MUST one.
  std::vector<int> lenient;
  // Of any other answer. SHOULD where the page is silent (a member twice). A 5xx is a
  // MUST failure whatever this says: the page documents none for any request.
  Level level = Level::must;
  std::string_view message; // what the answer's body says ("" for none)
  std::string_view spec;    // the sentence of the page (or the RFC) behind `status`
  std::string reason;       // the rule that decided: "key absent"
};

Expectation expect(const Point &point);

struct Judgement {
  bool pass = true;
  Level level = Level::must; // of the failure
  std::string observed;      // what was seen, and what was expected
};

// The answer against the expectation: status (then, for a 200, the login fields; for a
// 405, Allow: POST; for 400, 401 and 405, the message, at SHOULD).
Judgement judge(const Expectation &expected, const Point &point, const Exchange &answer);

// The spec sentences the oracle cites.
extern const char *const spec_400;
extern const char *const spec_401;
extern const char *const spec_405;
extern const char *const spec_200;
extern const char *const spec_media;

} // namespace inspekt::conformance::model
