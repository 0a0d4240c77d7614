#pragma once
// The mock's one clock: `iat`/`exp`, session timestamps and quota windows all read it
// (docs/admin-api.md, the clock). It runs with the system clock, or stands still where
// `--now` put it; the admin API sets or advances it either way. Thread-safe.

#include "inspekt/mock/fixtures/fixture_set.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace inspekt::mock {

// The latest time the clock can show: the last second of the year 9999 (--now and the
// admin API keep it within 0..this, so that its milliseconds never overflow).
inline constexpr std::int64_t max_clock_seconds = 253402300799;

class Clock {
public:
  // With a fixed time the clock stands still there; otherwise it runs.
  explicit Clock(std::optional<std::int64_t> fixed_epoch_seconds = std::nullopt);

  std::int64_t now() const; // Unix seconds
  std::chrono::milliseconds now_ms() const;
  bool frozen() const { return initial_.has_value(); }

  // From now on the clock reads `epoch_seconds`, and stands still or runs on from there
  // as before.
  void set(std::int64_t epoch_seconds);
  void advance(std::chrono::milliseconds by);
  // Back to how it started.
  void reset();

private:
  std::optional<std::int64_t> initial_;
  // Frozen: the time it shows. Running: how far it is ahead of the system clock.
  std::atomic<std::int64_t> value_ms_{0};
};

// The system clock, in Unix seconds.
std::int64_t system_epoch_seconds();

// A warning when `--now` lies so far in the past that tokens are born expired: clients
// (and the conformance suite) that check `exp` refuse them. Nothing otherwise.
std::optional<std::string> born_expired_warning(std::int64_t fixed_now, std::int64_t real_now,
                                                const TokenSettings &tokens);

} // namespace inspekt::mock
