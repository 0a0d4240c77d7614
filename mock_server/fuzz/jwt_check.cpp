#include "checks.hpp"

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"

#include <algorithm>

namespace inspekt::fuzz {
namespace {

void require(bool holds, const char *rule) {
  if (!holds) {
    throw InvariantBroken(std::string("jwt: ") + rule);
  }
}

bool is_url_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

} // namespace

void check_jwt(std::string_view input) {
  const auto encoded = base64url_encode(input);
  require(std::all_of(encoded.begin(), encoded.end(), is_url_alphabet),
          "encoding uses the url-safe alphabet, unpadded");
  const auto round_trip = base64url_decode(encoded);
  require(round_trip && *round_trip == input, "decode(encode(bytes)) == bytes");
  if (const auto bytes = base64url_decode(input)) {
    require(base64url_encode(*bytes) == input, "what decodes re-encodes to the same text");
  }

  const auto decoded = decode_jwt(input);
  if (decoded) {
    require(decoded.error == JwtDecodeError::none, "success has no error");
    require(decoded.jwt->header.is_object() && decoded.jwt->header.contains("alg") &&
                decoded.jwt->header["alg"].is_string(),
            "a decoded header is an object with a string alg");
    require(decoded.jwt->claims.is_object(), "decoded claims are an object");
    require(input.substr(0, decoded.jwt->signing_input.size()) == decoded.jwt->signing_input,
            "the signing input is the token's first two segments");
  } else {
    require(decoded.error != JwtDecodeError::none, "failure names its error");
  }
  if (verify_jwt(input, JwtAlgorithm::hs256, "fuzz-secret")) {
    require(static_cast<bool>(decoded), "only a decodable token verifies");
  }

  const auto header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const auto token = sign_jwt(JwtAlgorithm::hs256, header, encoded, "fuzz-secret");
  const auto payload = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  require(verify_jwt(token, JwtAlgorithm::hs256, "fuzz-secret") == payload.is_object(),
          "a signed token verifies exactly when its payload is a JSON object");
  require(!verify_jwt(token, JwtAlgorithm::hs256, "another-secret"),
          "no token verifies under another secret");
}

} // namespace inspekt::fuzz
