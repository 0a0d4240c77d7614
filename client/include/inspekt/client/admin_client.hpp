#pragma once
// A client for inspekt-mock's admin API (`/__admin/...`, docs/admin-api.md), for an
// app's own tests: read and count the request journal, add and revoke keys, set the
// clock, reset, reload the fixtures. Like AuthClient, nothing here throws for an answer:
// every call returns its typed value or an AdminError, and a client made from bad options
// reports valid() == false and sends nothing.
//
// It shares AuthClient's transport (base URL parsing, TLS and CA file, timeouts), and
// each call uses its own connection, so one AdminClient may be used from several threads.

#include "inspekt/client/auth_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt {

// Where the admin API lives under the mock's base URL.
inline constexpr std::string_view admin_path_prefix = "/__admin";

struct AdminOptions {
  // The mock's base URL ("http://127.0.0.1:8080") or its admin URL (the same with
  // "/__admin", as scripts/with-mock exports it in INSPEKT_ADMIN_URL); timeouts, CA file.
  ClientOptions http = [] {
    ClientOptions local;
    local.base_url = "http://127.0.0.1:8080"; // the mock's default, not the live service
    return local;
  }();
  // Sent as "Authorization: Bearer <token>" when not empty: needed when the mock was
  // started with --admin-token, --admin-token-file or INSPEKT_ADMIN_TOKEN. It appears
  // in no error text.
  std::string token;
};

enum class AdminErrorKind {
  refused,   // the admin API answered an error status (400, 401, 403, 404, 405, 409, 422)
  transport, // no answer: connect refused, timeout, TLS, bad options
  protocol,  // an answer whose status or body is not the documented one
};

std::string_view to_string(AdminErrorKind kind);
std::ostream &operator<<(std::ostream &os, AdminErrorKind kind);

struct AdminError {
  AdminErrorKind kind = AdminErrorKind::transport;
  std::optional<int> status; // when the mock answered
  std::string message;       // the answer's "message", or what went wrong, for people
  std::string field;         // the field or parameter at fault, when the answer names one
  std::string id;            // a refused reload's fixture error id ("fixture.bad-json")
};

// "refused (400, field limit): limit must be a non-negative integer"
std::ostream &operator<<(std::ostream &os, const AdminError &error);

template <typename T> struct AdminResult {
  std::optional<T> value; // set exactly when error is not
  std::optional<AdminError> error;

  explicit operator bool() const { return value.has_value(); }
  const T &operator*() const { return *value; }
  const T *operator->() const { return &*value; }
};

struct Health {
  std::string status; // "ok"
  std::string version;
  std::int64_t uptime_seconds = 0;
  std::int64_t keys = 0; // keys the set in use answers, runtime keys included
  std::string fixtures;  // where the set came from
};

// One request the mock answered, as the journal holds it: never a whole key or a token.
struct JournalEntry {
  std::uint64_t id = 0; // from 1, one more per recorded request
  std::string time;     // UTC, "2026-12-02T19:35:08.123Z"
  std::string method;
  std::string path;
  int status = 0;
  std::optional<std::string> answer;   // the fixtures' answer name ("success")
  std::optional<std::string> key_hint; // as in the access log: "demo..."
  std::optional<std::string> client_id;
  double duration_ms = 0;
  std::optional<std::string> fault;
  std::optional<std::string> prefer;
  std::optional<std::string> reason;
};

struct Journal {
  std::vector<JournalEntry> requests; // newest first
  std::uint64_t total = 0;            // recorded since start or the last clear/reset
  std::uint64_t dropped = 0;          // of those, no longer held (held = total - dropped)
};

// What POST /__admin/requests/count matches; unset fields match anything. key_hint
// matches "demo..." or "demo".
struct RequestFilter {
  std::optional<std::string> method;
  std::optional<int> status;
  std::optional<std::string> answer;
  std::optional<std::string> client_id;
  std::optional<std::string> key_hint;
  std::optional<std::string> path;

  nlohmann::json to_json() const;
};

struct AddedKey {
  std::string key_hint;
  std::string answer;
  std::int64_t keys = 0; // keys the set answers now
};

struct RevokedKey {
  std::string key_hint; // the answer's "revoked"
  bool known = false;   // whether the set or a runtime key had it
};

struct ClockState {
  std::chrono::seconds now{0}; // since the epoch
  std::chrono::milliseconds now_ms{0};
  bool frozen = false;
};

struct Reloaded {
  std::string fixtures;
  std::int64_t keys = 0;
  double load_ms = 0;
  double swap_ms = 0;
};

class AdminClient {
public:
  explicit AdminClient(AdminOptions options);

  bool valid() const { return !error_.has_value(); }
  const std::optional<AdminError> &error() const { return error_; }
  // "http://127.0.0.1:8080/__admin", whichever form the options gave.
  std::string admin_url() const;

  AdminResult<Health> health() const;
  // GET /__admin/requests[?limit=N], newest first; no limit: every held entry.
  AdminResult<Journal> requests(std::optional<std::uint64_t> limit = std::nullopt) const;
  AdminResult<std::uint64_t> count(const RequestFilter &filter = {}) const;
  // DELETE /__admin/requests: how many entries were held.
  AdminResult<std::uint64_t> clear_requests() const;
  // A key entry exactly as in keys.json ({"key": ..., "answer": ..., "delay_ms": ...}).
  AdminResult<AddedKey> add_key(const nlohmann::json &entry) const;
  // Later logins with the key get the revoked_key answer, known or not. The key goes in
  // the body and appears in no error text.
  AdminResult<RevokedKey> revoke(std::string_view key) const;
  AdminResult<ClockState> clock() const;
  AdminResult<ClockState> set_clock(std::chrono::seconds since_epoch) const;
  AdminResult<ClockState> advance_clock(std::chrono::seconds by) const;
  // Journal, runtime keys, revocations, quotas and clock back to how the mock started.
  AdminResult<bool> reset() const;
  // Re-reads the fixtures; a broken set is refused (422, error.id) and the old one serves.
  AdminResult<Reloaded> reload() const;

  // Any admin call: `path` under /__admin ("/health"), `body` sent as JSON when set.
  // The answer's JSON on the expected status, an AdminError otherwise.
  AdminResult<nlohmann::json> call(std::string_view method, std::string_view path,
                                   const std::optional<nlohmann::json> &body = std::nullopt,
                                   int expected_status = 200) const;

private:
  AdminOptions options_;
  AuthClient http_; // on the mock's base URL, "/__admin" taken off
  std::optional<AdminError> error_;
};

} // namespace inspekt
