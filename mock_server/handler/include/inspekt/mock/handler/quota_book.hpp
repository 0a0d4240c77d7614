#pragma once
// Sliding-window quotas (fixtures/README.md, `quota`): at most `limit` logins in any
// `window`. Each key with a quota keeps the times of its last `limit` logins in a ring,
// so a verdict is O(1); a login the quota refuses is not counted. At most `max_keys`
// keys' windows are kept: past that, windows that have run out are dropped first, then
// the least recently used. Thread-safe.

#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/fixtures/key_store.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace inspekt::mock {

struct QuotaVerdict {
  bool allowed = true;
  std::chrono::seconds retry_after{0}; // when refused: until a slot frees, rounded up
};

class QuotaBook {
public:
  explicit QuotaBook(std::size_t max_keys = 10000) : max_keys_(max_keys) {}

  // `key` identifies the key by its digest (so its window outlives a fixture reload);
  // `now` is the mock's clock. A quota whose limit changed starts a fresh window.
  QuotaVerdict admit(const KeyDigest &key, const Quota &quota, std::chrono::milliseconds now);
  // The logins `key` has in its window at `now`: the slots taken of quota.limit (0 for a
  // key not tracked, or whose quota changed since its last login).
  std::uint32_t in_use(const KeyDigest &key, const Quota &quota,
                       std::chrono::milliseconds now) const;
  void clear();
  std::size_t keys_tracked() const;

private:
  struct Window {
    std::vector<std::int64_t> times; // ring of login times (ms), oldest at `next` once full
    std::size_t next = 0;
    std::int64_t span_ms = 0;
    std::int64_t newest = 0;
    std::uint64_t last_use = 0;
    std::uint32_t limit = 0;
  };
  void make_room(std::int64_t now);

  mutable std::mutex mutex_;
  struct DigestHash {
    std::size_t operator()(const KeyDigest &d) const;
  };
  std::unordered_map<KeyDigest, Window, DigestHash> windows_;
  std::size_t max_keys_;
  std::uint64_t uses_ = 0;
};

} // namespace inspekt::mock
