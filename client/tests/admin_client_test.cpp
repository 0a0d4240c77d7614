// AdminClient against the real inspekt-mock binary: every call of the admin API, its
// typed answers and its errors as values (docs/admin-api.md). A mock
// without the admin API fails each test at its first step with one clear message.

#include "inspekt/client/admin_client.hpp"
#include "inspekt/core/version.hpp"
#include "test_support/child_process.hpp"
#include "test_support/local_servers.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace inspekt;
using inspekt::testing::closed_port;
using inspekt::testing::LocalHttpServer;
using inspekt::testing::start_mock_binary;
using inspekt::testing::StartedMock;
using inspekt::testing::TempPath;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A mock with its admin API, and both clients on it.
struct AdminMock {
  StartedMock mock;
  AdminClient admin;
  AuthClient auth;
};

ClientOptions local_options(const std::string &base_url) {
  ClientOptions options;
  options.base_url = base_url;
  options.connect_timeout = 2s;
  options.read_timeout = 5s;
  return options;
}

AdminClient admin_for(const std::string &url, std::string token = {}) {
  AdminOptions options;
  options.http = local_options(url);
  options.token = std::move(token);
  AdminClient client(std::move(options));
  REQUIRE(client.valid());
  return client;
}

// Fails here, naming the cause, when the binary has no admin API (the fixtures' 404
// would answer /__admin/health).
void require_admin_api(const AdminClient &admin) {
  const auto health = admin.health();
  if (!health) {
    FAIL("inspekt-mock has no working admin API: GET " << admin.admin_url() << "/health gave "
                                                       << *health.error);
  }
}

// The mock started with `args`; when it refuses them (an admin flag it does not know),
// the test fails with what it said.
StartedMock started_mock(std::vector<std::string> args) {
  auto mock = start_mock_binary(std::move(args));
  if (mock.base_url.empty()) {
    mock.process->wait(2s);
    FAIL("inspekt-mock did not start: " << mock.process->stderr_text());
  }
  return mock;
}

AdminMock admin_mock(std::vector<std::string> args = {}) {
  auto mock = started_mock(std::move(args));
  const std::string url = mock.base_url;
  AdminMock started{std::move(mock), admin_for(url), AuthClient(local_options(url))};
  require_admin_api(started.admin);
  return started;
}

std::int64_t epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A copy of the default fixtures in a directory the test may break and mend.
struct FixtureCopy {
  std::filesystem::path dir;
  explicit FixtureCopy(const std::string &stem) : dir(TempPath(stem).path()) {
    std::filesystem::create_directories(dir);
    for (const auto &file : std::filesystem::directory_iterator(INSPEKT_DEFAULT_FIXTURES)) {
      std::filesystem::copy_file(file.path(), dir / file.path().filename());
    }
  }
  ~FixtureCopy() { std::filesystem::remove_all(dir); }
  void write(const std::string &name, const std::string &text) const {
    std::ofstream(dir / name, std::ios::trunc) << text;
  }
};

// The default set's keys, counted from its keys.json: a key added there
// (docs/adding-a-behaviour.md) needs no edit here.
std::int64_t default_key_count() {
  std::ifstream in(std::filesystem::path(INSPEKT_DEFAULT_FIXTURES) / "keys.json");
  const auto keys = static_cast<std::int64_t>(json::parse(in).at("keys").size());
  REQUIRE(keys > 0);
  return keys;
}

} // namespace

TEST_CASE("admin: health names the version and the keys in use", "[admin][mock]") {
  auto m = admin_mock();
  const auto health = m.admin.health();
  REQUIRE(health);
  CHECK(health->status == "ok");
  CHECK(health->version == std::string(inspekt::version()));
  CHECK(health->keys == default_key_count());
  CHECK(health->uptime_seconds >= 0);
  CHECK_FALSE(health->fixtures.empty());
}

TEST_CASE("admin: the journal records logins newest first, redacted, and counts them",
          "[admin][mock][journal]") {
  auto m = admin_mock();
  REQUIRE(m.auth.authenticate("demo-valid-key", std::string("my-app")));
  REQUIRE(m.auth.authenticate("demo-expired-key", std::string("my-app")).error);
  REQUIRE(m.auth.authenticate("demo-valid-key"));

  const auto journal = m.admin.requests();
  REQUIRE(journal);
  CHECK(journal->total == 3);
  CHECK(journal->dropped == 0);
  REQUIRE(journal->requests.size() == 3);
  const JournalEntry &newest = journal->requests[0];
  const JournalEntry &expired = journal->requests[1];
  const JournalEntry &first = journal->requests[2];
  CHECK(newest.id == first.id + 2);
  CHECK(expired.id == first.id + 1);
  CHECK(first.method == "POST");
  CHECK(first.path == "/api/authenticate");
  CHECK(first.status == 200);
  CHECK(first.answer == "success");
  CHECK(first.key_hint == "demo...");
  CHECK(first.client_id == "my-app");
  CHECK(first.fault == std::nullopt);
  CHECK(first.duration_ms >= 0);
  CHECK_THAT(first.time, Catch::Matches(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"));
  CHECK(expired.status == 401);
  CHECK(expired.answer == "expired_key");
  CHECK(newest.client_id == std::nullopt);

  const auto one = m.admin.requests(1);
  REQUIRE(one);
  REQUIRE(one->requests.size() == 1);
  CHECK(one->requests[0].id == newest.id);
  CHECK(one->total == 3);

  RequestFilter filter;
  filter.client_id = "my-app";
  filter.answer = "success";
  CHECK(m.admin.count(filter).value == 1u);
  CHECK(m.admin.count().value == 3u);
  RequestFilter by_status;
  by_status.status = 401;
  CHECK(m.admin.count(by_status).value == 1u);
  RequestFilter by_hint;
  by_hint.key_hint = "demo"; // the hint's characters without the dots match too
  CHECK(m.admin.count(by_hint).value == 3u);
  by_hint.key_hint = "demo...";
  CHECK(m.admin.count(by_hint).value == 3u);

  CHECK(m.admin.clear_requests().value == 3u);
  const auto cleared = m.admin.requests();
  REQUIRE(cleared);
  CHECK(cleared->requests.empty());
  CHECK(cleared->total == 0);
  // Ids are never reused, not even after a clear.
  REQUIRE(m.auth.authenticate("demo-valid-key"));
  const auto after = m.admin.requests();
  REQUIRE(after);
  REQUIRE(after->requests.size() == 1);
  CHECK(after->requests[0].id == newest.id + 1);
}

TEST_CASE("admin: a small journal drops the oldest and counts them", "[admin][mock][journal]") {
  auto m = admin_mock({"--journal-size", "2"});
  for (int i = 0; i < 5; ++i) {
    REQUIRE(m.auth.authenticate("demo-valid-key"));
  }
  const auto journal = m.admin.requests();
  REQUIRE(journal);
  CHECK(journal->requests.size() == 2);
  CHECK(journal->total == 5);
  CHECK(journal->dropped == 3);
}

TEST_CASE("admin: a key added at run time logs in, and a revoked one gets revoked_key",
          "[admin][mock][keys]") {
  auto m = admin_mock();
  const std::string key = "runtime-k3y-DO-NOT-LEAK-51";
  const auto added = m.admin.add_key(json{{"key", key}, {"answer", "success"}});
  REQUIRE(added);
  CHECK(added->key_hint == "runt...");
  CHECK(added->answer == "success");
  CHECK(added->keys == default_key_count() + 1);
  REQUIRE(m.auth.authenticate(key));

  const auto again = m.admin.add_key(json{{"key", key}, {"answer", "success"}});
  REQUIRE(again.error);
  CHECK(again.error->kind == AdminErrorKind::refused);
  CHECK(again.error->status == 409);
  CHECK(again.error->message.find(key) == std::string::npos);

  const auto revoked = m.admin.revoke(key);
  REQUIRE(revoked);
  CHECK(revoked->key_hint == "runt...");
  CHECK(revoked->known);
  const auto refused = m.auth.authenticate(key);
  REQUIRE(refused.error);
  CHECK(refused.error->status == 401);
  RequestFilter filter;
  filter.answer = "revoked_key";
  CHECK(m.admin.count(filter).value == 1u);

  const auto unknown = m.admin.revoke("never-seen-key-0042");
  REQUIRE(unknown);
  CHECK_FALSE(unknown->known);
}

TEST_CASE("admin: refusals come back as values naming the field", "[admin][mock][errors]") {
  auto m = admin_mock();

  const auto bad_entry = m.admin.add_key(json{{"key", "some-new-key-77"}, {"answer", "nope"}});
  REQUIRE(bad_entry.error);
  CHECK(bad_entry.error->kind == AdminErrorKind::refused);
  CHECK(bad_entry.error->status == 400);
  CHECK(bad_entry.error->field == "answer");
  CHECK_THAT(bad_entry.error->message, Catch::Contains("[fixture."));

  const auto empty_key = m.admin.revoke("");
  REQUIRE(empty_key.error);
  CHECK(empty_key.error->status == 400);
  CHECK(empty_key.error->field == "key");

  const auto unknown_field = m.admin.call("POST", "/requests/count", json{{"colour", "red"}});
  REQUIRE(unknown_field.error);
  CHECK(unknown_field.error->status == 400);
  CHECK(unknown_field.error->field == "colour");

  const auto bad_limit = m.admin.call("GET", "/requests?limit=-1");
  REQUIRE(bad_limit.error);
  CHECK(bad_limit.error->status == 400);
  CHECK(bad_limit.error->field == "limit");

  const auto both = m.admin.call("POST", "/clock", json{{"now", 1}, {"advance_seconds", 1}});
  REQUIRE(both.error);
  CHECK(both.error->status == 400);
  CHECK_FALSE(both.error->field.empty());

  const auto nowhere = m.admin.call("GET", "/nowhere");
  REQUIRE(nowhere.error);
  CHECK(nowhere.error->status == 404);
  CHECK(nowhere.error->message == "no admin endpoint: GET /__admin/nowhere");

  const auto wrong_method = m.admin.call("PUT", "/requests");
  REQUIRE(wrong_method.error);
  CHECK(wrong_method.error->status == 405);

  std::ostringstream printed;
  printed << *empty_key.error;
  CHECK_THAT(printed.str(), Catch::StartsWith("refused (400, field key): "));
}

TEST_CASE("admin: the clock sets and advances the tokens' iat", "[admin][mock][clock]") {
  auto m = admin_mock();
  const auto before = m.admin.clock();
  REQUIRE(before);
  CHECK_FALSE(before->frozen);
  CHECK(std::llabs(before->now.count() - epoch_seconds()) <= 5);

  const std::chrono::seconds at{1796240108};
  const auto set = m.admin.set_clock(at);
  REQUIRE(set);
  CHECK(set->now == at);
  CHECK(set->now_ms == at);
  const auto login = m.auth.authenticate("demo-valid-key");
  REQUIRE(login);
  CHECK(login.credentials->access.claims["iat"] == at.count());

  const auto moved = m.admin.advance_clock(60s);
  REQUIRE(moved);
  CHECK(moved->now == at + 60s);
  const auto later = m.auth.authenticate("demo-valid-key");
  REQUIRE(later);
  CHECK(later.credentials->access.claims["iat"] == (at + 60s).count());
}

TEST_CASE("admin: reset puts journal, keys, revocations and clock back", "[admin][mock]") {
  auto m = admin_mock();
  REQUIRE(m.admin.add_key(json{{"key", "reset-me-key-0001"}, {"answer", "success"}}));
  REQUIRE(m.admin.revoke("demo-valid-key"));
  REQUIRE(m.admin.set_clock(std::chrono::seconds(1796240108)));
  REQUIRE(m.auth.authenticate("reset-me-key-0001"));

  const auto reset = m.admin.reset();
  REQUIRE(reset);
  CHECK(*reset);
  const auto journal = m.admin.requests();
  REQUIRE(journal);
  CHECK(journal->total == 0);
  CHECK(journal->requests.empty());
  CHECK(m.admin.health()->keys == default_key_count());
  const auto clock = m.admin.clock();
  REQUIRE(clock);
  CHECK(std::llabs(clock->now.count() - epoch_seconds()) <= 5);
  CHECK(m.auth.authenticate("demo-valid-key"));
  const auto gone = m.auth.authenticate("reset-me-key-0001");
  REQUIRE(gone.error);
  CHECK(gone.error->status == 401);
}

TEST_CASE("admin: reload takes a changed set, refuses a broken one and keeps serving",
          "[admin][mock][reload]") {
  const FixtureCopy fixtures("inspekt-admin-reload");
  auto m = admin_mock({"--fixtures", fixtures.dir.string()});

  const auto same = m.admin.reload();
  REQUIRE(same);
  CHECK(same->keys == default_key_count());
  CHECK(same->load_ms >= 0);
  CHECK(same->swap_ms >= 0);

  fixtures.write("keys.json", R"({"keys": [{"key": "only-key-after-reload", "status": "valid"}]})");
  const auto changed = m.admin.reload();
  REQUIRE(changed);
  CHECK(changed->keys == 1);
  CHECK(m.auth.authenticate("only-key-after-reload"));
  CHECK(m.auth.authenticate("demo-valid-key").error);

  fixtures.write("keys.json", "{\"keys\": [");
  const auto broken = m.admin.reload();
  REQUIRE(broken.error);
  CHECK(broken.error->kind == AdminErrorKind::refused);
  CHECK(broken.error->status == 422);
  CHECK_THAT(broken.error->id, Catch::StartsWith("fixture."));
  CHECK_THAT(broken.error->message, Catch::StartsWith("[" + broken.error->id + "]"));
  CHECK(m.auth.authenticate("only-key-after-reload")); // the old set still serves
}

TEST_CASE("admin: with a token set, calls need it and it shows nowhere", "[admin][mock][token]") {
  const std::string token = "adm1n-T0KEN-for-this-test-only";
  const TempPath token_file("inspekt-admin-token");
  std::ofstream(token_file.path()) << token << "\n";
  auto mock = started_mock({"--admin-token-file", token_file.path()});

  const auto with_token = admin_for(mock.base_url, token);
  require_admin_api(with_token);
  const auto without = admin_for(mock.base_url).health();
  REQUIRE(without.error);
  CHECK(without.error->kind == AdminErrorKind::refused);
  CHECK(without.error->status == 401);
  const auto wrong = admin_for(mock.base_url, token + "x").health();
  REQUIRE(wrong.error);
  CHECK(wrong.error->status == 401);
  CHECK(wrong.error->message.find(token) == std::string::npos);

  mock.process->signal(SIGTERM);
  REQUIRE(mock.process->wait(2s) == 0);
  CHECK(mock.process->stderr_text().find(token) == std::string::npos);
}

TEST_CASE("admin: the admin URL names the same mock as its base URL", "[admin][mock]") {
  auto m = admin_mock();
  const auto by_admin_url = admin_for(m.mock.base_url + "/__admin");
  CHECK(by_admin_url.admin_url() == m.mock.base_url + "/__admin");
  CHECK(m.admin.admin_url() == m.mock.base_url + "/__admin");
  CHECK(by_admin_url.health());
}

TEST_CASE("admin: no mock, bad options and odd answers are errors, not throws", "[admin]") {
  const auto refused = admin_for("http://127.0.0.1:" + std::to_string(closed_port())).health();
  REQUIRE(refused.error);
  CHECK(refused.error->kind == AdminErrorKind::transport);
  CHECK_FALSE(refused.error->status);
  CHECK_THAT(refused.error->message, Catch::Contains("cannot connect"));

  AdminOptions bad;
  bad.http.base_url = "ftp://127.0.0.1";
  const AdminClient invalid(bad);
  CHECK_FALSE(invalid.valid());
  REQUIRE(invalid.reset().error);
  CHECK_THAT(invalid.reset().error->message, Catch::Contains("[url.scheme]"));

  // A server that is not the mock: wrong shapes are protocol errors naming the field.
  LocalHttpServer odd([](httplib::Server &server) {
    server.Get("/__admin/health", [](const auto &, auto &res) {
      res.set_content(R"({"status":"ok","version":"1","uptime_seconds":"long","keys":1,)"
                      R"("fixtures":"x"})",
                      "application/json");
    });
    server.Get("/__admin/requests", [](const auto &, auto &res) {
      res.set_content(R"({"requests":[{"id":1}],"total":1,"dropped":0})", "application/json");
    });
    server.Get("/__admin/clock", [](const auto &, auto &res) {
      res.status = 502;
      res.set_content("<html>bad gateway</html>", "text/html");
    });
    server.Post("/__admin/reset", [](const auto &, auto &res) {
      res.status = 204; // a success, but not the documented one
    });
  });
  const auto client = admin_for(odd.base_url());
  const auto health = client.health();
  REQUIRE(health.error);
  CHECK(health.error->kind == AdminErrorKind::protocol);
  CHECK(health.error->field == "uptime_seconds");
  CHECK_THAT(health.error->message, Catch::Contains("[admin.field-type]"));
  const auto journal = client.requests();
  REQUIRE(journal.error);
  CHECK(journal.error->field == "time");
  CHECK_THAT(journal.error->message, Catch::Contains("requests[0]"));
  const auto clock = client.clock();
  REQUIRE(clock.error);
  CHECK(clock.error->kind == AdminErrorKind::refused);
  CHECK(clock.error->status == 502);
  CHECK_THAT(clock.error->message, Catch::Contains("without a JSON message"));
  const auto reset = client.reset();
  REQUIRE(reset.error);
  CHECK(reset.error->kind == AdminErrorKind::protocol);
  CHECK(reset.error->status == 204);
}
