#include "inspekt/mock/key_store.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
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

namespace {

// One digest context per thread, on a SHA-256 fetched once: SHA256() fetches the
// algorithm and allocates a context on every call, which was a quarter of the start
// time with 100,000 keys.
class Sha256 {
public:
  Sha256() : context_(EVP_MD_CTX_new()) {}
  ~Sha256() { EVP_MD_CTX_free(context_); }
  Sha256(const Sha256 &) = delete;
  Sha256 &operator=(const Sha256 &) = delete;

  bool digest(std::string_view bytes, unsigned char *out) {
    static EVP_MD *const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned int length = 0;
    return sha256 != nullptr && context_ != nullptr &&
           EVP_DigestInit_ex2(context_, sha256, nullptr) == 1 &&
           EVP_DigestUpdate(context_, bytes.data(), bytes.size()) == 1 &&
           EVP_DigestFinal_ex(context_, out, &length) == 1;
  }

private:
  EVP_MD_CTX *context_;
};

} // namespace

KeyStore::Digest KeyStore::digest(std::string_view key) {
  Digest d{};
  thread_local Sha256 sha256;
  if (!sha256.digest(key, d.data())) {
    SHA256(reinterpret_cast<const unsigned char *>(key.data()), key.size(), d.data());
  }
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
