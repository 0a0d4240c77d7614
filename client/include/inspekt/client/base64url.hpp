#pragma once
// Base64url without padding (RFC 4648 section 5), as JWTs use it (RFC 7515 section 2).

#include <optional>
#include <string>
#include <string_view>

namespace inspekt {

std::string base64url_encode(std::string_view bytes);

// Strict: only the url-safe alphabet, no padding, no white space, no set bits past the
// last byte (one spelling per byte string). Returns nothing for anything else, so a
// token with a '+' or a '=' is refused rather than guessed at.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace inspekt
