#pragma once
// POST /api/authenticate as a plain function from a request value to a response value,
// so that every documented behaviour can be tested without sockets. The transports
// (mock_server.hpp) only carry requests and answers to and from it.

#include "inspekt/client/endpoint.hpp"
#include "inspekt/mock/control/fault.hpp"
#include "inspekt/mock/control/journal.hpp"
#include "inspekt/mock/control/mock_state.hpp"
#include "inspekt/mock/control/prefer.hpp"
#include "inspekt/mock/control/quota_book.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/fixtures/json_template.hpp"
#include "inspekt/mock/fixtures/key_store.hpp"
#include "inspekt/mock/reason.hpp"
#include "inspekt/mock/tokens/clock.hpp"
#include "inspekt/mock/tokens/entropy.hpp"
#include "inspekt/mock/tokens/session_id.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

using inspekt::authenticate_path; // the one definition, in the client (endpoint.hpp)

struct HttpRequest {
  std::string method;
  std::string path;
  std::optional<std::string> content_type; // absent when the header is missing
  std::string body;
  bool body_too_large = false; // the transport stopped reading at the limit
  // The Prefer header's value (several field lines joined with ", "), when sent.
  std::optional<std::string> prefer;
  // The Authorization header's value, when sent (the admin API's Bearer token). Never
  // logged or recorded.
  std::optional<std::string> authorization;
  std::string query; // the target's part after '?' (before any '#'), as sent
};

class DeferredAnswer;

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Applied by the engine (DESIGN.md, "The control plane"): the answer leaves after
  // `delay` (a timer on the event loop, never a sleep), and misbehaves on the wire as
  // `fault` says. SLOW_BODY trickles the body out over `delay` instead.
  std::chrono::milliseconds delay{0};
  std::optional<Fault> fault;
  // An answer that another thread computes (the admin API's calls, which may read a
  // whole fixture set): when set, everything above is ignored and the engine sends what
  // `deferred` is given once it is given. The connection's later requests wait, as
  // behind a delay; the event loop goes on serving every other connection meanwhile.
  std::shared_ptr<DeferredAnswer> deferred;
};

// Where a thread leaves an answer for the event loop that holds the request (it looks
// every deferred_poll_interval, on its timer). Thread-safe; give() counts once.
class DeferredAnswer {
public:
  void give(HttpResponse response) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!given_) {
      given_ = true;
      answer_ = std::move(response);
    }
  }
  std::optional<HttpResponse> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<HttpResponse> taken = std::move(answer_);
    answer_.reset();
    return taken;
  }

private:
  std::mutex mutex_;
  bool given_ = false;
  std::optional<HttpResponse> answer_;
};

inline constexpr std::chrono::milliseconds deferred_poll_interval{1};

// What the access log may say about a request; never the key or a token.
struct RequestFacts {
  std::string answer;   // the name of the answer given (responses.json), e.g. "success"
  std::string key_hint; // the key's first characters (at most 4) and "...", when sent
  std::optional<std::string> client_id;
  std::optional<Reason> reason; // why, when the answer's name does not say it all
  // False for the admin API's own calls: they go to the access log, not the journal.
  bool journaled = true;
  std::optional<std::uint64_t> key_tag{}; // the key's key_tag(), when sent: never the key
};

struct HandledRequest {
  HttpResponse response;
  RequestFacts facts;
};

// `--ignore-prefer` turns the Prefer header off: requests are answered as without it.
enum class PreferHeader { honoured, ignored };

// What the engine asks of whatever answers requests: AuthHandler in the mock; tests
// give others (an answer with a delay or a fault, whatever the fixtures say).
class Responder {
public:
  virtual ~Responder() = default;
  // Thread-safe: called from every event loop at once.
  virtual HandledRequest handle(const HttpRequest &request) const = 0;
  // The answer for a refusal the engine decides itself (413, a request it cannot
  // parse), without credentials.
  virtual HttpResponse respond(Outcome outcome) const = 0;
  // Where the engine records the requests this responder answers (the admin API's
  // journal), or nullptr for none.
  virtual Journal *journal() const { return nullptr; }
  // Whether a request to `path` that the engine refused itself (413, a request it
  // cannot parse) goes to that journal: not when the path is one the responder keeps
  // out of it (the admin API's own).
  virtual bool journals(std::string_view /*path*/) const { return true; }
};

class AuthHandler final : public Responder {
public:
  // With a state of its own.
  explicit AuthHandler(FixtureSet fixtures, DeterminismOptions determinism = {},
                       PreferHeader prefer = PreferHeader::honoured);
  // Sharing `state` (clock, quotas, randomness) with the sets before and after it: the
  // runtime (mock_runtime.hpp) builds one per key-set change.
  AuthHandler(FixtureSet fixtures, std::shared_ptr<MockState> state, PreferHeader prefer);
  // The same, sharing an immutable set (the runtime's set as loaded, without copying it).
  AuthHandler(std::shared_ptr<const FixtureSet> fixtures, std::shared_ptr<MockState> state,
              PreferHeader prefer);

  // Thread-safe: may be called from many connections at once.
  HandledRequest handle(const HttpRequest &request) const override;

  // The fixture's answer for an outcome decided outside the handler (the transport's
  // own 413 or 400), without credentials.
  HttpResponse respond(Outcome outcome) const override;

  const FixtureSet &fixtures() const { return *fixtures_; }
  // The entry a login with `key` would use, or nullptr (constant-time, as for logins).
  const ApiKeyEntry *find_key(std::string_view key) const { return keys_.find(key); }

  // The control plane's state, for the admin API: the one clock (iat/exp, session
  // timestamps, quota windows) and the quotas' windows. Both are thread-safe.
  Clock &clock() const { return state_->clock; }
  QuotaBook &quotas() const { return state_->quotas; }

private:
  struct Decision {
    AnswerId answer = 0;
    RequestFacts facts;
    std::chrono::milliseconds delay{0};
    std::optional<Fault> fault;
    std::optional<std::chrono::seconds> lifetime;
    std::optional<std::chrono::seconds> retry_after; // a quota's
    std::string prefer_problem;                      // a Prefer header's, answered 400
    std::optional<Preference> preference;            // a Prefer header's, applied
  };
  Decision decide(const HttpRequest &request) const;
  void apply_key(const ApiKeyEntry &entry, const KeyDigest &digest, bool answer_preferred,
                 Decision &decision) const;
  std::string apply_preference(const Preference &preference, Decision &decision) const;
  HttpResponse render(const Decision &decision) const;

  std::shared_ptr<const FixtureSet> fixtures_;
  KeyStore keys_;
  TokenIssuer issuer_;
  std::shared_ptr<MockState> state_;
  mutable SessionIdGenerator sessions_; // after state_: keyed from its entropy
  PreferHeader prefer_;
  // Per answer (FixtureSet::answers): the body when it is the same every time, else
  // its template.
  std::vector<std::optional<std::string>> fixed_bodies_;
  std::vector<std::optional<JsonTemplate>> templates_;
};

} // namespace inspekt::mock
