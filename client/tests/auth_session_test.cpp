// AuthSession against FakeGate, a loopback server that logs in and guards
// POST /api/upload as the mock's token gate does: when it logs in (first use, near
// `exp`, once after a 401), that a second 401 stops, that threads refused together cause
// one login, and that a failed login is a typed error without the key.

#include "fake_gate.hpp"

#include "inspekt/client/auth_session.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <sstream>
#include <thread>

using namespace inspekt;
using inspekt::testing::FakeGate;
using namespace std::chrono_literals;

namespace {

AuthClient client_for(const FakeGate &gate) {
  ClientOptions options;
  options.base_url = gate.base_url();
  options.connect_timeout = 2s;
  options.read_timeout = 2s;
  AuthClient client(options);
  REQUIRE(client.valid());
  return client;
}

// The gate's clock, as the session sees it.
SessionOptions on_gate_clock(const FakeGate &gate, std::chrono::seconds margin) {
  SessionOptions options;
  options.refresh_margin = margin;
  options.clock = [&gate] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(gate.now()));
  };
  return options;
}

// POST /api/upload with the grant's header and session as a JSON member; its status.
int upload(const AuthClient &client, const Grant &grant) {
  RawRequest request;
  request.path = "/api/upload";
  request.body = nlohmann::json{{"session", grant.session()}}.dump();
  request.headers.emplace_back("Authorization", grant.authorization());
  const auto sent = client.send(request);
  return sent ? sent.exchange->status : 0;
}

} // namespace

TEST_CASE("the first grant logs in, later ones reuse it", "[session]") {
  FakeGate gate;
  const auto client = client_for(gate);
  AuthSession session(client, FakeGate::valid_key);
  CHECK(gate.logins() == 0); // nothing is sent before the first use

  const auto first = session.grant();
  REQUIRE(first);
  CHECK(gate.logins() == 1);
  CHECK(first.grant->generation == 1);
  CHECK(first.grant->authorization() == "Bearer " + first.grant->credentials->refresh_token);
  CHECK(first.grant->session() == first.grant->credentials->refresh.claims["sid"]);
  REQUIRE(first.grant->expires_at);
  CHECK(*first.grant->expires_at ==
        std::chrono::system_clock::time_point(std::chrono::seconds(gate.now() + 3600)));
  CHECK(upload(client, *first.grant) == 200);

  for (int i = 0; i < 3; ++i) {
    const auto again = session.grant();
    REQUIRE(again);
    CHECK(again.grant->generation == 1);
    CHECK(again.grant->credentials == first.grant->credentials);
  }
  const auto called = session.call([&](const Grant &grant) { return upload(client, grant); });
  CHECK(called);
  CHECK(called.status == 200);
  CHECK(called.attempts == 1);
  CHECK(gate.logins() == 1);
  CHECK(session.logins() == 1);
  CHECK(gate.uploads_accepted() == 2);
}

TEST_CASE("the session logs in again when exp comes within the margin", "[session][clock]") {
  FakeGate gate;
  gate.set_lifetime(100);
  AuthSession session(client_for(gate), FakeGate::valid_key, on_gate_clock(gate, 30s));
  REQUIRE(session.grant());
  gate.advance(69); // 31 s left: outside the margin
  const auto kept = session.grant();
  REQUIRE(kept);
  CHECK(kept.grant->generation == 1);
  CHECK(gate.logins() == 1);

  gate.advance(1); // 30 s left: inside it
  const auto renewed = session.grant();
  REQUIRE(renewed);
  CHECK(renewed.grant->generation == 2);
  CHECK(gate.logins() == 2);
  REQUIRE(renewed.grant->expires_at);
  CHECK(*renewed.grant->expires_at ==
        std::chrono::system_clock::time_point(std::chrono::seconds(gate.now() + 100)));
  CHECK(session.grant().grant->generation == 2);
  CHECK(gate.logins() == 2);
}

TEST_CASE("a 401 from the downstream makes one new login, and the call succeeds", "[session]") {
  FakeGate gate;
  const auto client = client_for(gate);
  // The session's own clock is the real one: it cannot see that the gate's moved on.
  AuthSession session(client, FakeGate::valid_key);
  const auto first = session.grant();
  REQUIRE(first);

  SECTION("revoked") {
    gate.revoke(first.grant->session());
  }
  SECTION("expired on the downstream's clock") {
    gate.advance(3601);
  }

  std::vector<std::uint64_t> generations;
  const auto called = session.call([&](const Grant &grant) {
    generations.push_back(grant.generation);
    return upload(client, grant);
  });
  INFO(called.error.value_or(SessionError{}));
  CHECK(called);
  CHECK(called.status == 200);
  CHECK(called.attempts == 2);
  CHECK(generations == std::vector<std::uint64_t>{1, 2});
  CHECK(gate.logins() == 2);
  CHECK(gate.uploads_refused() == 1);
  CHECK(gate.uploads_accepted() == 1);
  CHECK_THAT(gate.last_reason(), Catch::Equals("token_revoked") || Catch::Equals("token_expired"));
}

TEST_CASE("a second 401 in a row is an error, not a loop", "[session]") {
  FakeGate gate;
  gate.revoke_all(true); // logins succeed, every token is refused
  const auto client = client_for(gate);
  AuthSession session(client, FakeGate::valid_key);
  const auto called = session.call([&](const Grant &grant) { return upload(client, grant); });
  CHECK_FALSE(called);
  REQUIRE(called.error);
  CHECK(called.error->kind == SessionErrorKind::refused);
  CHECK(called.error->status == 401);
  CHECK_FALSE(called.error->login);
  CHECK(called.status == 401);
  CHECK(called.attempts == 2);
  CHECK(gate.logins() == 2);
  CHECK(gate.uploads_refused() == 2);
  std::ostringstream text;
  text << *called.error;
  CHECK_THAT(text.str(), Catch::StartsWith("refused (401): "));

  // Each call gets its own single retry; a 200 between is a success.
  const auto other = session.call([](const Grant &) { return 503; });
  CHECK(other);
  CHECK(other.status == 503);
  CHECK(other.attempts == 1);
  CHECK(gate.logins() == 3); // the refused grant was invalidated: one login, no more
}

TEST_CASE("8 threads refused on one grant cause exactly one login", "[session][threads]") {
  FakeGate gate;
  const auto client = client_for(gate);
  AuthSession session(client, FakeGate::valid_key);
  const auto first = session.grant();
  REQUIRE(first);
  gate.revoke(first.grant->session());

  constexpr int threads = 8;
  // Every thread has been refused on the first grant before any of them invalidates it,
  // so all 8 reach invalidate() and grant() with generation 1 in hand.
  std::mutex mutex;
  std::condition_variable all_refused;
  int refused = 0;
  std::vector<CallResult> results(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      results[static_cast<std::size_t>(t)] = session.call([&](const Grant &grant) {
        const int status = upload(client, grant);
        if (grant.generation == 1) {
          std::unique_lock<std::mutex> lock(mutex);
          ++refused;
          all_refused.notify_all();
          all_refused.wait_for(lock, 5s, [&] { return refused == threads; });
        }
        return status;
      });
    });
  }
  for (auto &worker : workers) {
    worker.join();
  }
  CHECK(refused == threads);
  for (const auto &result : results) {
    CHECK(result);
    CHECK(result.status == 200);
    CHECK(result.attempts == 2);
  }
  CHECK(gate.logins() == 2); // the first, and one for all 8 refusals
  CHECK(session.logins() == 2);
  CHECK(gate.uploads_refused() == threads);
  CHECK(gate.uploads_accepted() == threads);
}

TEST_CASE("a stale grant's invalidate() is ignored", "[session]") {
  FakeGate gate;
  AuthSession session(client_for(gate), FakeGate::valid_key);
  const auto first = session.grant();
  REQUIRE(first);
  session.invalidate(*first.grant);
  const auto second = session.grant();
  REQUIRE(second);
  CHECK(second.grant->generation == 2);
  session.invalidate(*first.grant); // another thread's late report on the old grant
  CHECK(session.grant().grant->generation == 2);
  CHECK(gate.logins() == 2);
}

TEST_CASE("a refused login is a typed error without the key", "[session][secrets]") {
  FakeGate gate;
  const std::string wrong_key = "wrong-key-DO-NOT-LEAK-4b1d";
  AuthSession session(client_for(gate), wrong_key);
  int calls = 0;
  const auto called = session.call([&](const Grant &) { return ++calls, 200; });
  CHECK_FALSE(called);
  CHECK(calls == 0);
  CHECK(called.attempts == 0);
  CHECK_FALSE(called.status);
  REQUIRE(called.error);
  CHECK(called.error->kind == SessionErrorKind::login);
  REQUIRE(called.error->login);
  CHECK(called.error->login->kind == ErrorKind::invalid_key);
  CHECK(called.error->login->status == 401);
  CHECK(called.error->login->server_message == "API Key not valid");
  std::ostringstream text;
  text << *called.error;
  CHECK_THAT(text.str(), Catch::StartsWith("login: invalid_key (401): "));
  CHECK(text.str().find(wrong_key.substr(0, 5)) == std::string::npos);
  CHECK(gate.failed_logins() == 1);
  CHECK(gate.logins() == 0);

  // Nothing is cached from a failure: the next use tries again.
  CHECK_FALSE(session.grant());
  CHECK(gate.failed_logins() == 2);
}

TEST_CASE("a login that gets no answer is a transport error", "[session]") {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(inspekt::testing::closed_port());
  AuthSession session(AuthClient(options), FakeGate::valid_key);
  const auto granted = session.grant();
  REQUIRE(granted.error);
  CHECK(granted.error->kind == SessionErrorKind::login);
  REQUIRE(granted.error->login);
  CHECK(granted.error->login->kind == ErrorKind::transport);
}
