#include "inspekt/core/secrets.hpp"
#include "inspekt/core/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace inspekt {

std::string key_hint(std::string_view key) {
  std::size_t length = std::min<std::size_t>(4, key.size() / 3);
  while (length > 0 && (static_cast<unsigned char>(key[length]) & 0xC0) == 0x80) {
    --length;
  }
  return std::string(key.substr(0, length)) + "...";
}

std::string redacted(std::string text, std::string_view secret, std::string_view mask) {
  if (secret.size() < 4) {
    return text;
  }
  const std::string escaped = nlohmann::json(std::string(secret))
                                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  replace_all(text, secret, mask);
  replace_all(text, std::string_view(escaped.data() + 1, escaped.size() - 2), mask);
  return text;
}

} // namespace inspekt
