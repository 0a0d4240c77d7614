#include "inspekt/client/auth_session.hpp"

#include <openssl/crypto.h>

#include <utility>

namespace inspekt {
namespace {

// The refresh token's `exp` (seconds since the epoch, RFC 7519 section 4.1.4).
std::optional<std::chrono::system_clock::time_point> expiry_of(const Credentials &credentials) {
  const auto exp = credentials.refresh.claims.find("exp");
  if (exp == credentials.refresh.claims.end() || !exp->is_number()) {
    return std::nullopt;
  }
  const auto seconds = exp->get<double>();
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(seconds)));
}

} // namespace

std::string_view to_string(SessionErrorKind kind) {
  switch (kind) {
  case SessionErrorKind::login:
    return "login";
  case SessionErrorKind::refused:
    return "refused";
  }
  return "unknown";
}

std::ostream &operator<<(std::ostream &os, SessionErrorKind kind) {
  return os << to_string(kind);
}

std::ostream &operator<<(std::ostream &os, const SessionError &error) {
  os << error.kind;
  if (error.login) {
    return os << ": " << *error.login;
  }
  if (error.status) {
    os << " (" << *error.status << ")";
  }
  return os << ": " << error.description;
}

AuthSession::AuthSession(AuthClient client, std::string key, SessionOptions options)
    : client_(std::move(client)), key_(std::move(key)), options_(std::move(options)) {}

AuthSession::~AuthSession() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

GrantResult AuthSession::grant() {
  // The lock is held through the login: a thread that finds no usable grant must wait
  // for the login in progress anyway, and holding it is what keeps logins one at a time.
  const std::lock_guard<std::mutex> lock(mutex_);
  if (current_ && (!current_->expires_at ||
                   options_.clock() + options_.refresh_margin < *current_->expires_at)) {
    return {current_, std::nullopt};
  }
  current_.reset();
  auto result = client_.authenticate(key_, options_.client_id);
  if (!result) {
    SessionError error{SessionErrorKind::login, std::move(result.error), std::nullopt, {}};
    error.description = "logging in at " + client_.base_url().to_string() + " failed";
    return {std::nullopt, std::move(error)};
  }
  auto credentials = std::make_shared<const Credentials>(std::move(*result.credentials));
  const auto expires_at = expiry_of(*credentials);
  current_ = Grant{std::move(credentials), ++generation_, expires_at};
  return {current_, std::nullopt};
}

void AuthSession::invalidate(const Grant &grant) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (current_ && current_->generation == grant.generation) {
    current_.reset();
  }
}

CallResult AuthSession::call(const std::function<int(const Grant &)> &call) {
  CallResult outcome;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto granted = grant();
    if (!granted) {
      outcome.error = std::move(granted.error);
      return outcome;
    }
    ++outcome.attempts;
    outcome.status = call(*granted.grant);
    if (*outcome.status != unauthorized_status) {
      return outcome;
    }
    invalidate(*granted.grant); // the next grant() comes from a newer login
  }
  outcome.error = SessionError{SessionErrorKind::refused, std::nullopt, outcome.status,
                               "the downstream answered 401 to a fresh login's grant too: the "
                               "login's tokens are not accepted there"};
  return outcome;
}

std::uint64_t AuthSession::logins() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

} // namespace inspekt
