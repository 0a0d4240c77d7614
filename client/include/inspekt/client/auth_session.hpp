#pragma once
// A login kept for the calls that need it: the vendor's next calls (the Damage API's
// POST /api/upload) carry "Authorization: Bearer <refresh_token>" and the login's
// `session`. AuthSession logs in on first use, hands each call a Grant (the header value
// and the session), logs in again when the refresh token's `exp` comes within a margin
// of the clock, and once after the downstream answers 401 to a grant; a second 401 in a
// row is returned as an error, never retried in a loop.
//
// Thread-safe: one session serves any number of threads, and at most one login runs at
// a time. Each login has a generation; invalidating a grant that is no longer the
// current one does nothing, so N threads refused on the same grant cause one login.
//
// Like AuthClient, nothing here throws for an answer: errors are values. The API key
// is kept in memory for the logins and appears in no error text.

#include "inspekt/client/auth_client.hpp"
#include "inspekt/core/credentials.hpp"
#include "inspekt/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace inspekt {

// What one call needs from the login. Cheap to copy: the credentials are shared.
struct Grant {
  std::shared_ptr<const Credentials> credentials;
  std::uint64_t generation = 0; // which login gave it: 1 for the first, then 2, ...
  // The refresh token's `exp`; empty when the token has no numeric `exp`, in which case
  // only a 401 makes the session log in again.
  std::optional<std::chrono::system_clock::time_point> expires_at;

  // "Bearer <refresh_token>", the Authorization header's value.
  std::string authorization() const { return credentials->authorization_header(); }
  // The login's session, for the body, form field or query of the call.
  const std::string &session() const { return credentials->session; }
};

struct SessionOptions {
  std::optional<std::string> client_id; // sent with every login
  // Log in again when the refresh token expires within this margin of now. A margin at
  // least the token's lifetime makes every call log in.
  std::chrono::seconds refresh_margin{30};
  // Now, for the margin; tests inject their own.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

// The downstream status that makes a session log in again.
inline constexpr int unauthorized_status = 401;

enum class SessionErrorKind {
  login,   // logging in failed; `login` holds AuthClient's error (invalid_key, transport...)
  refused, // the downstream answered 401 to a grant from a fresh login too
};

std::string_view to_string(SessionErrorKind kind);
std::ostream &operator<<(std::ostream &os, SessionErrorKind kind);

struct SessionError {
  SessionErrorKind kind = SessionErrorKind::login;
  std::optional<AuthError> login; // set exactly when kind == login
  std::optional<int> status;      // the downstream's status when kind == refused
  std::string description;        // for people; never contains the key or a token
};

// "login: invalid_key (401): ..." or "refused (401): ..."
std::ostream &operator<<(std::ostream &os, const SessionError &error);

struct GrantResult {
  std::optional<Grant> grant; // set exactly when error is not
  std::optional<SessionError> error;

  explicit operator bool() const { return grant.has_value(); }
};

struct CallResult {
  std::optional<int> status; // the downstream's last status, when the call was made
  std::optional<SessionError> error;
  int attempts = 0; // how many times the call ran: 0 (login failed), 1 or 2

  // The call ran and its last answer was not a 401 (any other status is the caller's
  // to judge).
  explicit operator bool() const { return !error.has_value(); }
};

class AuthSession {
public:
  // `client` says where to log in; `key` is the API key (from the environment or a
  // file, never a command line). Nothing is sent before the first grant().
  AuthSession(AuthClient client, std::string key, SessionOptions options = {});
  ~AuthSession(); // wipes the key from memory
  AuthSession(const AuthSession &) = delete;
  AuthSession &operator=(const AuthSession &) = delete;

  // The current grant, logging in first when there is none, when it was invalidated,
  // or when its refresh token expires within the margin. Threads that ask while a login
  // runs wait for it and share its grant.
  GrantResult grant();

  // The downstream refused `grant` (a 401): the next grant() logs in again. A grant of
  // an earlier generation than the current one is ignored, as another thread already
  // caused the new login.
  void invalidate(const Grant &grant);

  // Runs `call` with a grant; `call` makes the downstream request and returns its
  // HTTP status. On a 401 the grant is invalidated and `call` runs once more with a
  // fresh login's grant; a second 401 is a `refused` error.
  CallResult call(const std::function<int(const Grant &)> &call);

  // How many logins succeeded; the last one's generation.
  std::uint64_t logins() const;

private:
  const AuthClient client_;
  std::string key_;
  const SessionOptions options_;
  mutable std::mutex mutex_;
  std::optional<Grant> current_;
  std::uint64_t generation_ = 0;
};

} // namespace inspekt
