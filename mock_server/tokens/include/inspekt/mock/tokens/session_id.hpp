#pragma once
// Session ids in the fixture's format, e.g. the vendor's "in{digits:4}{timestamp}".

#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/tokens/entropy.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace inspekt::mock {

// "YYYYMMDDhhmmss" in UTC, the timestamp the vendor's session ids end with.
std::string compact_utc_timestamp(std::int64_t epoch_seconds);

// Every login gets a new session, but the vendor's format leaves only 10,000
// ids per second: independent random digits repeat within a few hundred logins. So the
// format's {digits:N} and {hex:N} parts together are a keyed permutation of a login
// counter: they look random and do not repeat for as many logins as they have values.
// Formats with more values than 2^62 are drawn at random ({uuid} always is): repeats
// there are as unlikely as uuid collisions.
class SessionIdGenerator {
public:
  // The permutation's key comes from `entropy`, so a seeded mock repeats its ids.
  SessionIdGenerator(SessionIdFormat format, Entropy &entropy);

  // Thread-safe.
  std::string next(Entropy &entropy, std::int64_t epoch_seconds);

  // How many ids in a row (within one timestamp) are distinct; 0 when past counting.
  std::uint64_t room() const { return room_; }

private:
  std::uint64_t permute(std::uint64_t value) const;

  SessionIdFormat format_;
  std::uint64_t room_ = 0;
  int bits_ = 0; // the smallest power of two >= room_
  std::array<std::uint64_t, 3> keys_{};
  std::atomic<std::uint64_t> counter_{0};
};

} // namespace inspekt::mock
