#pragma once
// --explore: seeded points of the request model, each judged by the oracle; a point the
// server answers otherwise is shrunk by delta debugging (Zeller and Hildebrandt, 2002)
// to the smallest request that still fails the same way: fewer members, simpler
// values (shorter texts, simpler types), plainer framing and shape.

#include "oracle.hpp"
#include "raw_http.hpp"
#include "request_model.hpp"

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace inspekt::conformance::model {

// A random point: each dimension keeps the plain login's value half the time, so that
// combinations of a few changes (the ones a fixed case does not make) come often.
Point random_point(std::mt19937_64 &random);

struct Finding {
  Point found;         // as met
  Point shrunk;        // the smallest request that still fails the same way
  Judgement judgement; // of the shrunk point
  Expectation expected;
  int shrink_requests = 0;
};

struct ExploreResult {
  std::uint64_t points = 0;   // judged
  std::uint64_t requests = 0; // sent, shrinking included
  std::uint64_t disagreements = 0;
  std::uint64_t transport_errors = 0; // no answer at all (a hang or a crash)
  std::vector<Finding> findings;      // one per distinct failure (level, status, rule)
  std::string first_transport_error;
};

// Sends `count` points from `seed` through `send`; at most `max_findings` distinct
// failures are shrunk. `progress(done)` is called now and then.
using Send = std::function<WireResult(const Point &)>;
ExploreResult explore(std::uint64_t count, std::uint64_t seed, const Send &send,
                      const std::function<void(std::uint64_t)> &progress,
                      std::size_t max_findings = 8);

// Shrinks a failing point; `fails(p)` says whether p still fails the same way.
Point shrink(Point point, const std::function<bool(const Point &)> &fails, int &tries);

} // namespace inspekt::conformance::model
