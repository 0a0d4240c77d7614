#pragma once
// The live set: the fewest requests that catch every deviation of the project's corpus
// of broken servers (conformance/deviations/), within the live budget. Computed from the
// corpus by tests/deviation_test.py --live-set (a greedy set cover: each step takes the
// case that catches the most deviations not yet caught per request it adds) and kept
// in live_set_table.cpp, which conformance.meta.live-set holds to the corpus.
// A live run sends these requests and runs every case they answer (tag [live]).

#include "case_table.hpp"

#include <string>
#include <vector>

namespace inspekt::conformance {

// The request ids of the live set, as the corpus gives them.
const std::vector<std::string> &live_set_requests();

bool in_live_set(const std::string &request_id);
// Whether a live run may send every request of the case: [doc] requests and the model's
// POSTs, never the table's hostile ones (huge bodies, bursts, faults).
bool live_eligible(const ConformanceCase &test_case);
// A case the live set answers: all its requests are in it.
bool in_live_set(const ConformanceCase &test_case);

} // namespace inspekt::conformance
