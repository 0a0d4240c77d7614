#pragma once
// The control plane's state that outlives a fixture set (docs/admin-api.md):
// the one clock, the quotas' windows (kept by the key's digest), the token gate's
// revocations and the randomness. Every AuthHandler built from it shares it, so a reload or a
// runtime key swaps the set but not the time, the windows or the id sequence. Thread-safe.

#include "inspekt/mock/handler/quota_book.hpp"
#include "inspekt/mock/tokens/clock.hpp"
#include "inspekt/mock/tokens/entropy.hpp"
#include "inspekt/mock/tokens/token_revocations.hpp"

#include <cstdint>
#include <optional>

namespace inspekt::mock {

struct DeterminismOptions {
  std::optional<std::uint64_t> seed; // also makes chaos repeat for the same requests
  std::optional<std::int64_t> now_epoch_seconds;
};

struct MockState {
  explicit MockState(const DeterminismOptions &determinism = {});
  MockState(const MockState &) = delete;
  MockState &operator=(const MockState &) = delete;

  Clock clock;
  QuotaBook quotas;
  Entropy entropy; // session ids and tokens
  Entropy chaos;   // its own draws: chaos does not shift the ids of other logins
  // Which refresh token was issued for which key, and what was revoked since: a reload
  // keeps them (a revoked key's tokens stay refused), a reset clears them.
  TokenRevocations revocations;
};

} // namespace inspekt::mock
