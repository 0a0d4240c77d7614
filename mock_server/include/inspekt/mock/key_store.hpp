#pragma once
// The API keys of a fixture set, looked up in constant time per key: the presented key
// is hashed (SHA-256) to find its slot and then compared with CRYPTO_memcmp, so the
// answer time does not tell an attacker how much of a guess was right.

#include "inspekt/mock/fixture_set.hpp"

#include <array>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace inspekt::mock {

class KeyStore {
public:
  explicit KeyStore(const std::vector<ApiKeyEntry> &keys);

  // The entry for `key`, or nullptr when the key is not listed.
  const ApiKeyEntry *find(std::string_view key) const;

  std::size_t size() const { return keys_.size(); }

private:
  using Digest = std::array<unsigned char, 32>;
  struct DigestHash {
    std::size_t operator()(const Digest &d) const;
  };
  static Digest digest(std::string_view key);

  std::vector<ApiKeyEntry> keys_;
  std::unordered_map<Digest, std::size_t, DigestHash> index_;
};

} // namespace inspekt::mock
