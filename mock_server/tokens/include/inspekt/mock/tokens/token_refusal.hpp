#pragma once
// Why the token gate refused a guarded request (gate.hpp): each reason is the name of
// the answer the request gets (outcome.hpp), and what the access log and the journal
// record as its `reason`. Never the token itself.

#include "inspekt/mock/fixtures/outcome.hpp"

#include <array>
#include <ostream>
#include <string_view>

namespace inspekt::mock {

enum class TokenRefusal {
  token_missing,    // no `Authorization: Bearer <token>`
  token_invalid,    // not a refresh_token this fixture set signed
  token_expired,    // its exp has come on the mock's clock
  token_revoked,    // its session or its key was revoked
  session_missing,  // the request names no session
  session_mismatch, // the request's session is not the token's sid
};

struct TokenRefusalName {
  TokenRefusal refusal;
  std::string_view name;
  Outcome answer;
};

// The one list: names, and the answer each gets (rows in enum order).
inline constexpr std::array<TokenRefusalName, 6> token_refusal_names{{
    {TokenRefusal::token_missing, "token_missing", Outcome::token_missing},
    {TokenRefusal::token_invalid, "token_invalid", Outcome::token_invalid},
    {TokenRefusal::token_expired, "token_expired", Outcome::token_expired},
    {TokenRefusal::token_revoked, "token_revoked", Outcome::token_revoked},
    {TokenRefusal::session_missing, "session_missing", Outcome::session_missing},
    {TokenRefusal::session_mismatch, "session_mismatch", Outcome::session_mismatch},
}};

constexpr std::string_view to_string(TokenRefusal refusal) {
  return token_refusal_names[static_cast<std::size_t>(refusal)].name;
}

constexpr Outcome answer_of(TokenRefusal refusal) {
  return token_refusal_names[static_cast<std::size_t>(refusal)].answer;
}

constexpr bool token_refusal_rows_in_order() {
  for (std::size_t i = 0; i < token_refusal_names.size(); ++i) {
    if (static_cast<std::size_t>(token_refusal_names[i].refusal) != i ||
        to_string(token_refusal_names[i].answer) != token_refusal_names[i].name) {
      return false;
    }
  }
  return true;
}
static_assert(token_refusal_rows_in_order(),
              "token_refusal_names: rows in enum order, each named as its answer");

inline std::ostream &operator<<(std::ostream &out, TokenRefusal refusal) {
  return out << to_string(refusal);
}

} // namespace inspekt::mock
