#pragma once
// Which tokens the mock has revoked since it started (or was reset): one session's,
// through the admin API's tokens/revoke, or every token issued for a key that was
// revoked. Per replica, as the journal is: a replica knows the tokens it issued.
//
// How revoking a key reaches its tokens: the tokens carry nothing that names the key
// (no claim is added: the tokens a seed gives are users' snapshots, and a claim
// derived from the key would be one more thing about the key in every token). Instead
// the mock writes down, at each login, which key its refresh token's `jti` was issued
// for: a bounded book, oldest forgotten first (`issued_capacity`). A revoked key's
// tokens issued before its revocation are refused; a token the book does not know (it
// came from another replica, from before a reset, or was forgotten) is not refused for
// its key, only for its session. The book holds the key's digest (key_store.hpp), never
// the key. Thread-safe: logins write while guarded requests read.

#include "inspekt/mock/fixtures/key_store.hpp"
#include "inspekt/mock/tokens/token_verifier.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace inspekt::mock {

class TokenRevocations {
public:
  static constexpr std::size_t default_issued_capacity = 65536;
  static constexpr std::size_t default_max_revoked_sessions = 65536;

  explicit TokenRevocations(std::size_t issued_capacity = default_issued_capacity,
                            std::size_t max_revoked_sessions = default_max_revoked_sessions);

  // At a login: the refresh token with this `jti` was issued for the key with digest
  // `key`. A jti that is not a UUID (the issuer's always are) is not written down.
  void record_issued(std::string_view jti, const KeyDigest &key);

  enum class Revoked { now, already, full };
  // Refuses every token of `session` from now on; `full` when max_revoked_sessions are
  // revoked already (nothing changed).
  Revoked revoke_session(std::string_view session);
  // Refuses every token issued for `key` until now (tokens the book still knows).
  void revoke_key(const KeyDigest &key);

  // Whether `token` (verified) was revoked, through its session or its key.
  bool revoked(const VerifiedToken &token) const;

  // Everything forgotten: no revocation, no issued token known (POST /__admin/reset).
  void clear();

  std::size_t issued_known() const;
  std::size_t sessions_revoked() const;

private:
  using Jti = std::array<std::uint64_t, 2>; // a UUID's 128 bits
  struct JtiHash {
    std::size_t operator()(const Jti &jti) const {
      return static_cast<std::size_t>(jti[0] ^ (jti[1] * 0x9e3779b97f4a7c15ULL));
    }
  };
  struct Issued {
    Jti jti;
    std::uint32_t key; // index in keys_
  };
  static std::optional<Jti> pack(std::string_view uuid);
  // The key's index in key_revoked_before_, made when new. Under the lock.
  std::uint32_t key_id(const KeyDigest &key);

  std::size_t issued_capacity_;
  std::size_t max_revoked_sessions_;

  mutable std::shared_mutex mutex_;
  // The book: issued_[i] is the login numbered first_issued_ + i, oldest first.
  std::deque<Issued> issued_;
  std::uint64_t first_issued_ = 0;
  std::unordered_map<Jti, std::uint64_t, JtiHash> by_jti_; // -> the login's number
  std::map<KeyDigest, std::uint32_t> key_ids_;
  std::optional<std::pair<KeyDigest, std::uint32_t>> last_key_; // the last key_id() found
  // Per key id: the number of the first login after its revocation (none: not revoked).
  std::vector<std::optional<std::uint64_t>> key_revoked_before_;
  std::unordered_set<std::string> sessions_;
};

} // namespace inspekt::mock
