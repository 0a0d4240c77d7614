#pragma once
// Base64url without padding (RFC 4648 section 5), as JWTs use it (RFC 7515 section 2).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt {

std::string base64url_encode(std::string_view bytes);

// The length of base64url_encode(bytes) for `size` bytes.
constexpr std::size_t base64url_encoded_size(std::size_t size) {
  return size / 3 * 4 + (size % 3 == 0 ? 0 : size % 3 + 1);
}

// Appends base64url_encode(bytes) to `out`, without a string of its own (a token is
// built in one string: header, payload and signature appended in place).
void append_base64url(std::string &out, std::string_view bytes);

// Strict: only the url-safe alphabet, no padding, no white space, no set bits past the
// last byte (one spelling per byte string). Returns nothing for anything else, so a
// token with a '+' or a '=' is refused rather than guessed at.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace inspekt
