#pragma once
// The JWT codec shared by the mock (signing) and the client and suite (inspection).
// JWS compact serialisation, RFC 7515 section 7.1; HMAC algorithms, RFC 7518 section 3.2.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace inspekt {

enum class JwtAlgorithm { hs256, hs384, hs512 };

std::string_view to_string(JwtAlgorithm algorithm);
std::optional<JwtAlgorithm> parse_jwt_algorithm(std::string_view name);
std::ostream &operator<<(std::ostream &os, JwtAlgorithm algorithm);

// Raw MAC over the signing input ("<header>.<payload>").
std::string jwt_mac(JwtAlgorithm algorithm, std::string_view signing_input,
                    std::string_view secret);

// "<encoded header>.<encoded payload>.<encoded signature>".
std::string sign_jwt(JwtAlgorithm algorithm, std::string_view encoded_header,
                     std::string_view encoded_payload, std::string_view secret);

// An HMAC key made ready once: the key hashed into its inner and outer pads. Each MAC
// then hashes only its input (jwt_mac and sign_jwt make one per thread and key, and
// compare the key on every call). Immutable: one signer serves any number of threads;
// copies share the ready key.
class JwtSigner {
public:
  static constexpr std::size_t max_mac_size = 64;

  JwtSigner(JwtAlgorithm algorithm, std::string_view secret);

  JwtAlgorithm algorithm() const { return algorithm_; }
  // 32, 48 or 64 bytes.
  std::size_t mac_size() const;

  // Writes the raw MAC of `input` to `out` (room for max_mac_size) and returns its length.
  std::size_t mac(std::string_view input, unsigned char *out) const;
  std::string mac(std::string_view input) const;

  // `token` holds "<encoded header>.<encoded payload>": appends ".<encoded signature>".
  void append_signature(std::string &token) const;

private:
  struct Keyed;
  JwtAlgorithm algorithm_;
  std::shared_ptr<const Keyed> keyed_;
};

enum class JwtDecodeError {
  none,
  not_three_segments,
  segment_not_base64url,
  header_not_json_object,
  payload_not_json_object,
  header_without_alg,
};

std::string_view to_string(JwtDecodeError error);
std::ostream &operator<<(std::ostream &os, JwtDecodeError error);

struct DecodedJwt {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;
  std::string signature; // raw bytes; never print them
};

struct JwtDecodeResult {
  std::optional<DecodedJwt> jwt;
  JwtDecodeError error = JwtDecodeError::none;

  explicit operator bool() const { return jwt.has_value(); }
};

// Checks the shape only: three unpadded base64url segments, a JSON object header with
// "alg", a JSON object payload. The signature is not checked (see verify_jwt).
JwtDecodeResult decode_jwt(std::string_view token);

// True when the token's MAC under `secret` matches and its header names `algorithm`.
// The comparison is constant-time.
bool verify_jwt(std::string_view token, JwtAlgorithm algorithm, std::string_view secret);

// "<header>.<payload>.<redacted>": how a token may be shown in logs and reports.
std::string redact_jwt(std::string_view token);

} // namespace inspekt
