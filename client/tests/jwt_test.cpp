#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"

#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <atomic>
#include <thread>
#include <vector>

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

TEST_CASE("regression: a signature spelt non-canonically does not verify", "[jwt][regression]") {
  // The RFC token's signature ends in 'k' (0b100100): its last two bits are unused.
  // 'l' (0b100101) decoded to the same bytes, so the altered token verified.
  std::string altered = rfc_token;
  REQUIRE(altered.back() == 'k');
  altered.back() = 'l';
  CHECK(verify_jwt(rfc_token, JwtAlgorithm::hs256, rfc_key()));
  CHECK_FALSE(verify_jwt(altered, JwtAlgorithm::hs256, rfc_key()));
  CHECK(decode_jwt(altered).error == JwtDecodeError::segment_not_base64url);
}

namespace {

std::string hex(const std::string &bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string openssl_hmac(JwtAlgorithm algorithm, const std::string &input,
                         const std::string &secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  const EVP_MD *md = algorithm == JwtAlgorithm::hs256   ? EVP_sha256()
                     : algorithm == JwtAlgorithm::hs384 ? EVP_sha384()
                                                        : EVP_sha512();
  HMAC(md, secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char *>(input.data()), input.size(), out.data(), &length);
  return std::string(reinterpret_cast<const char *>(out.data()), length);
}

} // namespace

TEST_CASE("MACs stay right when key and algorithm change between calls", "[jwt]") {
  // jwt_mac keeps a keyed context per thread; a change of either must re-key it.
  const std::string input = "header.payload";
  for (int round = 0; round < 2; ++round) {
    for (const auto algorithm : {JwtAlgorithm::hs256, JwtAlgorithm::hs512, JwtAlgorithm::hs384}) {
      for (const auto &secret : std::vector<std::string>{"a", "b", std::string(200, 'k'), "a"}) {
        INFO(algorithm << " with a " << secret.size() << "-byte secret");
        CHECK(jwt_mac(algorithm, input, secret) == openssl_hmac(algorithm, input, secret));
      }
    }
  }
}

namespace {

struct Rfc4231Case {
  std::string name;
  std::string key;
  std::string data;
  std::string hs256, hs384, hs512; // hex
};

} // namespace

TEST_CASE("MACs match the RFC 4231 test vectors", "[jwt][hmac]") {
  const auto row = GENERATE(values<Rfc4231Case>({
      {"test case 1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2f"
       "a9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea"
       "3f"
       "4e4be9d914eeb61f1702e696c203a126854"},
      {"test case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab"
       "21649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f"
       "0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      // A key longer than any of the three blocks: hashed first.
      {"test case 6", std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f"
       "44952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6"
       "a"
       "1e5295e64f73f63f0aec8b915a985d786598"},
  }));
  DYNAMIC_SECTION(row.name) {
    CHECK(hex(jwt_mac(JwtAlgorithm::hs256, row.data, row.key)) == row.hs256);
    CHECK(hex(jwt_mac(JwtAlgorithm::hs384, row.data, row.key)) == row.hs384);
    CHECK(hex(jwt_mac(JwtAlgorithm::hs512, row.data, row.key)) == row.hs512);
    CHECK(hex(JwtSigner(JwtAlgorithm::hs256, row.key).mac(row.data)) == row.hs256);
    CHECK(hex(JwtSigner(JwtAlgorithm::hs384, row.key).mac(row.data)) == row.hs384);
    CHECK(hex(JwtSigner(JwtAlgorithm::hs512, row.key).mac(row.data)) == row.hs512);
  }
}

TEST_CASE("a signer's MAC is HMAC's for keys and inputs around the block sizes", "[jwt][hmac]") {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text.push_back(static_cast<char>(i * 31 + 7));
  }
  for (const auto algorithm : {JwtAlgorithm::hs256, JwtAlgorithm::hs384, JwtAlgorithm::hs512}) {
    for (const std::size_t key_length : {0, 1, 32, 63, 64, 65, 127, 128, 129, 200}) {
      const auto key = text.substr(100, key_length);
      const JwtSigner signer(algorithm, key);
      const JwtSigner copy = signer;
      CHECK(signer.algorithm() == algorithm);
      for (std::size_t length = 0; length <= 260; length += length < 140 ? 1 : 29) {
        const auto input = text.substr(0, length);
        INFO(algorithm << ", key of " << key_length << ", input of " << length);
        const auto expected = openssl_hmac(algorithm, input, key);
        REQUIRE(signer.mac(input) == expected);
        REQUIRE(copy.mac(input) == expected);
        REQUIRE(signer.mac_size() == expected.size());
      }
    }
  }
}

TEST_CASE("append_signature makes the token sign_jwt makes", "[jwt]") {
  const JwtSigner signer(JwtAlgorithm::hs256, rfc_key());
  std::string token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + base64url_encode(rfc_payload);
  signer.append_signature(token);
  CHECK(token == rfc_token);
  for (const auto algorithm : {JwtAlgorithm::hs384, JwtAlgorithm::hs512}) {
    const auto header = base64url_encode(R"({"alg":")" + std::string(to_string(algorithm)) + "\"}");
    std::string other = header + ".e30";
    JwtSigner(algorithm, "k").append_signature(other);
    CHECK(other == sign_jwt(algorithm, header, "e30", "k"));
    CHECK(verify_jwt(other, algorithm, "k"));
  }
}

TEST_CASE("one signer serves several threads", "[jwt][hmac]") {
  const JwtSigner signer(JwtAlgorithm::hs512, "shared key");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const auto input = std::to_string(t) + "." + std::to_string(i);
        wrong += signer.mac(input) != openssl_hmac(JwtAlgorithm::hs512, input, "shared key");
      }
    });
  }
  for (auto &thread : threads) {
    thread.join();
  }
  CHECK(wrong == 0);
}
