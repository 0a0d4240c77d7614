#include "inspekt/core/exchange.hpp"

#include <algorithm>

namespace inspekt {
namespace {

// HTTP's letter case is ASCII's (RFC 9110 section 5.1), whatever the C locale says:
// std::tolower would fold other bytes under some locales, and it is a library call
// per character on every header the mock reads.
constexpr unsigned char ascii_lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

} // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](unsigned char x, unsigned char y) { return ascii_lower(x) < ascii_lower(y); });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(static_cast<unsigned char>(x)) ==
                  ascii_lower(static_cast<unsigned char>(y));
         });
}

std::string Exchange::header(std::string_view name) const {
  const auto found = headers.find(std::string(name));
  return found == headers.end() ? std::string() : found->second;
}

bool is_json_media_type(std::string_view content_type) {
  if (content_type == "application/json") {
    return true; // what nearly every client sends: no trimming, no folding
  }
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) {
    type.remove_prefix(1);
  }
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  return equals_ignoring_case(type, "application/json");
}

} // namespace inspekt
