// The mapping from an answer to the documented outcomes (the vendor page's table
// "Error message and status code"), kept free of sockets so it can be tested alone.

#include "inspekt/client/auth_client.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace inspekt {
namespace {

using nlohmann::json;

AuthResult failed(const Exchange &exchange, ErrorKind kind, std::string message,
                  std::string description) {
  AuthError error{kind, exchange.status, std::move(message), std::move(description), {}};
  return {std::nullopt, std::move(error), exchange};
}

// Retry-After (RFC 9110 10.2.3): delay-seconds, or an HTTP-date, which is reported as
// the server wrote it. What the wait means is said in the description, so that a
// person reading an error from a 429 or a 503 knows when to try again.
std::string retry_advice(const Exchange &exchange, std::optional<std::chrono::seconds> &wait) {
  const std::string value = exchange.header("Retry-After");
  if (value.empty()) {
    return exchange.status == 429 || exchange.status == 503 ? "; it sent no Retry-After" : "";
  }
  if (value.size() <= 9 && value.find_first_not_of("0123456789") == std::string::npos) {
    wait = std::chrono::seconds(std::stol(value));
    return "; retry after " + value + " s (Retry-After)";
  }
  return "; retry after " + value + " (Retry-After)";
}

AuthResult broken_contract(const Exchange &exchange, std::string description) {
  return failed(exchange, ErrorKind::protocol, {},
                "an answer outside the contract: " + description);
}

std::string_view json_type(const json &value) {
  switch (value.type()) {
  case json::value_t::null:
    return "null";
  case json::value_t::boolean:
    return "a boolean";
  case json::value_t::object:
    return "an object";
  case json::value_t::array:
    return "an array";
  case json::value_t::string:
    return "a string";
  default:
    return "a number";
  }
}

// The answer's "message", when its body is a JSON object with a string one.
std::string message_of(const std::string &body) {
  const auto value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_object()) {
    const auto message = value.find("message");
    if (message != value.end() && message->is_string()) {
      return message->get<std::string>();
    }
  }
  return {};
}

// What the answer said, for a description: its message, or the start of its body with
// anything unprintable replaced.
std::string summary_of(const Exchange &exchange, const std::string &message) {
  if (!message.empty()) {
    return "\"" + message + "\"";
  }
  if (exchange.body.empty()) {
    return "an empty body";
  }
  constexpr std::size_t shown = 80;
  std::string start = exchange.body.substr(0, shown);
  for (auto &c : start) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      c = '.';
    }
  }
  const std::string type = exchange.header("Content-Type");
  return "a body of " + std::to_string(exchange.body.size()) + " bytes" +
         (type.empty() ? "" : " (" + type + ")") + " starting \"" + start + "\"" +
         (exchange.body.size() > shown ? "..." : "");
}

} // namespace

AuthResult classify(const Exchange &exchange) {
  const int status = exchange.status;
  if (status == 200) {
    const auto body = json::parse(exchange.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return broken_contract(exchange, "[protocol.not-json] the body is not JSON");
    }
    if (!body.is_object()) {
      return broken_contract(exchange, "[protocol.not-object] the body is " +
                                           std::string(json_type(body)) + ", not a JSON object");
    }
    constexpr std::array<const char *, 3> fields{"session", "access_token", "refresh_token"};
    std::array<std::string, 3> values;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const auto found = body.find(fields[i]);
      if (found == body.end()) {
        return broken_contract(exchange, std::string("[protocol.field-missing] no \"") + fields[i] +
                                             "\" in the body");
      }
      if (!found->is_string()) {
        return broken_contract(exchange, std::string("[protocol.field-type] \"") + fields[i] +
                                             "\" is " + std::string(json_type(*found)) +
                                             ", not a string");
      }
      values[i] = found->get<std::string>();
      if (values[i].empty()) {
        return broken_contract(exchange, std::string("[protocol.field-empty] \"") + fields[i] +
                                             "\" is an empty string");
      }
    }
    auto access = decode_jwt(values[1]);
    auto refresh = decode_jwt(values[2]);
    for (const auto *decoded : {&access, &refresh}) {
      if (!*decoded) {
        const char *name = decoded == &access ? "access_token" : "refresh_token";
        return broken_contract(exchange,
                               std::string("[protocol.not-jwt] \"") + name +
                                   "\" is not a JWT: " + std::string(to_string(decoded->error)));
      }
    }
    Credentials credentials{std::move(values[0]), std::move(values[1]), std::move(values[2]),
                            std::move(*access.jwt), std::move(*refresh.jwt)};
    return {std::move(credentials), std::nullopt, exchange};
  }

  std::string message = message_of(exchange.body);
  const std::string said = summary_of(exchange, message);
  switch (status) {
  case 400:
    return failed(exchange, ErrorKind::invalid_request, std::move(message),
                  "the server found the request malformed or its values invalid; it said " + said);
  case 401:
    return failed(exchange, ErrorKind::invalid_key, std::move(message),
                  "the server refused the key as invalid or expired; it said " + said);
  case 405:
    return failed(exchange, ErrorKind::method_not_allowed, std::move(message),
                  "the server does not allow this method" +
                      std::string(exchange.header("Allow").empty()
                                      ? ""
                                      : " (Allow: " + exchange.header("Allow") + ")") +
                      "; it said " + said);
  default: {
    std::optional<std::chrono::seconds> wait;
    const std::string advice = retry_advice(exchange, wait);
    auto result =
        failed(exchange, ErrorKind::unexpected_status, std::move(message),
               "a status the Authentication API does not document; it said " + said + advice);
    result.error->retry_after = wait;
    return result;
  }
  }
}

} // namespace inspekt
