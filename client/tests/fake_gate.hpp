#pragma once
// A stand-in for the vendor's login and its guarded next call, on loopback, for the
// client's tests: POST /api/authenticate issues HS256 tokens whose `exp` follows a clock
// the test moves, and POST /api/upload admits a request as the mock's token gate does
// (docs/token-gate.md): "Authorization: Bearer <refresh_token>" signed here, unexpired,
// not revoked, of type refresh, and a `session` (JSON member, form field or query
// parameter) equal to its `sid`. Refusals are 401 with a WWW-Authenticate header and a
// JSON {"message"} naming the reason, or 400 for a missing session. It counts logins
// and uploads, which is how the tests see what a client did.

#include "test_support/local_servers.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace inspekt::testing {

class FakeGate {
public:
  static constexpr const char *valid_key = "gate-test-key-0c9e";

  FakeGate();

  std::string base_url() const { return server_.base_url(); }

  // The gate's clock, in seconds since the epoch; starts at the real time.
  std::int64_t now() const { return now_; }
  void advance(std::int64_t seconds) { now_ += seconds; }
  void set_lifetime(std::int64_t seconds) { lifetime_ = seconds; }

  // Every token of this session is refused as token_revoked from now on.
  void revoke(const std::string &session);
  // Every token issued so far is refused as token_revoked (a revoked key), while logins
  // go on succeeding; with `always`, later tokens too.
  void revoke_all(bool always = false);

  // The next `count` uploads are refused as token_revoked whatever they carry, as when
  // a session is revoked between a login and its call.
  void refuse_next(int count) { refuse_next_ = count; }

  int logins() const { return logins_; }
  int failed_logins() const { return failed_logins_; }
  int uploads_accepted() const { return accepted_; }
  int uploads_refused() const { return refused_; }
  // The reason of the last refusal ("token_expired", ...), or "" when none yet.
  std::string last_reason() const;
  // Names and sizes of the last accepted multipart upload's parts, "name:filename:size".
  std::vector<std::string> last_parts() const;

private:
  std::atomic<std::int64_t> now_;
  std::atomic<std::int64_t> lifetime_{3600};
  std::atomic<int> logins_{0};
  std::atomic<int> failed_logins_{0};
  std::atomic<int> accepted_{0};
  std::atomic<int> refused_{0};
  std::atomic<int> sessions_{0};
  std::atomic<int> refuse_next_{0};
  mutable std::mutex mutex_;
  std::set<std::string> revoked_;  // sessions
  std::int64_t revoked_below_ = 0; // tokens whose "seq" is below this are revoked
  bool revoke_always_ = false;
  std::string last_reason_;
  std::vector<std::string> last_parts_;
  LocalHttpServer server_;
};

} // namespace inspekt::testing
