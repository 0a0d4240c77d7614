#pragma once
// Randomness for ids and tokens. It can be pinned (--seed; and the clock with --now,
// clock.hpp) so that the same requests give byte-identical answers, for users'
// snapshot tests.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace inspekt::mock {

// The seed of one replica (--instance NAME): replicas started with the same --seed issue
// distinct session and token ids (docs/deployment.md), and each repeats its
// own from run to run. An empty name leaves the seed as it is, so that a single mock's
// --seed gives the ids it always gave. No seed: nothing to mix, ids are random anyway.
std::optional<std::uint64_t> seed_for_instance(std::optional<std::uint64_t> seed,
                                               std::string_view instance);

class Entropy {
public:
  // Without a seed the generator starts from std::random_device.
  explicit Entropy(std::optional<std::uint64_t> seed = std::nullopt);

  std::uint64_t next();
  // Back to the first draw of its seed, as when it was made (the admin API's reset);
  // without a seed there is no sequence to go back to and nothing changes.
  void restart();
  std::string digits(int count);
  std::string hex(int count);
  std::string uuid(); // RFC 9562 version 4 layout

  // The same draws, written into the caller's text instead of a string of their own.
  void append_digits(std::string &out, int count);
  void append_hex(std::string &out, int count);
  static constexpr std::size_t uuid_size = 36;
  void write_uuid(char (&out)[uuid_size]);

private:
  std::mutex mutex_;
  std::optional<std::uint64_t> seed_;
  std::mt19937_64 engine_;
};

} // namespace inspekt::mock
