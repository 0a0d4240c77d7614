// The low-level SHA-2 functions are deprecated in OpenSSL 3 but still there, and with
// them a keyed HMAC state is a plain struct: copied per MAC, it allocates and frees
// nothing (EVP_MAC re-initialised per MAC was a tenth of a login's instructions, besides
// the hashing). Silenced for this file only; without them (an OpenSSL built or included
// with no deprecated API) the EVP path below serves.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "inspekt/core/jwt.hpp"

#include "inspekt/core/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>

// INSPEKT_JWT_EVP_ONLY: the fallback, also in a build that has the low-level functions
// (a test builds it so, to keep it right).
#if !defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(INSPEKT_JWT_EVP_ONLY)
#define INSPEKT_JWT_SHA_STATES 1
#else
#define INSPEKT_JWT_SHA_STATES 0
#endif

namespace inspekt {
namespace {

#if INSPEKT_JWT_SHA_STATES

union ShaState {
  SHA256_CTX sha256;
  SHA512_CTX sha512; // SHA-384 too
};

std::size_t block_size(JwtAlgorithm algorithm) {
  return algorithm == JwtAlgorithm::hs256 ? SHA256_CBLOCK : SHA512_CBLOCK;
}

void sha_init(JwtAlgorithm algorithm, ShaState &state) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    SHA256_Init(&state.sha256);
    return;
  case JwtAlgorithm::hs384:
    SHA384_Init(&state.sha512);
    return;
  case JwtAlgorithm::hs512:
    SHA512_Init(&state.sha512);
    return;
  }
}

void sha_update(JwtAlgorithm algorithm, ShaState &state, const void *data, std::size_t size) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    SHA256_Update(&state.sha256, data, size);
    return;
  case JwtAlgorithm::hs384:
    SHA384_Update(&state.sha512, data, size);
    return;
  case JwtAlgorithm::hs512:
    SHA512_Update(&state.sha512, data, size);
    return;
  }
}

void sha_final(JwtAlgorithm algorithm, ShaState &state, unsigned char *out) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    SHA256_Final(out, &state.sha256);
    return;
  case JwtAlgorithm::hs384:
    SHA384_Final(out, &state.sha512);
    return;
  case JwtAlgorithm::hs512:
    SHA512_Final(out, &state.sha512);
    return;
  }
}

#else

const char *digest_name(JwtAlgorithm algorithm) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    return "SHA256";
  case JwtAlgorithm::hs384:
    return "SHA384";
  case JwtAlgorithm::hs512:
    return "SHA512";
  }
  return "SHA256";
}

const EVP_MD *digest_of(JwtAlgorithm algorithm) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    return EVP_sha256();
  case JwtAlgorithm::hs384:
    return EVP_sha384();
  case JwtAlgorithm::hs512:
    return EVP_sha512();
  }
  return EVP_sha256();
}

// One HMAC context per thread, keyed once and re-used while the key stays the same.
// One-shot HMAC() fetches the algorithm and hashes the key into its pads on every
// call. EVP_MAC_init with no key starts a new MAC under the key already set.
class MacContext {
public:
  MacContext() = default;
  MacContext(const MacContext &) = delete;
  MacContext &operator=(const MacContext &) = delete;
  ~MacContext() { EVP_MAC_CTX_free(context_); }

  // 0 when OpenSSL refuses; the caller then falls back to HMAC().
  std::size_t mac(JwtAlgorithm algorithm, std::string_view input, std::string_view secret,
                  unsigned char *out) {
    if (!ready(algorithm, secret) ||
        EVP_MAC_update(context_, reinterpret_cast<const unsigned char *>(input.data()),
                       input.size()) != 1) {
      keyed_ = false;
      return 0;
    }
    std::size_t length = 0;
    if (EVP_MAC_final(context_, out, &length, JwtSigner::max_mac_size) != 1) {
      keyed_ = false;
      return 0;
    }
    return length;
  }

private:
  bool ready(JwtAlgorithm algorithm, std::string_view secret) {
    if (keyed_ && algorithm == algorithm_ && secret == secret_) {
      return EVP_MAC_init(context_, nullptr, 0, nullptr) == 1;
    }
    // Fetched once for the program's life.
    static EVP_MAC *const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac == nullptr || (context_ == nullptr && (context_ = EVP_MAC_CTX_new(hmac)) == nullptr)) {
      return false;
    }
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>(digest_name(algorithm)), 0),
        OSSL_PARAM_construct_end()};
    keyed_ = EVP_MAC_init(context_, reinterpret_cast<const unsigned char *>(secret.data()),
                          secret.size(), params) == 1;
    algorithm_ = algorithm;
    secret_ = secret;
    return keyed_;
  }

  EVP_MAC_CTX *context_ = nullptr;
  bool keyed_ = false;
  JwtAlgorithm algorithm_ = JwtAlgorithm::hs256;
  std::string secret_;
};

std::size_t evp_mac(JwtAlgorithm algorithm, std::string_view input, std::string_view secret,
                    unsigned char *out) {
  thread_local MacContext context;
  if (const auto length = context.mac(algorithm, input, secret, out)) {
    return length;
  }
  unsigned int length = 0;
  HMAC(digest_of(algorithm), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char *>(input.data()), input.size(), out, &length);
  return length;
}

#endif

// The signer of the key last used on this thread.
const JwtSigner &signer_for(JwtAlgorithm algorithm, std::string_view secret) {
  thread_local std::optional<JwtSigner> signer;
  thread_local std::string signer_secret;
  if (!signer || signer->algorithm() != algorithm || signer_secret != secret) {
    signer.emplace(algorithm, secret);
    signer_secret.assign(secret);
  }
  return *signer;
}

std::optional<nlohmann::json> decode_object(std::string_view segment) {
  const auto bytes = base64url_decode(segment);
  if (!bytes) {
    return std::nullopt;
  }
  auto value = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::string_view to_string(JwtAlgorithm algorithm) {
  switch (algorithm) {
  case JwtAlgorithm::hs256:
    return "HS256";
  case JwtAlgorithm::hs384:
    return "HS384";
  case JwtAlgorithm::hs512:
    return "HS512";
  }
  return "?";
}

std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name) {
  for (auto algorithm : {JwtAlgorithm::hs256, JwtAlgorithm::hs384, JwtAlgorithm::hs512}) {
    if (to_string(algorithm) == name) {
      return algorithm;
    }
  }
  return std::nullopt;
}

std::ostream &operator<<(std::ostream &os, JwtAlgorithm algorithm) {
  return os << to_string(algorithm);
}

struct JwtSigner::Keyed {
#if INSPEKT_JWT_SHA_STATES
  // After the key's block: RFC 2104's H(K XOR ipad, ...) and H(K XOR opad, ...).
  ShaState inner;
  ShaState outer;
#else
  std::string secret;
#endif
};

JwtSigner::JwtSigner(JwtAlgorithm algorithm, std::string_view secret)
    : algorithm_(algorithm), keyed_([&] {
        auto keyed = std::make_shared<Keyed>();
#if INSPEKT_JWT_SHA_STATES
        // RFC 2104 section 2: a key longer than the block is hashed first, and any key
        // is padded with zeros to the block.
        const std::size_t block = block_size(algorithm);
        std::array<unsigned char, SHA512_CBLOCK> key{};
        if (secret.size() > block) {
          ShaState hashed;
          sha_init(algorithm, hashed);
          sha_update(algorithm, hashed, secret.data(), secret.size());
          sha_final(algorithm, hashed, key.data());
        } else if (!secret.empty()) {
          std::memcpy(key.data(), secret.data(), secret.size());
        }
        std::array<unsigned char, SHA512_CBLOCK> pad{};
        for (const auto &[state, mask] : {std::pair{&keyed->inner, 0x36}, {&keyed->outer, 0x5c}}) {
          for (std::size_t i = 0; i < block; ++i) {
            pad[i] = static_cast<unsigned char>(key[i] ^ mask);
          }
          sha_init(algorithm, *state);
          sha_update(algorithm, *state, pad.data(), block);
        }
        OPENSSL_cleanse(key.data(), key.size());
        OPENSSL_cleanse(pad.data(), pad.size());
#else
        keyed->secret = secret;
#endif
        return keyed;
      }()) {
}

std::size_t JwtSigner::mac_size() const {
  switch (algorithm_) {
  case JwtAlgorithm::hs256:
    return 32;
  case JwtAlgorithm::hs384:
    return 48;
  case JwtAlgorithm::hs512:
    return 64;
  }
  return 32;
}

std::size_t JwtSigner::mac(std::string_view input, unsigned char *out) const {
#if INSPEKT_JWT_SHA_STATES
  // The copy needs no cleansing: by the end of the Final functions the state holds the
  // digest, not the key's, and they clear their block buffer.
  ShaState state = keyed_->inner;
  sha_update(algorithm_, state, input.data(), input.size());
  std::array<unsigned char, max_mac_size> inner{};
  sha_final(algorithm_, state, inner.data());
  state = keyed_->outer;
  sha_update(algorithm_, state, inner.data(), mac_size());
  sha_final(algorithm_, state, out);
  return mac_size();
#else
  return evp_mac(algorithm_, input, keyed_->secret, out);
#endif
}

std::string JwtSigner::mac(std::string_view input) const {
  std::array<unsigned char, max_mac_size> out{};
  const auto length = mac(input, out.data());
  return std::string(reinterpret_cast<const char *>(out.data()), length);
}

void JwtSigner::append_signature(std::string &token) const {
  std::array<unsigned char, max_mac_size> out{};
  const auto length = mac(token, out.data());
  token += '.';
  append_base64url(token, std::string_view(reinterpret_cast<const char *>(out.data()), length));
}

std::string jwt_mac(JwtAlgorithm algorithm, std::string_view signing_input,
                    std::string_view secret) {
  return signer_for(algorithm, secret).mac(signing_input);
}

std::string sign_jwt(JwtAlgorithm algorithm, std::string_view encoded_header,
                     std::string_view encoded_payload, std::string_view secret) {
  std::string token;
  token.reserve(encoded_header.size() + encoded_payload.size() + 2 +
                base64url_encoded_size(JwtSigner::max_mac_size));
  token.append(encoded_header).append(1, '.').append(encoded_payload);
  signer_for(algorithm, secret).append_signature(token);
  return token;
}

std::string_view to_string(JwtDecodeError error) {
  switch (error) {
  case JwtDecodeError::none:
    return "none";
  case JwtDecodeError::not_three_segments:
    return "not three dot-separated segments";
  case JwtDecodeError::segment_not_base64url:
    return "a segment is not unpadded base64url";
  case JwtDecodeError::header_not_json_object:
    return "header is not a JSON object";
  case JwtDecodeError::payload_not_json_object:
    return "payload is not a JSON object";
  case JwtDecodeError::header_without_alg:
    return "header has no string \"alg\"";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, JwtDecodeError error) {
  return os << to_string(error);
}

JwtDecodeResult decode_jwt(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return {std::nullopt, JwtDecodeError::not_three_segments};
  }
  const auto header_text = token.substr(0, first);
  const auto payload_text = token.substr(first + 1, second - first - 1);
  const auto signature_text = token.substr(second + 1);
  if (header_text.empty() || payload_text.empty()) {
    return {std::nullopt, JwtDecodeError::not_three_segments};
  }
  auto signature = base64url_decode(signature_text);
  if (!signature || !base64url_decode(header_text) || !base64url_decode(payload_text)) {
    return {std::nullopt, JwtDecodeError::segment_not_base64url};
  }
  auto header = decode_object(header_text);
  if (!header) {
    return {std::nullopt, JwtDecodeError::header_not_json_object};
  }
  auto claims = decode_object(payload_text);
  if (!claims) {
    return {std::nullopt, JwtDecodeError::payload_not_json_object};
  }
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) {
    return {std::nullopt, JwtDecodeError::header_without_alg};
  }
  DecodedJwt jwt{std::move(*header), std::move(*claims), std::string(token.substr(0, second)),
                 std::move(*signature)};
  return {std::move(jwt), JwtDecodeError::none};
}

bool verify_jwt(std::string_view token, JwtAlgorithm algorithm, std::string_view secret) {
  const auto decoded = decode_jwt(token);
  if (!decoded || decoded.jwt->header["alg"] != to_string(algorithm)) {
    return false;
  }
  const std::string expected = jwt_mac(algorithm, decoded.jwt->signing_input, secret);
  return expected.size() == decoded.jwt->signature.size() &&
         CRYPTO_memcmp(expected.data(), decoded.jwt->signature.data(), expected.size()) == 0;
}

std::string redact_jwt(std::string_view token) {
  const auto last = token.rfind('.');
  if (last == std::string_view::npos) {
    return "<not a JWT: " + std::to_string(token.size()) + " bytes>";
  }
  return std::string(token.substr(0, last)) + ".<redacted>";
}

} // namespace inspekt
