#pragma once
// Why a request got the answer it got, when the answer's name alone does not say: the
// access log shows it (reason=content_type), so that a user whose login was refused
// learns what to fix, and a test sees a quota, chaos or Prefer at work. The answer's
// body stays the fixture's.

#include "inspekt/mock/tokens/token_refusal.hpp"

#include <array>
#include <optional>
#include <ostream>
#include <string_view>

namespace inspekt::mock {

enum class Reason {
  content_type,         // Content-Type missing or not application/json
  not_json,             // the body is not JSON (empty, malformed, not UTF-8)
  too_deep,             // the body nests deeper than the handler reads
  not_object,           // the body is JSON but not an object
  key_missing,          // no "key"
  key_not_string,       // "key" is a number, null, an object, ...
  key_empty,            // "key" is ""
  client_id_not_string, // "client_id" is there and not a string
  prefer_invalid,       // a Prefer header the mock cannot meet (the 400 says why)
  prefer,               // the Prefer header chose the answer
  quota,                // over the key's quota
  chaos,                // the key's chaos struck
  // The token gate's refusals (token_refusal.hpp), each named as its answer, and a
  // guarded request's body that does not parse.
  token_missing,
  token_invalid,
  token_expired,
  token_revoked,
  session_missing,
  session_mismatch,
  upload_body, // a broken multipart, form or JSON upload body (the 400 says what)
};

struct ReasonName {
  Reason reason;
  std::string_view name;
  std::string_view meaning; // for the documentation
};

// The one list of reasons: the log, docs/mock.md and its check read it.
inline constexpr std::array<ReasonName, 19> reason_names{{
    {Reason::content_type, "content_type", "Content-Type missing or not application/json"},
    {Reason::not_json, "not_json", "the body is not JSON (empty, malformed, not UTF-8)"},
    {Reason::too_deep, "too_deep", "the body nests deeper than the mock reads"},
    {Reason::not_object, "not_object", "the body is JSON but not an object"},
    {Reason::key_missing, "key_missing", "no \"key\" in the body"},
    {Reason::key_not_string, "key_not_string", "\"key\" is not a string"},
    {Reason::key_empty, "key_empty", "\"key\" is an empty string"},
    {Reason::client_id_not_string, "client_id_not_string",
     "\"client_id\" is there and not a string"},
    {Reason::prefer_invalid, "prefer_invalid",
     "a Prefer header the mock cannot meet (the 400's message says why)"},
    {Reason::prefer, "prefer", "the Prefer header chose the answer"},
    {Reason::quota, "quota", "the key's quota is used up (429)"},
    {Reason::chaos, "chaos", "the key's chaos struck"},
    {Reason::token_missing, "token_missing",
     "a guarded request without `Authorization: Bearer <token>`"},
    {Reason::token_invalid, "token_invalid",
     "a bearer token that is not a refresh_token these fixtures signed"},
    {Reason::token_expired, "token_expired", "the bearer token's exp has come on the mock's clock"},
    {Reason::token_revoked, "token_revoked", "the token's session or its key was revoked"},
    {Reason::session_missing, "session_missing", "a guarded request that names no session"},
    {Reason::session_mismatch, "session_mismatch", "the request's session is not the token's sid"},
    {Reason::upload_body, "upload_body",
     "a guarded request's body that does not parse (the 400's message says why)"},
}};

constexpr std::string_view to_string(Reason reason) {
  for (const auto &entry : reason_names) {
    if (entry.reason == reason) {
      return entry.name;
    }
  }
  return "unknown";
}

// The reason a refusal of the token gate is logged with: the one of the same name.
constexpr Reason reason_of(TokenRefusal refusal) {
  for (const auto &entry : reason_names) {
    if (entry.name == to_string(refusal)) {
      return entry.reason;
    }
  }
  return Reason::token_invalid; // unreachable: checked below
}

constexpr bool every_token_refusal_is_a_reason() {
  for (const auto &entry : token_refusal_names) {
    if (to_string(reason_of(entry.refusal)) != entry.name) {
      return false;
    }
  }
  return true;
}
static_assert(every_token_refusal_is_a_reason(), "reason_names: a row per token refusal");

inline std::ostream &operator<<(std::ostream &out, Reason reason) {
  return out << to_string(reason);
}

} // namespace inspekt::mock
