// KeyStore: every listed key is found (with its digest), nothing else is, and the slot
// hash is SipHash-2-4 as its authors and OpenSSL compute it.

#include "inspekt/mock/fixtures/key_store.hpp"

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <string>
#include <vector>

using namespace inspekt::mock;
using detail::siphash_2_4;

namespace {

// The paper's key, 00 01 .. 0f, as its two little-endian words.
constexpr std::array<std::uint64_t, 2> paper_key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

std::string counting_bytes(std::size_t count) {
  std::string bytes;
  for (std::size_t i = 0; i < count; ++i) {
    bytes.push_back(static_cast<char>(i));
  }
  return bytes;
}

// OpenSSL's SipHash-2-4 with an 8-byte result (little-endian), as a second opinion.
std::uint64_t openssl_siphash(const std::array<std::uint64_t, 2> &key, std::string_view message) {
  const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(
      EVP_MAC_fetch(nullptr, "SIPHASH", nullptr), EVP_MAC_free);
  REQUIRE(mac != nullptr);
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> context(
      EVP_MAC_CTX_new(mac.get()), EVP_MAC_CTX_free);
  REQUIRE(context != nullptr);
  unsigned char key_bytes[16];
  for (int i = 0; i < 16; ++i) {
    key_bytes[i] = static_cast<unsigned char>(key[i / 8] >> (8 * (i % 8)));
  }
  unsigned int size = 8;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  REQUIRE(EVP_MAC_CTX_set_params(context.get(), params) == 1);
  REQUIRE(EVP_MAC_init(context.get(), key_bytes, sizeof key_bytes, nullptr) == 1);
  REQUIRE(EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char *>(message.data()),
                         message.size()) == 1);
  unsigned char out[8];
  std::size_t length = 0;
  REQUIRE(EVP_MAC_final(context.get(), out, &length, sizeof out) == 1);
  REQUIRE(length == 8);
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= std::uint64_t{out[i]} << (8 * i);
  }
  return value;
}

ApiKeyEntry entry(std::string key, AnswerId answer) {
  ApiKeyEntry e;
  e.key = std::move(key);
  e.answer = answer;
  return e;
}

} // namespace

TEST_CASE("the slot hash is SipHash-2-4", "[key_store]") {
  // The paper's example (appendix A): the 15 bytes 00 .. 0e under the key 00 .. 0f.
  CHECK(siphash_2_4(paper_key, counting_bytes(15)) == 0xa129ca6149be45e5ull);
  // Every length across two words, under two keys, as OpenSSL computes it.
  const std::array<std::uint64_t, 2> other_key{0x0123456789abcdefull, 0xfedcba9876543210ull};
  for (std::size_t length = 0; length <= 40; ++length) {
    std::string message = counting_bytes(length);
    for (auto &c : message) {
      c = static_cast<char>(c * 37 + 0xa5); // bytes above 0x7f too
    }
    INFO("length " << length);
    CHECK(siphash_2_4(paper_key, message) == openssl_siphash(paper_key, message));
    CHECK(siphash_2_4(other_key, message) == openssl_siphash(other_key, message));
  }
}

TEST_CASE("the key store finds the listed keys and nothing else", "[key_store]") {
  std::vector<ApiKeyEntry> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back(entry("key-" + std::to_string(i), static_cast<AnswerId>(i % 7)));
  }
  entries.push_back(entry(std::string("nul\0byte", 8), 3));
  entries.push_back(entry("twice", 1));
  entries.push_back(entry("twice", 2)); // a key listed twice: the first entry answers
  const KeyStore store(entries);
  CHECK(store.size() == entries.size());
  for (std::size_t i = 0; i + 1 < entries.size(); ++i) {
    const auto &listed = entries[i].key;
    INFO("key " << listed);
    KeyDigest digest{};
    const ApiKeyEntry *found = store.find(listed, &digest);
    REQUIRE(found != nullptr);
    CHECK(found->key == listed);
    CHECK(found->answer == entries[i].answer);
    CHECK(digest == key_digest(listed));
    CHECK(store.find(listed) == found);
  }
  CHECK(store.find("twice")->answer == 1);
  const std::vector<std::string> unlisted_keys{"",       "key-",    "key-3000",
                                               "key-1 ", "Key-1",   "kez-1",
                                               "nul",    "twice\n", std::string("nul\0bytf", 8)};
  for (const auto &unlisted : unlisted_keys) {
    INFO("key " << unlisted);
    KeyDigest digest{};
    CHECK(store.find(unlisted, &digest) == nullptr);
    CHECK(digest == KeyDigest{}); // untouched
  }
  CHECK(KeyStore({}).find("key-1") == nullptr);
}
