#include "inspekt/mock/handler/mock_state.hpp"

namespace inspekt::mock {
namespace {

// Chaos draws from a generator of its own, seeded from --seed when given.
std::optional<std::uint64_t> chaos_seed(std::optional<std::uint64_t> seed) {
  if (!seed) {
    return std::nullopt;
  }
  return *seed ^ 0x6368616f73ULL; // "chaos"
}

} // namespace

MockState::MockState(const DeterminismOptions &determinism)
    : clock(determinism.now_epoch_seconds), entropy(determinism.seed),
      chaos(chaos_seed(determinism.seed)) {}

} // namespace inspekt::mock
