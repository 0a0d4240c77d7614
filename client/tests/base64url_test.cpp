#include "inspekt/core/base64url.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using inspekt::base64url_decode;
using inspekt::base64url_encode;

TEST_CASE("base64url encodes the RFC 4648 test vectors without padding", "[base64url]") {
  // RFC 4648 section 10, with the padding removed as RFC 7515 section 2 asks.
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url uses the url-safe alphabet", "[base64url]") {
  CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");
  CHECK(base64url_decode("-_-_") == std::string("\xfb\xff\xbf"));
}

TEST_CASE("base64url round-trips every byte value", "[base64url]") {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t length = 0; length < all.size(); length += 37) {
    const auto bytes = all.substr(0, length);
    CHECK(base64url_decode(base64url_encode(bytes)) == bytes);
  }
}

TEST_CASE("base64url decoding refuses what JWTs may not contain", "[base64url]") {
  const auto text = GENERATE(as<std::string>{}, "Zg==", "Zm9v+", "Zm9v/", "Zm 9v", "Z", "Zm9vY",
                             "Zm9v\n", "Zm9v.");
  INFO(text);
  CHECK_FALSE(base64url_decode(text).has_value());
}

TEST_CASE("regression: base64url refuses set bits past the last byte", "[base64url][regression]") {
  // Found by fuzz_jwt: "ZiD" decoded to the same bytes as "ZiA", so two texts (and two
  // token signatures) stood for one value. RFC 4648 section 3.5 lets a decoder refuse
  // the non-canonical one; a strict decoder does.
  CHECK(base64url_decode("ZiA") == std::string("f "));
  CHECK_FALSE(base64url_decode("ZiD").has_value());
  CHECK(base64url_decode("Zg") == std::string("f"));
  CHECK_FALSE(base64url_decode("Zh").has_value());
  CHECK_FALSE(base64url_decode("Zv").has_value());
}

namespace {

// One character per six bits, the slow way: what the word-at-a-time encoder must match.
std::string encode_bit_by_bit(const std::string &bytes) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (std::size_t bit = 0; bit < bytes.size() * 8; bit += 6) {
    int value = 0;
    for (std::size_t b = bit; b < bit + 6; ++b) {
      const bool set = b < bytes.size() * 8 &&
                       (static_cast<unsigned char>(bytes[b / 8]) >> (7 - b % 8) & 1) != 0;
      value = value << 1 | (set ? 1 : 0);
    }
    out += alphabet[static_cast<std::size_t>(value)];
  }
  return out;
}

} // namespace

TEST_CASE("base64url encodes every length and byte as the definition does", "[base64url]") {
  // Lengths 0..40 cover each tail (0, 1, 2 bytes) after 0..5 words of six bytes, and the
  // change from six-byte steps to three-byte ones. Three bytes hold two 12-bit values:
  // the whole text holds every one of them.
  std::string bytes;
  for (std::uint32_t v = 0; v < 4096; v += 2) {
    const std::uint32_t both = v << 12 | (4095 - v);
    for (const int shift : {16, 8, 0}) {
      bytes.push_back(static_cast<char>(both >> shift & 0xff));
    }
  }
  for (std::size_t length = 0; length <= 40; ++length) {
    for (std::size_t start = 0; start < 7; ++start) {
      const auto part = bytes.substr(start, length);
      INFO("length " << length << " from " << start);
      CHECK(base64url_encode(part) == encode_bit_by_bit(part));
      CHECK(base64url_encode(part).size() == inspekt::base64url_encoded_size(length));
    }
  }
  CHECK(base64url_encode(bytes) == encode_bit_by_bit(bytes));
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  CHECK(base64url_encode(all) == encode_bit_by_bit(all));
}

TEST_CASE("append_base64url appends what base64url_encode returns", "[base64url]") {
  for (const std::string bytes :
       {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\xbf"}) {
    std::string out = "prefix.";
    inspekt::append_base64url(out, bytes);
    CHECK(out == "prefix." + base64url_encode(bytes));
  }
  std::string empty;
  inspekt::append_base64url(empty, "foobar");
  CHECK(empty == "Zm9vYmFy");
}
