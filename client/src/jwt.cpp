#include "inspekt/client/jwt.hpp"

#include "inspekt/client/base64url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <array>

namespace inspekt {
namespace {

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

// One HMAC context per thread, keyed once and re-used while the key stays the same.
// One-shot HMAC() fetches the algorithm and hashes the key into its pads on every
// call: a fifth of the mock's work per login. EVP_MAC_init with no key starts a new
// MAC under the key already set.
class MacContext {
public:
  MacContext() = default;
  MacContext(const MacContext &) = delete;
  MacContext &operator=(const MacContext &) = delete;
  ~MacContext() { EVP_MAC_CTX_free(context_); }

  // Nothing when OpenSSL refuses; the caller then falls back to HMAC().
  std::optional<std::string> mac(JwtAlgorithm algorithm, std::string_view input,
                                 std::string_view secret) {
    if (!ready(algorithm, secret) ||
        EVP_MAC_update(context_, reinterpret_cast<const unsigned char *>(input.data()),
                       input.size()) != 1) {
      keyed_ = false;
      return std::nullopt;
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    std::size_t length = 0;
    if (EVP_MAC_final(context_, out.data(), &length, out.size()) != 1) {
      keyed_ = false;
      return std::nullopt;
    }
    return std::string(reinterpret_cast<const char *>(out.data()), length);
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

std::string jwt_mac(JwtAlgorithm algorithm, std::string_view signing_input,
                    std::string_view secret) {
  thread_local MacContext context;
  if (auto mac = context.mac(algorithm, signing_input, secret)) {
    return std::move(*mac);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(digest_of(algorithm), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char *>(signing_input.data()), signing_input.size(),
       mac.data(), &length);
  return std::string(reinterpret_cast<const char *>(mac.data()), length);
}

std::string sign_jwt(JwtAlgorithm algorithm, std::string_view encoded_header,
                     std::string_view encoded_payload, std::string_view secret) {
  std::string token;
  token.reserve(encoded_header.size() + encoded_payload.size() + 90);
  token.append(encoded_header).append(1, '.').append(encoded_payload);
  const std::string signature = base64url_encode(jwt_mac(algorithm, token, secret));
  token.append(1, '.').append(signature);
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
