#pragma once
// The mock as the admin API changes it while it serves (docs/admin-api.md): the
// fixture set in use, runtime keys and revocations over it, the state that outlives a
// set (clock, quotas, randomness: mock_state.hpp) and the request journal.
//
// The set in use is an immutable AuthHandler in a swap slot. Every change to the keys
// (a runtime key, a revocation, a reset, a reload) builds a whole new AuthHandler off to
// the side and swaps it in at once, one writer at a time. A request loads the pointer
// once and finishes on that set: in-flight requests end on the set they started with,
// and no request sees parts of two sets. Every member function is thread-safe.

#include "inspekt/mock/control/journal.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"
#include "inspekt/mock/handler/mock_state.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace inspekt::mock {

struct RuntimeOptions {
  FixtureSource source; // what reload() reads again
  DeterminismOptions determinism;
  PreferHeader prefer = PreferHeader::honoured;
  std::size_t journal_size = Journal::default_capacity;
  UploadLimits uploads; // the guarded routes' bodies (--max-upload)
};

// A change the runtime refuses, as the admin API answers it.
struct RuntimeRefusal {
  int status = 400;    // 400 bad entry, 409 conflict, 422 broken set
  std::string message; // "[fixture.type] keys.json: ...", or the conflict
  std::string id;      // the fixture error id, when there is one
  std::string field;   // the field at fault, when one is
};

struct AddedKey {
  std::string key_hint;
  std::string answer;
  std::size_t keys = 0; // keys the set in use answers now
};

struct Revoked {
  std::string key_hint;
  bool known = false; // the set in use listed the key
};

struct Reloaded {
  std::string origin;
  std::size_t keys = 0;
  double load_ms = 0; // reading, checking and building the new set
  double swap_ms = 0; // putting it in place
};

// Where a key of the set in use comes from.
enum class KeySource { fixtures, runtime, revocation }; // revocation: revoked, never listed

// The keys the set in use answers, for GET /__admin/keys: the set itself (the entries
// stay valid while it is held) and, per key in its order, where it came from and
// whether the admin API revoked it.
struct KeyListing {
  std::shared_ptr<const AuthHandler> set;
  std::vector<KeySource> sources; // one per set->fixtures().keys
  std::vector<bool> revoked;      // the same
};

template <class T> struct RuntimeResult {
  std::optional<T> value; // set on success
  RuntimeRefusal refusal; // otherwise
  explicit operator bool() const { return value.has_value(); }
};

class MockRuntime {
public:
  // Loads options.source; throws FixtureError when it is broken.
  explicit MockRuntime(RuntimeOptions options);
  // Starts with `fixtures` already loaded (reload() reads options.source).
  MockRuntime(FixtureSet fixtures, RuntimeOptions options);
  MockRuntime(const MockRuntime &) = delete;
  MockRuntime &operator=(const MockRuntime &) = delete;

  // The set in use. Load it once per request and answer with it.
  std::shared_ptr<const AuthHandler> handler() const;

  Journal &journal() const { return *journal_; }
  Clock &clock() const { return state_->clock; }
  std::chrono::steady_clock::time_point started() const { return started_; }

  // GET /__admin/keys: the set in use with where each key came from.
  KeyListing keys() const;
  // POST /__admin/keys: a keys.json entry, checked by the loader's own code.
  RuntimeResult<AddedKey> add_key(const nlohmann::json &entry);
  // POST /__admin/keys/revoke: later logins with `key` get revoked_key, and the
  // refresh tokens issued for it until now get token_revoked at the token gate.
  RuntimeResult<Revoked> revoke(const std::string &key);
  // POST /__admin/tokens/revoke: the tokens of `session` get token_revoked.
  TokenRevocations::Revoked revoke_session(const std::string &session);
  // POST /__admin/fixtures/reload (and SIGHUP, --watch): reads the source again. A
  // broken set is refused (422) and the set in use keeps serving.
  RuntimeResult<Reloaded> reload();
  // POST /__admin/reset: journal, runtime keys, revocations (of keys and of tokens),
  // quotas and clock as at start. The fixtures stay as last loaded (the files are the truth).
  void reset();

  // How many replaced sets were still held by someone when their change had waited a
  // second for them (so that a request, on an event loop, freed them). 0 unless
  // requests are stuck: a test's check that no change waits on itself.
  std::size_t sets_left_held() const { return sets_left_held_.load(); }

private:
  // The set in use built from `base` with the runtime keys and revocations applied;
  // throws FixtureError or a RuntimeRefusal.
  std::shared_ptr<const AuthHandler> build(const std::shared_ptr<const FixtureSet> &base) const;
  // Puts `next` in place and returns the set it replaced, for the caller to let go of
  // outside the timed swap (and outside any request's path).
  std::shared_ptr<const AuthHandler> swap_in(std::shared_ptr<const AuthHandler> next);
  // Frees the replaced set here (waiting for requests still on it), not on a loop.
  // The caller holds no other reference to it.
  void release(std::shared_ptr<const AuthHandler> old);
  std::atomic<std::size_t> sets_left_held_{0};

  RuntimeOptions options_;
  std::shared_ptr<MockState> state_;
  std::unique_ptr<Journal> journal_;
  std::chrono::steady_clock::time_point started_;

  mutable std::mutex writer_; // one change at a time
  // As loaded, before runtime keys and revocations; shared with the set in use when
  // there are none (a large set is then held once).
  std::shared_ptr<const FixtureSet> base_;
  std::vector<nlohmann::json> runtime_keys_;
  std::vector<std::string> revoked_;
  std::shared_ptr<const AuthHandler> current_; // std::atomic_load/store only
};

} // namespace inspekt::mock
