#include "inspekt/client/error.hpp"

#include <nlohmann/json.hpp>

namespace inspekt {
namespace {

void replace_all(std::string &text, std::string_view what, std::string_view with) {
  if (what.empty()) {
    return;
  }
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

} // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::invalid_request:
    return "invalid_request";
  case ErrorKind::invalid_key:
    return "invalid_key";
  case ErrorKind::method_not_allowed:
    return "method_not_allowed";
  case ErrorKind::unexpected_status:
    return "unexpected_status";
  case ErrorKind::transport:
    return "transport";
  case ErrorKind::protocol:
    return "protocol";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, ErrorKind kind) {
  return os << to_string(kind);
}

std::ostream &operator<<(std::ostream &os, const AuthError &error) {
  os << error.kind;
  if (error.status) {
    os << " (" << *error.status << ")";
  }
  return os << ": " << error.description;
}

void redact(AuthError &error, std::string_view secret) {
  if (secret.size() < 4) {
    return;
  }
  constexpr std::string_view mask = "<the key>";
  const std::string escaped = nlohmann::json(std::string(secret))
                                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string_view escaped_inner(escaped.data() + 1, escaped.size() - 2);
  for (std::string *text : {&error.server_message, &error.description}) {
    replace_all(*text, secret, mask);
    replace_all(*text, escaped_inner, mask);
  }
}

} // namespace inspekt
