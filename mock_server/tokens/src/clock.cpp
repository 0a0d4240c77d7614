#include "inspekt/mock/tokens/clock.hpp"

namespace inspekt::mock {
namespace {

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

Clock::Clock(std::optional<std::int64_t> fixed_epoch_seconds) : initial_(fixed_epoch_seconds) {
  reset();
}

std::chrono::milliseconds Clock::now_ms() const {
  const auto value = value_ms_.load(std::memory_order_relaxed);
  return std::chrono::milliseconds(frozen() ? value : system_ms() + value);
}

std::int64_t Clock::now() const {
  const auto ms = now_ms().count();
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); // floor, also before 1970
}

void Clock::set(std::int64_t epoch_seconds) {
  const auto target = epoch_seconds * 1000;
  value_ms_.store(frozen() ? target : target - system_ms(), std::memory_order_relaxed);
}

void Clock::advance(std::chrono::milliseconds by) {
  value_ms_.fetch_add(by.count(), std::memory_order_relaxed);
}

void Clock::reset() {
  value_ms_.store(initial_ ? *initial_ * 1000 : 0, std::memory_order_relaxed);
}

std::int64_t system_epoch_seconds() {
  return system_ms() / 1000;
}

std::optional<std::string> born_expired_warning(std::int64_t fixed_now, std::int64_t real_now,
                                                const TokenSettings &tokens) {
  const auto behind = real_now - fixed_now;
  std::string expired;
  for (const auto *kind : {&tokens.access, &tokens.refresh}) {
    // A lifetime of zero or less is a fixture's deliberate choice, not --now's doing.
    const auto lifetime = kind->lifetime.count();
    if (lifetime > 0 && behind >= lifetime) {
      expired += (expired.empty() ? "" : ", ") + kind->type + " tokens live " +
                 std::to_string(lifetime) + " s";
    }
  }
  if (expired.empty()) {
    return std::nullopt;
  }
  return "--now " + std::to_string(fixed_now) + " is " + std::to_string(behind) +
         " s in the past, longer than tokens live (" + expired +
         "): they are born expired, and clients that check exp refuse them. Fine for "
         "snapshots; for a conformance run or an app, leave --now out";
}

} // namespace inspekt::mock
