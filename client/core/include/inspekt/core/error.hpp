#pragma once
// Which documented failure happened, as a value: the client never throws for an answer.

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace inspekt {

enum class ErrorKind {
  invalid_request,    // 400 "Invalid API key": body missing fields, malformed, bad values
  invalid_key,        // 401 "API Key not valid": key invalid or expired
  method_not_allowed, // 405 "Method not allowed"
  unexpected_status,  // any status the page does not document (429, 5xx, 404, ...)
  transport,          // no answer: connect refused, DNS, timeout, TLS, bad options
  protocol,           // a 200 whose body breaks the contract
};

std::string_view to_string(ErrorKind kind);
std::ostream &operator<<(std::ostream &os, ErrorKind kind);

struct AuthError {
  ErrorKind kind = ErrorKind::transport;
  std::optional<int> status;  // when the server answered
  std::string server_message; // the answer's "message", when it sent one
  std::string description;    // for people; never contains the key
  // How long the server asked to wait before trying again (Retry-After in seconds, as a
  // 429 or 503 sends it); empty when it did not say, or said it as a date.
  std::optional<std::chrono::seconds> retry_after;
};

// "invalid_key (401): <description>"
std::ostream &operator<<(std::ostream &os, const AuthError &error);

// Replaces every occurrence of `secret` (and of its JSON-escaped form) in the message
// and the description; see redacted() in secrets.hpp.
void redact(AuthError &error, std::string_view secret);

} // namespace inspekt
