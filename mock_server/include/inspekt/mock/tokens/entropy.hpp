#pragma once
// Randomness and time for ids and tokens. Both can be pinned (--seed, --now) so that
// the same requests give byte-identical answers, for users' snapshot tests.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace inspekt::mock {

class Entropy {
public:
  // Without a seed the generator starts from std::random_device.
  explicit Entropy(std::optional<std::uint64_t> seed = std::nullopt);

  std::uint64_t next();
  std::string digits(int count);
  std::string hex(int count);
  std::string uuid(); // RFC 9562 version 4 layout

private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

class Clock {
public:
  // With a fixed time every call answers it; otherwise the system clock.
  explicit Clock(std::optional<std::int64_t> fixed_epoch_seconds = std::nullopt)
      : fixed_(fixed_epoch_seconds) {}

  std::int64_t now() const;

private:
  std::optional<std::int64_t> fixed_;
};

} // namespace inspekt::mock
