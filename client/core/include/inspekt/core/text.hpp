#pragma once
// Small text operations the project needs in more than one place.

#include <string>
#include <string_view>

namespace inspekt {

// Replaces every occurrence of `what` (not empty) in `text` with `with`, left to right;
// replacements are not searched again.
void replace_all(std::string &text, std::string_view what, std::string_view with);

// The value of a hexadecimal digit in either letter case (RFC 3986 section 2.1's HEXDIG,
// as percent-encoding and UUIDs use it), or -1 for any other character.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

} // namespace inspekt
