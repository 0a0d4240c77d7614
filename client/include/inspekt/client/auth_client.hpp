#pragma once
// The thin client for POST {base}/api/authenticate. Every call returns a value: the
// credentials, or an AuthError saying which documented failure happened, plus the raw
// exchange whenever there was an answer. Nothing here throws for an HTTP answer.
//
// Construction never fails loudly either: a client made from bad options (a base URL
// parse_base_url refuses, an unreadable CA file) reports valid() == false, and every
// call on it returns that error without sending anything.
//
// Each call uses its own connection (no keep-alive), so one AuthClient may be used from
// several threads at once.

#include "inspekt/client/base_url.hpp"
#include "inspekt/core/credentials.hpp"
#include "inspekt/core/error.hpp"
#include "inspekt/core/exchange.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt {

inline constexpr std::string_view live_base_url = "https://reports.inspektlabs.com";

struct ClientOptions {
  std::string base_url{live_base_url};
  std::chrono::milliseconds connect_timeout{5000}; // TCP connect and the TLS handshake
  std::chrono::milliseconds read_timeout{10000};   // waiting for each part of the answer
  std::string ca_file;    // PEM file of trusted CAs; empty: the system trust store
  bool verify_tls = true; // false accepts any certificate: tests only
  std::string user_agent; // empty: "inspekt-client/<version>"
};

struct AuthResult {
  std::optional<Credentials> credentials; // set exactly when error is not
  std::optional<AuthError> error;
  std::optional<Exchange> exchange; // absent only when no answer came

  explicit operator bool() const { return credentials.has_value(); }
};

struct SendResult {
  std::optional<Exchange> exchange; // any status counts as an answer
  std::optional<AuthError> error;   // transport only
  // A connection (over https, a verified TLS session) was made, whatever came after;
  // false when the server could not be reached or was not trusted.
  bool connected = false;

  explicit operator bool() const { return exchange.has_value(); }
};

// The contract, without sockets: 200 with a JSON object holding non-empty strings
// session, access_token and refresh_token, both tokens decodable JWTs: Credentials.
// A 200 breaking that: protocol (description ids [protocol.not-json],
// [protocol.not-object], [protocol.field-missing], [protocol.field-type],
// [protocol.field-empty], [protocol.not-jwt]). 400, 401, 405: their kinds, with the
// answer's "message" when its body has one. Any other status: unexpected_status.
AuthResult classify(const Exchange &exchange);

// {"key": key, "client_id": client_id}; nothing when a value is not valid UTF-8.
std::optional<std::string> authenticate_body(std::string_view key,
                                             const std::optional<std::string> &client_id);

class AuthClient {
public:
  explicit AuthClient(ClientOptions options);

  bool valid() const { return !error_.has_value(); }
  // Why the options were refused ([url.*] or [tls.ca-file]), when !valid().
  const std::optional<AuthError> &error() const { return error_; }
  const ClientOptions &options() const { return options_; }
  // The parsed base URL; meaningful only when valid().
  const BaseUrl &base_url() const { return url_; }

  // POST {base}/api/authenticate with {"key", "client_id"}. The key appears in no
  // error text, even when the server echoes it back.
  AuthResult authenticate(std::string_view key,
                          std::optional<std::string> client_id = std::nullopt) const;

  // Any request, for the conformance suite: malformed bodies, other methods, paths.
  SendResult send(const RawRequest &request) const;

private:
  ClientOptions options_;
  BaseUrl url_;
  std::optional<AuthError> error_;
};

} // namespace inspekt
