#include "inspekt/core/error.hpp"

#include "inspekt/core/secrets.hpp"

#include <nlohmann/json.hpp>

namespace inspekt {

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
  for (std::string *text : {&error.server_message, &error.description}) {
    *text = redacted(std::move(*text), secret);
  }
}

} // namespace inspekt
