#pragma once
// What a fixture set says the mock answers. Built only by the loader, which refuses
// anything inconsistent, so the rest of the mock can trust these values.

#include "inspekt/client/jwt.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inspekt::mock {

enum class KeyStatus { valid, expired, revoked };
std::string_view to_string(KeyStatus status);

struct ApiKeyEntry {
  std::string key;
  KeyStatus status = KeyStatus::valid;
  std::string label;
};

// Every answer the mock can give; each has a response template in the fixtures.
enum class Outcome {
  success,
  invalid_request,
  unknown_key,
  expired_key,
  revoked_key,
  method_not_allowed,
  not_found,
  payload_too_large,
};
inline constexpr std::array<Outcome, 8> all_outcomes{
    Outcome::success,     Outcome::invalid_request,  Outcome::unknown_key,
    Outcome::expired_key, Outcome::revoked_key,      Outcome::method_not_allowed,
    Outcome::not_found,   Outcome::payload_too_large};
std::string_view to_string(Outcome outcome);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A body is a JSON template (string values "{{session}}", "{{access_token}}",
// "{{refresh_token}}" and "{{client_id}}" are filled in per request) or raw text sent as is.
struct ResponseTemplate {
  int status = 200;
  HeaderList headers;
  std::optional<nlohmann::json> json_body;
  std::optional<std::string> raw_body;
  bool needs_credentials = false; // the body names a session or a token
};

struct TokenKindSettings {
  std::string type; // the "token_type" claim
  std::chrono::seconds lifetime{0};
  nlohmann::json claims = nlohmann::json::object(); // extra claims, never reserved ones
};

struct TokenSettings {
  JwtAlgorithm algorithm = JwtAlgorithm::hs256;
  std::string secret;
  std::string issuer;
  TokenKindSettings access;
  TokenKindSettings refresh;
};

// "in{digits:4}{timestamp}": literal text and placeholders, parsed once at load.
struct SessionIdPart {
  enum class Kind { literal, digits, hex, timestamp, uuid };
  Kind kind = Kind::literal;
  std::string text; // for literal
  int width = 0;    // for digits and hex
};

struct SessionIdFormat {
  std::string pattern;
  std::vector<SessionIdPart> parts;
};

struct FixtureSet {
  std::string origin; // "embedded default" or the directory it came from
  std::vector<ApiKeyEntry> keys;
  std::array<ResponseTemplate, all_outcomes.size()> responses;
  TokenSettings tokens;
  SessionIdFormat session;

  const ResponseTemplate &response(Outcome outcome) const {
    return responses[static_cast<std::size_t>(outcome)];
  }
};

} // namespace inspekt::mock
