#pragma once
// POST /api/authenticate, and the routes the token gate guards (gate.json), as a plain
// function from a request value to a response value, so that every documented
// behaviour can be tested without sockets. The engine (engine/mock_server.hpp) only
// carries requests and answers to and from it.

#include "inspekt/core/endpoint.hpp"
#include "inspekt/mock/engine/responder.hpp"
#include "inspekt/mock/fixtures/fixture_set.hpp"
#include "inspekt/mock/fixtures/json_template.hpp"
#include "inspekt/mock/fixtures/key_store.hpp"
#include "inspekt/mock/handler/gate_decision.hpp"
#include "inspekt/mock/handler/mock_state.hpp"
#include "inspekt/mock/handler/prefer.hpp"
#include "inspekt/mock/handler/quota_book.hpp"
#include "inspekt/mock/handler/reason.hpp"
#include "inspekt/mock/handler/upload_body.hpp"
#include "inspekt/mock/tokens/clock.hpp"
#include "inspekt/mock/tokens/entropy.hpp"
#include "inspekt/mock/tokens/session_id.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"
#include "inspekt/mock/tokens/token_verifier.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

using inspekt::authenticate_path; // the one definition, in the client (endpoint.hpp)

// What the access log may say about a request; never the key or a token.
struct RequestFacts {
  std::string answer;   // the name of the answer given (responses.json), e.g. "success"
  std::string key_hint; // the key's first characters (at most 4) and "...", when sent
  std::optional<std::string> client_id;
  std::optional<Reason> reason;       // why, when the answer's name does not say it all
  std::chrono::milliseconds delay{0}; // held back before answering (delay_ms, Prefer: delay)
  // False for the admin API's own calls: they go to the access log, not the journal.
  bool journaled = true;
  std::optional<std::uint64_t> key_tag{}; // the key's key_tag(), when sent: never the key
  // A guarded request's multipart parts (name, filename, media type, size: never the
  // bytes); absent for other bodies and other routes.
  std::optional<std::vector<UploadPart>> parts{};
};

// The note the handler attaches to each answer (Responder::make_note): the engine hands
// it back with the delivery, for the access log and the journal.
struct FactsNote final : AnswerNote {
  RequestFacts facts;
};

// The facts a delivery's note carries, or nullptr when the responder left none.
inline const RequestFacts *facts_of(const AnswerNote *note) {
  const auto *noted = dynamic_cast<const FactsNote *>(note);
  return noted != nullptr ? &noted->facts : nullptr;
}

struct HandledRequest {
  HttpResponse response;
  RequestFacts facts;
};

// `--ignore-prefer` turns the Prefer header off: requests are answered as without it.
enum class PreferHeader { honoured, ignored };

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
              PreferHeader prefer, const UploadLimits &uploads = {});

  // Thread-safe: may be called from many connections at once. `note`, when given, is a
  // FactsNote (make_note()) and receives the request's facts.
  std::unique_ptr<AnswerNote> make_note() const override { return std::make_unique<FactsNote>(); }
  HttpResponse answer(const HttpRequest &request, AnswerNote *note) const override;
  // A guarded route's body as a stream (upload_sink.hpp), up to --max-upload; nullptr
  // for every other request (read whole, up to --max-body).
  std::shared_ptr<BodySink> open_body(const HttpRequest &head) const override;
  // The answer and its facts together (tests, the fuzzer, the admin API's callers).
  HandledRequest handle(const HttpRequest &request) const;

  // The most a guarded route's body may hold (--max-upload); larger ones get 413.
  std::uint64_t max_upload() const { return upload_limits_.max_bytes; }

  // The fixture's answer for an outcome decided outside the handler (the engine's own
  // 413 or 400), without credentials.
  HttpResponse respond(Outcome outcome) const;
  HttpResponse refuse(Refusal refusal) const override;

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
    // The mock's own 400 (a Prefer header it cannot meet, a broken upload body): its
    // message, which names the problem.
    std::string problem;
    std::optional<Preference> preference; // a Prefer header's, applied
    std::string allow;                    // a 405's Allow, when not the fixture's
    std::optional<KeyDigest> key;         // the key logged in with: its tokens are recorded
  };
  Decision decide(const HttpRequest &request) const;
  // A path other than the vendor's: a guarded route, a 405 with the route's methods, or
  // the 404.
  Decision decide_elsewhere(const HttpRequest &request) const;
  // A request to a route gate.json guards: the body read for its session and parts, then
  // the token gate (gate_decision.hpp).
  Decision decide_guarded(const HttpRequest &request, const GuardedRoute &route) const;
  // The request's Prefer header applied to `decision`; false when the mock cannot meet
  // it (`decision` is then the 400 that says why).
  bool take_preference(const HttpRequest &request, Decision &decision) const;
  void apply_key(const ApiKeyEntry &entry, const KeyDigest &digest, bool answer_preferred,
                 Decision &decision) const;
  std::string apply_preference(const Preference &preference, Decision &decision) const;
  HttpResponse render(const Decision &decision) const;

  std::shared_ptr<const FixtureSet> fixtures_;
  KeyStore keys_;
  TokenIssuer issuer_;
  TokenVerifier verifier_; // the issuer's key: the gate checks what this set signs
  std::shared_ptr<MockState> state_;
  mutable SessionIdGenerator sessions_; // after state_: keyed from its entropy
  PreferHeader prefer_;
  UploadLimits upload_limits_;
  // Per answer (FixtureSet::answers): the body when it is the same every time, else
  // its template.
  std::vector<std::optional<std::string>> fixed_bodies_;
  std::vector<std::optional<JsonTemplate>> templates_;
};

} // namespace inspekt::mock
