#include "inspekt/core/base64url.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

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

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The two characters of every 12-bit value: half the look-ups of one per 6 bits.
constexpr std::array<char, 2 * 4096> pairs = [] {
  std::array<char, 2 * 4096> table{};
  for (std::size_t v = 0; v < 4096; ++v) {
    table[2 * v] = alphabet[v >> 6];
    table[2 * v + 1] = alphabet[v & 63];
  }
  return table;
}();

void put_pair(char *out, std::uint64_t twelve_bits) {
  std::memcpy(out, &pairs[2 * (twelve_bits & 0xfff)], 2);
}

std::uint64_t load_big_endian(const unsigned char *in) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  std::uint64_t word;
  std::memcpy(&word, in, sizeof word);
  return __builtin_bswap64(word);
#else
  std::uint64_t word = 0;
  for (int b = 0; b < 8; ++b) {
    word = (word << 8) | in[b];
  }
  return word;
#endif
}

// Writes base64url_encoded_size(size) characters.
void encode(const unsigned char *in, std::size_t size, char *out) {
  std::size_t i = 0;
  // Six bytes (eight characters) a step, read as one big-endian word of eight: the
  // last two bytes read are not used, so the loop stops while eight remain.
  for (; i + 8 <= size; i += 6, out += 8) {
    const std::uint64_t word = load_big_endian(in + i);
    put_pair(out, word >> 52);
    put_pair(out + 2, word >> 40);
    put_pair(out + 4, word >> 28);
    put_pair(out + 6, word >> 16);
  }
  for (; i + 3 <= size; i += 3, out += 4) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    put_pair(out, v >> 12);
    put_pair(out + 2, v);
  }
  const std::size_t rest = size - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    if (rest == 2) {
      v |= std::uint32_t{in[i + 1]} << 8;
    }
    put_pair(out, v >> 12);
    if (rest == 2) {
      out[2] = alphabet[(v >> 6) & 63];
    }
  }
}

} // namespace

// Written out rather than EVP_EncodeBlock and two passes of replace: every login signs
// two tokens, and this is on that path.
std::string base64url_encode(std::string_view bytes) {
  std::string out(base64url_encoded_size(bytes.size()), '\0');
  encode(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), out.data());
  return out;
}

void append_base64url(std::string &out, std::string_view bytes) {
  const auto start = out.size();
  out.resize(start + base64url_encoded_size(bytes.size()));
  encode(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size(), out.data() + start);
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
