#include "inspekt/client/base64url.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>

namespace inspekt {
namespace {

bool is_url_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  return c == '-' ? 62 : 63;
}

// The last character of a 4n+2 (4n+3) text carries 4 (2) bits past the last byte. Set,
// they would make a second spelling of the same bytes, e.g. a second valid signature
// for one token (RFC 4648 section 3.5 lets a decoder refuse them).
bool unused_bits_clear(std::string_view text) {
  const int unused_mask = text.size() % 4 == 2 ? 0x0f : text.size() % 4 == 3 ? 0x03 : 0;
  return text.empty() || (sextet(text.back()) & unused_mask) == 0;
}

} // namespace

// Written out rather than EVP_EncodeBlock and two passes of replace: every login signs
// two tokens, and this is on that path.
std::string base64url_encode(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const auto *in = reinterpret_cast<const unsigned char *>(bytes.data());
  const std::size_t whole = bytes.size() / 3 * 3;
  std::string out((bytes.size() * 4 + 2) / 3, '\0');
  char *o = out.data();
  for (std::size_t i = 0; i < whole; i += 3) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - whole;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{in[whole]} << 16;
    if (rest == 2) {
      v |= std::uint32_t{in[whole + 1]} << 8;
    }
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    if (rest == 2) {
      *o++ = alphabet[(v >> 6) & 63];
    }
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // A length of 4n+1 cannot come from any byte string.
  if (text.size() % 4 == 1 || !std::all_of(text.begin(), text.end(), is_url_alphabet) ||
      !unused_bits_clear(text)) {
    return std::nullopt;
  }
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');

  std::string out(standard.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                      reinterpret_cast<const unsigned char *>(standard.data()),
                                      static_cast<int>(standard.size()));
  if (written < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the bytes the padding stands for; they are not data.
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

} // namespace inspekt
