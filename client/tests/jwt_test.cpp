#include "inspekt/client/base64url.hpp"
#include "inspekt/client/jwt.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

using namespace inspekt;

namespace {

// RFC 7515 appendix A.1: the HS256 example, byte for byte.
const std::string rfc_header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
const std::string rfc_payload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const std::string rfc_key_jwk =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const std::string rfc_token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                              ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGx"
                              "lLmNvbS9pc19yb290Ijp0cnVlfQ"
                              ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

std::string rfc_key() {
  return *base64url_decode(rfc_key_jwk);
}

} // namespace

TEST_CASE("signing reproduces RFC 7515 appendix A.1", "[jwt]") {
  const auto header = base64url_encode(rfc_header);
  const auto payload = base64url_encode(rfc_payload);
  CHECK(header == "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9");
  CHECK(sign_jwt(JwtAlgorithm::hs256, header, payload, rfc_key()) == rfc_token);
}

TEST_CASE("the RFC 7515 example token decodes and verifies", "[jwt]") {
  const auto decoded = decode_jwt(rfc_token);
  REQUIRE(decoded);
  CHECK(decoded.jwt->header == nlohmann::json{{"typ", "JWT"}, {"alg", "HS256"}});
  CHECK(decoded.jwt->claims["iss"] == "joe");
  CHECK(decoded.jwt->claims["exp"] == 1300819380);
  CHECK(decoded.jwt->signature.size() == 32);
  CHECK(verify_jwt(rfc_token, JwtAlgorithm::hs256, rfc_key()));
}

TEST_CASE("verification fails for a wrong key, algorithm or any changed byte", "[jwt]") {
  CHECK_FALSE(verify_jwt(rfc_token, JwtAlgorithm::hs256, "another key"));
  CHECK_FALSE(verify_jwt(rfc_token, JwtAlgorithm::hs512, rfc_key()));
  for (std::size_t i = 0; i < rfc_token.size(); i += 7) {
    if (rfc_token[i] == '.') {
      continue;
    }
    auto changed = rfc_token;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    INFO("byte " << i);
    CHECK_FALSE(verify_jwt(changed, JwtAlgorithm::hs256, rfc_key()));
  }
}

TEST_CASE("HS384 and HS512 tokens verify with their own algorithm only", "[jwt]") {
  const auto header = base64url_encode(R"({"alg":"HS512","typ":"JWT"})");
  const auto token = sign_jwt(JwtAlgorithm::hs512, header, base64url_encode("{}"), "secret");
  CHECK(verify_jwt(token, JwtAlgorithm::hs512, "secret"));
  CHECK_FALSE(verify_jwt(token, JwtAlgorithm::hs256, "secret"));
  CHECK(decode_jwt(token).jwt->signature.size() == 64);
  CHECK(jwt_mac(JwtAlgorithm::hs384, "x", "k").size() == 48);
}

TEST_CASE("decoding names what is wrong with a token", "[jwt]") {
  const auto object = base64url_encode(R"({"alg":"HS256"})");
  const auto no_alg = base64url_encode(R"({"typ":"JWT"})");
  const auto array = base64url_encode("[1,2]");
  struct Row {
    std::string token;
    JwtDecodeError error;
  };
  const auto row = GENERATE_COPY(values<Row>({
      {"", JwtDecodeError::not_three_segments},
      {"abc", JwtDecodeError::not_three_segments},
      {object + "." + object, JwtDecodeError::not_three_segments},
      {object + "." + object + ".c2ln.x", JwtDecodeError::not_three_segments},
      {"." + object + ".c2ln", JwtDecodeError::not_three_segments},
      {object + "=." + object + ".c2ln", JwtDecodeError::segment_not_base64url},
      {object + "." + object + ".c2l+", JwtDecodeError::segment_not_base64url},
      {array + "." + object + ".c2ln", JwtDecodeError::header_not_json_object},
      {base64url_encode("not json") + "." + object + ".c2ln",
       JwtDecodeError::header_not_json_object},
      {object + "." + array + ".c2ln", JwtDecodeError::payload_not_json_object},
      {no_alg + "." + object + ".c2ln", JwtDecodeError::header_without_alg},
  }));
  INFO(row.token);
  const auto decoded = decode_jwt(row.token);
  CHECK_FALSE(decoded);
  CHECK(decoded.error == row.error);
}

TEST_CASE("redaction keeps header and claims and drops the signature", "[jwt]") {
  CHECK(redact_jwt(rfc_token) == rfc_token.substr(0, rfc_token.rfind('.')) + ".<redacted>");
  CHECK(redact_jwt("opaque") == "<not a JWT: 6 bytes>");
}

TEST_CASE("algorithm names parse and print", "[jwt]") {
  CHECK(parse_jwt_algorithm("HS256") == JwtAlgorithm::hs256);
  CHECK(parse_jwt_algorithm("HS384") == JwtAlgorithm::hs384);
  CHECK(parse_jwt_algorithm("HS512") == JwtAlgorithm::hs512);
  CHECK_FALSE(parse_jwt_algorithm("none").has_value());
  CHECK_FALSE(parse_jwt_algorithm("hs256").has_value());
}

TEST_CASE("regression #5: a signature spelt non-canonically does not verify", "[jwt][regression]") {
  // The RFC token's signature ends in 'k' (0b100100): its last two bits are unused.
  // 'l' (0b100101) decoded to the same bytes, so the altered token verified.
  std::string altered = rfc_token;
  REQUIRE(altered.back() == 'k');
  altered.back() = 'l';
  CHECK(verify_jwt(rfc_token, JwtAlgorithm::hs256, rfc_key()));
  CHECK_FALSE(verify_jwt(altered, JwtAlgorithm::hs256, rfc_key()));
  CHECK(decode_jwt(altered).error == JwtDecodeError::segment_not_base64url);
}

TEST_CASE("MACs stay right when key and algorithm change between calls", "[jwt]") {
  // jwt_mac keeps a keyed context per thread; a change of either must re-key it.
  const std::string input = "header.payload";
  const auto expected = [&](JwtAlgorithm algorithm, const std::string &secret) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int length = 0;
    const EVP_MD *md = algorithm == JwtAlgorithm::hs256   ? EVP_sha256()
                       : algorithm == JwtAlgorithm::hs384 ? EVP_sha384()
                                                          : EVP_sha512();
    HMAC(md, secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char *>(input.data()), input.size(), out.data(), &length);
    return std::string(reinterpret_cast<const char *>(out.data()), length);
  };
  for (int round = 0; round < 2; ++round) {
    for (const auto algorithm : {JwtAlgorithm::hs256, JwtAlgorithm::hs512, JwtAlgorithm::hs384}) {
      for (const auto &secret : std::vector<std::string>{"a", "b", std::string(200, 'k'), "a"}) {
        INFO(algorithm << " with a " << secret.size() << "-byte secret");
        CHECK(jwt_mac(algorithm, input, secret) == expected(algorithm, secret));
      }
    }
  }
}
