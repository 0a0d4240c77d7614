#include "inspekt/mock/key_store.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace inspekt::mock {

KeyStore::KeyStore(const std::vector<ApiKeyEntry> &keys) : keys_(keys) {
  index_.reserve(keys_.size());
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    index_.emplace(digest(keys_[i].key), i);
  }
}

std::size_t KeyStore::DigestHash::operator()(const Digest &d) const {
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

KeyStore::Digest KeyStore::digest(std::string_view key) {
  Digest d{};
  SHA256(reinterpret_cast<const unsigned char *>(key.data()), key.size(), d.data());
  return d;
}

const ApiKeyEntry *KeyStore::find(std::string_view key) const {
  const auto it = index_.find(digest(key));
  if (it == index_.end()) {
    return nullptr;
  }
  const ApiKeyEntry &entry = keys_[it->second];
  const bool same = entry.key.size() == key.size() &&
                    CRYPTO_memcmp(entry.key.data(), key.data(), key.size()) == 0;
  return same ? &entry : nullptr;
}

} // namespace inspekt::mock
