// The admin API without sockets (AdminApi::handle), and the journal as the engine fills
// it (HttpSession fed bytes): every endpoint and error, access rules, runtime keys,
// revocation, the clock, reset, reload, redaction, and swaps under concurrent logins.

#include "inspekt/core/jwt.hpp"
#include "inspekt/core/version.hpp"
#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/control/dashboard_page.hpp"
#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "test_support/fixture_dir.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

using namespace inspekt::mock;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using inspekt::testing::FixtureDir;

struct Admin {
  explicit Admin(AdminAccess access = {}, std::size_t journal_size = 100) {
    RuntimeOptions options;
    options.source.directory = dir.path();
    options.determinism = {7, 1764000000};
    options.journal_size = journal_size;
    runtime = std::make_shared<MockRuntime>(options);
    api = std::make_unique<AdminApi>(runtime, std::move(access));
  }
  FixtureDir dir{INSPEKT_DEFAULT_FIXTURES};
  std::shared_ptr<MockRuntime> runtime;
  std::unique_ptr<AdminApi> api;
};

HttpRequest request(const std::string &method, const std::string &target,
                    const std::string &body = "",
                    std::optional<std::string> authorization = std::nullopt) {
  HttpRequest r;
  r.method = method;
  const auto mark = target.find('?');
  r.path = target.substr(0, mark);
  if (mark != std::string::npos) {
    r.query = target.substr(mark + 1);
  }
  r.body = body;
  r.authorization = std::move(authorization);
  return r;
}

HttpRequest login_request(const std::string &key, const std::string &client_id = "app") {
  HttpRequest r =
      request("POST", "/api/authenticate", json{{"key", key}, {"client_id", client_id}}.dump());
  r.content_type = "application/json";
  return r;
}

struct Reply {
  int status = 0;
  json body;
  HttpResponse response;
  RequestFacts facts;
};

Reply call(const AdminApi &api, const HttpRequest &r) {
  auto handled = api.handle(r);
  Reply reply;
  reply.status = handled.response.status;
  reply.body = json::parse(handled.response.body, nullptr, false);
  reply.response = std::move(handled.response);
  reply.facts = std::move(handled.facts);
  return reply;
}

Reply call(const AdminApi &api, const std::string &method, const std::string &target,
           const std::string &body = "") {
  return call(api, request(method, target, body));
}

std::string header(const HttpResponse &response, const std::string &name) {
  for (const auto &[n, v] : response.headers) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

int login(const AdminApi &api, const std::string &key) {
  return api.handle(login_request(key)).response.status;
}

// Requests through the engine, so that the journal and the access log are filled as in
// the program.
struct Engine {
  explicit Engine(const AdminApi &api) : log(&text, LogFormat::text), session(api, {}, &log, "t") {}
  std::string send(const std::string &method, const std::string &target,
                   const std::string &body = "", const std::string &headers = "") {
    session.output().clear();
    session.receive(method + " " + target + " HTTP/1.1\r\n" +
                    (headers.find("Host:") == std::string::npos ? "Host: 127.0.0.1:8080\r\n" : "") +
                    headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return session.output();
  }
  std::string login(const std::string &key, const std::string &extra = "") {
    return send("POST", "/api/authenticate", json{{"key", key}, {"client_id", "my-app"}}.dump(),
                "Content-Type: application/json\r\n" + extra);
  }
  std::string log_text() {
    log.flush();
    return text.str();
  }
  std::ostringstream text;
  AccessLog log;
  HttpSession session;
};

json body_of(const std::string &output) {
  const auto end = output.find("\r\n\r\n");
  return json::parse(output.substr(end + 4), nullptr, false);
}

} // namespace

TEST_CASE("health says ok, the version, the keys and the fixtures", "[admin]") {
  Admin admin;
  const auto reply = call(*admin.api, "GET", "/__admin/health");
  CHECK(reply.status == 200);
  CHECK(header(reply.response, "Content-Type") == "application/json");
  CHECK(reply.body["status"] == "ok");
  CHECK(reply.body["version"] == std::string(inspekt::version()));
  CHECK(reply.body["uptime_seconds"].is_number_integer());
  CHECK(reply.body["keys"] == admin.runtime->handler()->fixtures().keys.size());
  CHECK(reply.body["fixtures"] == admin.dir.path().string());
  CHECK(reply.facts.answer == "admin");
  CHECK_FALSE(reply.facts.journaled);
}

TEST_CASE("unknown admin paths are 404, known ones with another method 405 with Allow", "[admin]") {
  Admin admin;
  struct Row {
    std::string method, target;
    int status;
    std::string allow;
  };
  const auto row = GENERATE(values<Row>({
      {"GET", "/__admin/nope", 404, ""},
      {"GET", "/__admin/health/", 404, ""},
      {"GET", "/__admin/ui/", 404, ""},
      {"POST", "/__admin/", 405, "GET"},
      {"POST", "/__admin/ui", 405, "GET"},
      {"POST", "/__admin", 405, "GET"},
      {"POST", "/__admin/health", 405, "GET"},
      {"PUT", "/__admin/requests", 405, "GET, DELETE"},
      {"GET", "/__admin/requests/count", 405, "POST"},
      {"DELETE", "/__admin/clock", 405, "GET, POST"},
      {"GET", "/__admin/reset", 405, "POST"},
      {"GET", "/__admin/fixtures/reload", 405, "POST"},
      {"DELETE", "/__admin/keys", 405, "GET, POST"},
      {"GET", "/__admin/keys/revoke", 405, "POST"},
  }));
  DYNAMIC_SECTION(row.method << " " << row.target) {
    const auto reply = call(*admin.api, row.method, row.target);
    CHECK(reply.status == row.status);
    CHECK(header(reply.response, "Allow") == row.allow);
    CHECK(reply.body["message"].is_string());
    if (row.status == 404) {
      CHECK(reply.body["message"] == "no admin endpoint: " + row.method + " " + row.target);
    }
  }
}

TEST_CASE("bad admin bodies and queries are 400s naming the field", "[admin]") {
  Admin admin;
  struct Row {
    std::string method, target, body, field;
  };
  const auto row = GENERATE(values<Row>({
      {"GET", "/__admin/requests?limit=x", "", "limit"},
      {"GET", "/__admin/requests?limit=-1", "", "limit"},
      {"GET", "/__admin/requests?limit=", "", "limit"},
      {"GET", "/__admin/requests?limt=3", "", "limt"},
      {"GET", "/__admin/requests?since=x", "", "since"},
      {"GET", "/__admin/requests?since=-1", "", "since"},
      {"GET", "/__admin/requests?since=", "", "since"},
      {"GET", "/__admin/requests?since=3&limit=x", "", "limit"},
      {"GET", "/__admin/requests?since=1234567890123456789", "", "since"},
      {"GET", "/__admin/keys?limt=3", "", "limt"},
      {"GET", "/__admin/keys?limit=-1", "", "limit"},
      {"GET", "/__admin/keys?offset=x", "", "offset"},
      {"GET", "/__admin/keys?source=bogus", "", "source"},
      {"GET", "/__admin/keys?source=", "", "source"},
      {"GET", "/__admin/health?x=1", "", "x"},
      {"POST", "/__admin/requests/count", R"({"status":"200"})", "status"},
      {"POST", "/__admin/requests/count", R"({"method":1})", "method"},
      {"POST", "/__admin/requests/count", R"({"colour":"red"})", "colour"},
      // A whole key given as a hint would count nothing: the journal keeps 4 characters.
      {"POST", "/__admin/requests/count", R"({"key_hint":"demo-valid-key"})", "key_hint"},
      {"POST", "/__admin/requests/count", R"({"key_hint":"demo-..."})", "key_hint"},
      {"POST", "/__admin/requests/count", R"({"key":""})", "key"},
      {"POST", "/__admin/requests/count", R"({"reason":"bogus"})", "reason"},
      {"POST", "/__admin/keys", R"({"key":"k-1","status":"bogus"})", "status"},
      {"POST", "/__admin/keys", R"({"status":"valid"})", "key"},
      {"POST", "/__admin/keys",
       R"({"key":"k-1","status":"valid","quota":{"limit":0,"window_seconds":1}})", "quota.limit"},
      {"POST", "/__admin/keys", R"({"key":"k-1","status":"valid","colour":1})", "colour"},
      {"POST", "/__admin/keys/revoke", R"({})", "key"},
      {"POST", "/__admin/keys/revoke", R"({"key":""})", "key"},
      {"POST", "/__admin/keys/revoke", R"({"key":5})", "key"},
      {"POST", "/__admin/clock", R"({})", "now"},
      {"POST", "/__admin/clock", R"({"now":1,"advance_seconds":1})", "advance_seconds"},
      {"POST", "/__admin/clock", R"({"now":-1})", "now"},
      {"POST", "/__admin/clock", R"({"now":"1"})", "now"},
      {"POST", "/__admin/clock", R"({"advance_seconds":1.5})", "advance_seconds"},
      {"POST", "/__admin/clock", R"({"advance_seconds":-3})", "advance_seconds"},
      {"POST", "/__admin/clock", R"({"later":3})", "later"},
  }));
  DYNAMIC_SECTION(row.method << " " << row.target << " " << row.body) {
    const auto reply = call(*admin.api, row.method, row.target, row.body);
    CHECK(reply.status == 400);
    CHECK(reply.body["field"] == row.field);
    CHECK(reply.body["message"].is_string());
  }
  SECTION("a body that is not a JSON object") {
    CHECK(call(*admin.api, "POST", "/__admin/clock", "now=1").status == 400);
    CHECK(call(*admin.api, "POST", "/__admin/clock", "[1]").status == 400);
  }
  SECTION("a key entry's error carries its fixture id") {
    const auto reply =
        call(*admin.api, "POST", "/__admin/keys", R"({"key":"k-1","answer":"nothing-like-it"})");
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body["message"].get<std::string>(),
               Catch::StartsWith("[fixture.unknown-answer] POST /__admin/keys: /answer: "));
  }
}

TEST_CASE("the journal through the engine: newest first, limit, count, clear, admin calls "
          "left out",
          "[admin][journal]") {
  Admin admin({}, 3);
  Engine engine(*admin.api);
  engine.login("demo-valid-key");
  engine.login("demo-expired-key", "Prefer: code=429\r\n");
  engine.send("GET", "/api/authenticate");
  engine.send("GET", "/__admin/health"); // not recorded
  engine.login("not-a-known-key");
  const json page = body_of(engine.send("GET", "/__admin/requests"));
  CHECK(page["total"] == 4);
  CHECK(page["dropped"] == 1);
  REQUIRE(page["requests"].size() == 3);
  const json newest = page["requests"][0];
  CHECK(newest["id"] == 4);
  CHECK(newest["answer"] == "unknown_key");
  CHECK(newest["status"] == 401);
  CHECK(newest["key_hint"] == "not-...");
  CHECK(newest["client_id"] == "my-app");
  CHECK(newest["method"] == "POST");
  CHECK(newest["path"] == "/api/authenticate");
  CHECK(newest["duration_ms"].is_number());
  CHECK(newest["fault"].is_null());
  CHECK(newest["prefer"].is_null());
  CHECK(newest["reason"].is_null());
  CHECK(std::regex_match(newest["time"].get<std::string>(),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  CHECK(page["requests"][1]["status"] == 405);
  CHECK(page["requests"][1]["key_hint"].is_null());
  CHECK(page["requests"][2]["prefer"] == "code=429");
  CHECK(page["requests"][2]["reason"] == "prefer");
  CHECK(page["requests"][2]["status"] == 429);

  const json limited = body_of(engine.send("GET", "/__admin/requests?limit=1"));
  REQUIRE(limited["requests"].size() == 1);
  CHECK(limited["requests"][0]["id"] == 4);

  CHECK(body_of(engine.send("POST", "/__admin/requests/count", R"({"method":"POST"})"))["count"] ==
        2);
  CHECK(body_of(engine.send("POST", "/__admin/requests/count",
                            R"({"status":401,"client_id":"my-app","key_hint":"not-"})"))["count"] ==
        1);
  CHECK(body_of(engine.send("POST", "/__admin/requests/count", ""))["count"] == 3);

  CHECK(body_of(engine.send("DELETE", "/__admin/requests"))["cleared"] == 3);
  const json cleared = body_of(engine.send("GET", "/__admin/requests"));
  CHECK(cleared["requests"].empty());
  CHECK(cleared["total"] == 0);
  CHECK(cleared["dropped"] == 0);

  // Admin calls in the access log, as answer "admin"; every request there.
  const std::string log = engine.log_text();
  CHECK_THAT(log, Catch::Contains("GET /__admin/health 200") && Catch::Contains("outcome=admin"));
}

TEST_CASE("a delay counts in duration_ms, and a refusal of the engine is recorded",
          "[admin][journal]") {
  Admin admin;
  Engine engine(*admin.api);
  engine.login("demo-valid-key", "Prefer: delay=50\r\n");
  engine.session.advance(std::chrono::steady_clock::now() + 1s);
  // Too large to drain: the engine answers 413 from the head, without the handler.
  engine.session.output().clear();
  engine.session.receive("POST /api/authenticate HTTP/1.1\r\nHost: x\r\n"
                         "Content-Length: 9000000\r\n\r\n");
  const auto entries = admin.runtime->journal().newest().entries;
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].status == 413);
  CHECK(entries[0].method == "POST");
  CHECK(entries[0].path == "/api/authenticate");
  CHECK_FALSE(entries[0].answer);
  CHECK(entries[1].duration >= 50ms);
  CHECK(entries[1].delay == 50ms);
  CHECK(entries[1].prefer == std::optional<std::string>("delay=50"));
  CHECK(entries[0].delay == 0ms);
  // A key's own delay_ms, as the admin API shows it (on a new connection: the 413
  // closed that one).
  Engine next(*admin.api);
  next.login("demo-slow-key");
  next.session.advance(std::chrono::steady_clock::now() + 3s);
  const json newest = body_of(next.send("GET", "/__admin/requests?limit=1"))["requests"][0];
  CHECK(newest["answer"] == "success");
  CHECK(newest["delay_ms"] == 2000);
}

TEST_CASE("since: the entries after an id, oldest first, across the ring's wrap and a clear",
          "[admin][journal]") {
  Admin admin({}, 4);
  Engine engine(*admin.api);
  const auto ids_of = [&engine](const std::string &query) {
    std::vector<int> ids;
    const json page = body_of(engine.send("GET", "/__admin/requests?" + query));
    for (const auto &entry : page["requests"]) {
      ids.push_back(entry["id"].get<int>());
    }
    return ids;
  };
  for (int i = 0; i < 3; ++i) {
    engine.login("demo-valid-key");
  }
  CHECK(ids_of("since=0") == std::vector<int>{1, 2, 3});
  CHECK(ids_of("since=1") == std::vector<int>{2, 3});
  CHECK(ids_of("since=3").empty());
  CHECK(ids_of("since=99").empty());
  for (int i = 0; i < 3; ++i) {
    engine.login("demo-valid-key");
  }
  // Held: 3..6 (the ring holds 4, its oldest slot is no longer the first).
  CHECK(ids_of("since=0") == std::vector<int>{3, 4, 5, 6});
  CHECK(ids_of("since=2") == std::vector<int>{3, 4, 5, 6});
  CHECK(ids_of("since=4") == std::vector<int>{5, 6});
  CHECK(ids_of("since=4&limit=1") == std::vector<int>{5});
  CHECK(ids_of("limit=1&since=0") == std::vector<int>{3});
  const json page = body_of(engine.send("GET", "/__admin/requests?since=5"));
  CHECK(page["total"] == 6);
  CHECK(page["dropped"] == 2);
  engine.send("DELETE", "/__admin/requests");
  CHECK(ids_of("since=6").empty());
  engine.login("demo-valid-key"); // ids go on after a clear
  CHECK(ids_of("since=6") == std::vector<int>{7});
  CHECK(ids_of("since=0") == std::vector<int>{7});
}

TEST_CASE("keys: each by hint, with its answer, behaviours, source and quota in use",
          "[admin][keys]") {
  Admin admin;
  const std::size_t loaded = admin.runtime->handler()->fixtures().keys.size();
  const auto find = [](const json &keys, const std::string &label_part) {
    for (const auto &key : keys) {
      if (key["label"].get<std::string>().find(label_part) != std::string::npos) {
        return key;
      }
    }
    return json();
  };
  REQUIRE(login(*admin.api, "demo-rate-limited-key") == 200);
  REQUIRE(login(*admin.api, "demo-rate-limited-key") == 200);
  REQUIRE(call(*admin.api, "POST", "/__admin/keys",
               R"({"key":"runtime-key-1","status":"valid","label":"added","delay_ms":5})")
              .status == 201);
  REQUIRE(call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"demo-valid-key"})").status ==
          200);
  REQUIRE(
      call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"never-listed-key"})").status ==
      200);
  const auto reply = call(*admin.api, "GET", "/__admin/keys");
  REQUIRE(reply.status == 200);
  const json keys = reply.body["keys"];
  CHECK(reply.body["total"] == admin.runtime->handler()->fixtures().keys.size());
  CHECK(keys.size() == loaded + 2); // the runtime key and the revoked key no set listed

  const json limited = find(keys, "5 logins a minute");
  CHECK(limited["key_hint"] == "demo...");
  CHECK(limited["source"] == "fixtures");
  CHECK(limited["quota"] == json{{"limit", 5}, {"window_seconds", 60}, {"in_use", 2}});
  const json slow = find(keys, "answers after 2 s");
  CHECK(slow["delay_ms"] == 2000);
  CHECK(slow["quota"].is_null());
  CHECK(find(keys, "connection is reset")["fault"] == "CONNECTION_RESET_BY_PEER");
  CHECK(find(keys, "expire 10 s")["token_lifetime_seconds"] == 10);
  CHECK(find(keys, "half the logins")["chaos"] ==
        json{{"probability", 0.5}, {"answer", "unavailable"}});
  const json revoked = find(keys, "everyday development");
  CHECK(revoked["revoked"] == true);
  CHECK(revoked["answer"] == "revoked_key");
  CHECK(revoked["status"] == 401);
  CHECK(find(keys, "withdrawn by the vendor")["revoked"] == false); // its fixture answer
  const json added = find(keys, "added");
  CHECK(added["source"] == "runtime");
  CHECK(added["delay_ms"] == 5);
  CHECK(added["key_hint"] == "runt...");
  CHECK(keys.back()["source"] == "revocation");
  CHECK(keys.back()["revoked"] == true);
  // Hints only: no key is listed whole.
  CHECK_THAT(reply.response.body, !Catch::Contains("demo-valid-key") &&
                                      !Catch::Contains("runtime-key-1") &&
                                      !Catch::Contains("never-listed-key"));

  // A window runs out on the mock's clock.
  admin.runtime->clock().advance(61s);
  CHECK(find(call(*admin.api, "GET", "/__admin/keys").body["keys"],
             "5 logins")["quota"]["in_use"] == 0);
  // Reset: the runtime key and the revocations are gone.
  call(*admin.api, "POST", "/__admin/reset");
  const json after = call(*admin.api, "GET", "/__admin/keys").body["keys"];
  CHECK(after.size() == loaded);
  CHECK(find(after, "everyday development")["revoked"] == false);
}

TEST_CASE("keys in a large set: pages of 1000, by source, offset and limit", "[admin][keys]") {
  Admin admin;
  json keys = admin.dir.read("keys.json");
  for (int i = 0; i < 1200; ++i) {
    keys["keys"].push_back({{"key", "bulk-key-" + std::to_string(i)}, {"status", "valid"}});
  }
  admin.dir.write("keys.json", keys);
  REQUIRE(call(*admin.api, "POST", "/__admin/fixtures/reload").status == 200);
  REQUIRE(call(*admin.api, "POST", "/__admin/keys",
               R"({"key":"runtime-key-1","status":"valid","label":"added late"})")
              .status == 201);
  const std::size_t all = admin.runtime->handler()->fixtures().keys.size();
  REQUIRE(all > 1200);

  auto reply = call(*admin.api, "GET", "/__admin/keys");
  CHECK(reply.body["total"] == all);
  CHECK(reply.body["keys"].size() == 1000);
  // The key added last is past the first page: a source finds it at once.
  reply = call(*admin.api, "GET", "/__admin/keys?source=runtime");
  REQUIRE(reply.status == 200);
  CHECK(reply.body["total"] == 1);
  REQUIRE(reply.body["keys"].size() == 1);
  CHECK(reply.body["keys"][0]["label"] == "added late");
  CHECK(call(*admin.api, "GET", "/__admin/keys?source=revocation").body["total"] == 0);
  CHECK(call(*admin.api, "GET", "/__admin/keys?source=fixtures").body["total"] == all - 1);
  // Paging on reaches the rest, in the set's order.
  reply = call(*admin.api, "GET", "/__admin/keys?offset=1000");
  CHECK(reply.body["keys"].size() == all - 1000);
  CHECK(reply.body["keys"].back()["label"] == "added late");
  reply = call(*admin.api, "GET", "/__admin/keys?offset=5&limit=2");
  const json first = call(*admin.api, "GET", "/__admin/keys?limit=7").body["keys"];
  REQUIRE(reply.body["keys"].size() == 2);
  CHECK(reply.body["keys"][0] == first[5]);
  CHECK(reply.body["keys"][1] == first[6]);
  CHECK(call(*admin.api, "GET", "/__admin/keys?limit=5000").body["keys"].size() == 1000);
  CHECK(call(*admin.api, "GET", "/__admin/keys?offset=999999").body["keys"].empty());
}

TEST_CASE("admin: /__admin without its slash redirects to the dashboard", "[admin][page]") {
  Admin admin;
  const auto reply = call(*admin.api, "GET", "/__admin");
  CHECK(reply.status == 308); // permanent, and the method stays GET (RFC 9110, 15.4.9)
  CHECK(header(reply.response, "Location") == "/__admin/");
}

TEST_CASE("the dashboard page: served whole with a CSP that hashes its script and style",
          "[admin][dashboard]") {
  // The example of CSP Level 2, section 4.11.2 (hash-source).
  CHECK_THAT(detail::content_security_policy_for("<script>alert('Hello, world.');</script>"),
             Catch::Contains("script-src 'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng=';") &&
                 Catch::Contains("style-src 'none';"));
  const std::string csp = dashboard_page().content_security_policy;
  CHECK_THAT(csp, Catch::StartsWith("default-src 'none'; script-src 'sha256-") &&
                      Catch::Contains("connect-src 'self'") &&
                      Catch::Contains("frame-ancestors 'none'"));
  CHECK_THAT(csp, !Catch::Contains("unsafe"));
  const std::string html(dashboard_page().html);
  CHECK(html.size() < 60 * 1024);
  CHECK_THAT(html, Catch::StartsWith("<!DOCTYPE html>"));
  // One script and one style element, without attributes (so hashed as written), and
  // nothing the policy would block: no inline handler, no style attribute, no URL of
  // another origin.
  CHECK(std::regex_search(html, std::regex("<script[ >]")) == true);
  const auto count = [&html](const std::string &needle) {
    std::size_t n = 0;
    for (auto at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1)) {
      ++n;
    }
    return n;
  };
  CHECK(count("<script") == 1);
  CHECK(count("<script>") == 1);
  CHECK(count("<style") == 1);
  CHECK(count("<style>") == 1);
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)", std::regex::icase)));
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\sstyle\s*=)", std::regex::icase)));
  CHECK_FALSE(std::regex_search(html, std::regex(R"(https?://(?!www\.w3\.org/2000/svg))")));

  Admin admin;
  for (const std::string path : {"/__admin/", "/__admin/ui"}) {
    const auto page = call(*admin.api, "GET", path);
    CHECK(page.status == 200);
    CHECK(header(page.response, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(page.response, "Content-Security-Policy") == csp);
    CHECK(header(page.response, "X-Content-Type-Options") == "nosniff");
    CHECK(page.response.body == html);
    CHECK(page.facts.answer == "admin");
    CHECK_FALSE(page.facts.journaled);
  }
}

TEST_CASE("the dashboard page under the admin rules: a token guards its calls but not the page, "
          "other hosts 403, --no-admin 404",
          "[admin][dashboard][access]") {
  SECTION("a token: the page, then 401 for every call it makes without the token") {
    const std::string token = "page-token-81f3";
    Admin admin({true, true, token});
    CHECK(call(*admin.api, "GET", "/__admin/").status == 200);
    CHECK(call(*admin.api, "GET", "/__admin/ui").status == 200);
    // The page answers GET only: anything else on its paths is checked as an admin call.
    CHECK(call(*admin.api, "POST", "/__admin/ui").status == 401);
    for (const std::string path :
         {"/__admin/requests?since=0", "/__admin/keys", "/__admin/clock", "/__admin/health"}) {
      CHECK(call(*admin.api, "GET", path).status == 401);
      CHECK(call(*admin.api, request("GET", path, "", "Bearer " + token)).status == 200);
    }
  }
  SECTION("another host without a token: the page is 403 too") {
    Admin admin({true, false, std::nullopt});
    CHECK(call(*admin.api, "GET", "/__admin/").status == 403);
  }
  SECTION("--no-admin: no page, the fixtures' 404") {
    Admin admin({false, true, std::nullopt});
    for (const std::string path : {"/__admin/", "/__admin/ui"}) {
      const auto reply = call(*admin.api, "GET", path);
      CHECK(reply.status == 404);
      CHECK(reply.facts.answer == "not_found");
    }
  }
}

// The engine's own refusals record nothing an earlier request on the connection sent,
// no target's query, and nothing of admin calls.
TEST_CASE("an engine refusal records nothing of the request before it on the connection",
          "[admin][journal]") {
  Admin admin;
  Engine engine(*admin.api);
  engine.login("demo-valid-key", "Prefer: lifetime=5\r\n");
  engine.session.receive("\x01 not a request\r\n\r\n"); // no request begins: a 400
  const auto entries = admin.runtime->journal().newest().entries;
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].status == 400);
  CHECK(entries[0].method.empty());
  CHECK(entries[0].path.empty());
  CHECK_FALSE(entries[0].prefer);
  CHECK(entries[1].prefer == std::optional<std::string>("lifetime=5"));
  const std::string log = engine.log_text();
  CHECK_THAT(log, Catch::Contains("\"\" \"\" 400"));
}

TEST_CASE("an admin call answered from the admin thread is logged with its method and path",
          "[admin][journal]") {
  Admin admin;
  const AdminApi api(admin.runtime, {}, AdminThread::own);
  Engine engine(api);
  engine.session.receive("GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (engine.session.output().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
    engine.session.advance(std::chrono::steady_clock::now());
  }
  CHECK_THAT(engine.session.output(), Catch::StartsWith("HTTP/1.1 200 "));
  CHECK_THAT(engine.log_text(), Catch::Contains("GET /__admin/health 200"));
  CHECK(admin.runtime->journal().newest().total == 0);
}

TEST_CASE("a request refused before its head is whole is recorded without its query",
          "[admin][journal]") {
  Admin admin;
  Engine engine(*admin.api);
  engine.session.receive("GET /api/authenticate?api_key=secret-in-query-9f3a HTTP/1.1\r\n"
                         "Host: x\r\nX-Big: " +
                         std::string(70000, 'a') + "\r\n\r\n");
  CHECK_THAT(engine.session.output(), Catch::StartsWith("HTTP/1.1 431 "));
  const auto entries = admin.runtime->journal().newest().entries;
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].status == 431);
  CHECK(entries[0].path == "/api/authenticate");
  CHECK_THAT(engine.log_text(), !Catch::Contains("secret-in-query"));
}

TEST_CASE("admin calls the engine refuses itself stay out of the journal, unless --no-admin",
          "[admin][journal]") {
  const bool enabled = GENERATE(true, false);
  Admin admin({enabled, true, std::nullopt});
  {
    Engine engine(*admin.api); // too large to drain: the engine's 413 from the head
    engine.session.receive("POST /__admin/keys HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 9000000\r\n\r\n");
    CHECK_THAT(engine.session.output(), Catch::StartsWith("HTTP/1.1 413 "));
  }
  {
    Engine engine(*admin.api); // a head too large: 431
    engine.session.receive("GET /__admin/health HTTP/1.1\r\nHost: x\r\nX-Big: " +
                           std::string(70000, 'a') + "\r\n\r\n");
    CHECK_THAT(engine.session.output(), Catch::StartsWith("HTTP/1.1 431 "));
  }
  const auto page = admin.runtime->journal().newest();
  CHECK(page.total == (enabled ? 0 : 2));
}

TEST_CASE("a whole key never reaches the journal or the access log", "[admin][journal]") {
  Admin admin;
  Engine engine(*admin.api);
  const std::string key = "secret-runtime-key-8c1f";
  const std::string added =
      engine.send("POST", "/__admin/keys", json{{"key", key}, {"status", "valid"}}.dump());
  CHECK_THAT(added, Catch::Contains("\"key_hint\":\"secr...\""));
  engine.login(key);
  engine.login(key + "-wrong");
  engine.send("POST", "/__admin/keys/revoke", json{{"key", key}}.dump());
  engine.login(key);
  const std::string journal = engine.send("GET", "/__admin/requests");
  const std::string log = engine.log_text();
  for (const auto &text : {journal, log, added}) {
    CHECK_THAT(text, !Catch::Contains(key.substr(0, 5)));
  }
  CHECK_THAT(journal, Catch::Contains("\"key_hint\":\"secr...\""));
}

TEST_CASE("runtime keys: added, refused twice, answered, then revoked, known or not", "[admin]") {
  Admin admin;
  const auto keys = admin.runtime->handler()->fixtures().keys.size();
  CHECK(login(*admin.api, "rt-key-1") == 401);
  auto reply = call(*admin.api, "POST", "/__admin/keys",
                    R"({"key":"rt-key-1","status":"valid","label":"runtime"})");
  CHECK(reply.status == 201);
  CHECK(reply.body == json{{"key_hint", "rt..."}, {"answer", "success"}, {"keys", keys + 1}});
  CHECK(login(*admin.api, "rt-key-1") == 200);
  CHECK(
      call(*admin.api, "POST", "/__admin/keys", R"({"key":"rt-key-1","status":"valid"})").status ==
      409);
  CHECK(call(*admin.api, "POST", "/__admin/keys", R"({"key":"demo-valid-key","status":"valid"})")
            .status == 409);
  // Behaviours come with it, as in keys.json.
  reply = call(*admin.api, "POST", "/__admin/keys",
               R"({"key":"rt-key-2","answer":"server_error","delay_ms":5})");
  CHECK(reply.status == 201);
  const auto slow = admin.api->handle(login_request("rt-key-2")).response;
  CHECK(slow.status == 500);
  CHECK(slow.delay == 5ms);

  reply = call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"demo-valid-key"})");
  CHECK(reply.status == 200);
  CHECK(reply.body == json{{"revoked", "demo..."}, {"known", true}});
  const auto revoked = admin.api->handle(login_request("demo-valid-key"));
  CHECK(revoked.facts.answer == "revoked_key");
  reply = call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"never-seen-key"})");
  CHECK(reply.body == json{{"revoked", "neve..."}, {"known", false}});
  CHECK(admin.api->handle(login_request("never-seen-key")).facts.answer == "revoked_key");
  CHECK(call(*admin.api, "GET", "/__admin/health").body["keys"] == keys + 3);
  // Each change freed the set it replaced itself, without waiting on itself for a
  // reference it held (a second per call, then the set freed on an event loop).
  CHECK(admin.runtime->sets_left_held() == 0);
}

TEST_CASE("the clock: read, set, advanced, and tokens follow it", "[admin][clock]") {
  Admin admin; // --now 1764000000: frozen
  auto reply = call(*admin.api, "GET", "/__admin/clock");
  CHECK(reply.body == json{{"now", 1764000000}, {"now_ms", 1764000000000}, {"frozen", true}});
  reply = call(*admin.api, "POST", "/__admin/clock", R"({"now":1800000000})");
  CHECK(reply.status == 200);
  CHECK(reply.body["now"] == 1800000000);
  reply = call(*admin.api, "POST", "/__admin/clock", R"({"advance_seconds":60})");
  CHECK(reply.body["now"] == 1800000060);
  const auto body = json::parse(admin.api->handle(login_request("demo-valid-key")).response.body);
  const auto decoded = inspekt::decode_jwt(body["access_token"].get<std::string>());
  REQUIRE(decoded);
  CHECK(decoded.jwt->claims["iat"] == 1800000060);
}

TEST_CASE("the clock never moves past the year 9999, however often it is advanced",
          "[admin][clock]") {
  Admin admin;
  constexpr std::int64_t last_second = 253402300799; // 9999-12-31T23:59:59Z, as documented
  const std::string last = std::to_string(last_second);
  CHECK(call(*admin.api, "POST", "/__admin/clock", R"({"now":)" + last + "}").status == 200);
  const auto reply = call(*admin.api, "POST", "/__admin/clock", R"({"advance_seconds":1})");
  CHECK(reply.status == 400);
  CHECK(reply.body["field"] == "advance_seconds");
  CHECK(call(*admin.api, "GET", "/__admin/clock").body["now"] == last_second);

  call(*admin.api, "POST", "/__admin/clock", R"({"now":0})");
  const std::string century = R"({"advance_seconds":3162240000})";
  int advanced = 0;
  while (call(*admin.api, "POST", "/__admin/clock", century).status == 200 && advanced < 200) {
    ++advanced;
  }
  CHECK(advanced == 80); // 80 centuries from 1970, and not an 81st
  CHECK(call(*admin.api, "GET", "/__admin/clock").body["now"] <= last_second);
  CHECK(call(*admin.api, "POST", "/__admin/clock",
             R"({"advance_seconds":)" + std::to_string(last_second - 80 * 3162240000LL) + "}")
            .status == 200);
  CHECK(call(*admin.api, "GET", "/__admin/clock").body["now"] == last_second);
}

TEST_CASE("reset puts journal, runtime keys, revocations, quotas and clock back", "[admin]") {
  Admin admin;
  Engine engine(*admin.api);
  call(*admin.api, "POST", "/__admin/keys", R"({"key":"rt-key-1","status":"valid"})");
  call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"demo-valid-key"})");
  call(*admin.api, "POST", "/__admin/clock", R"({"advance_seconds":3600})");
  for (int i = 0; i < 6; ++i) {
    engine.login("demo-rate-limited-key");
  }
  CHECK(login(*admin.api, "demo-rate-limited-key") == 429);
  const auto reply = call(*admin.api, "POST", "/__admin/reset");
  CHECK(reply.status == 200);
  CHECK(reply.body == json{{"reset", true}});
  CHECK(login(*admin.api, "rt-key-1") == 401);
  CHECK(login(*admin.api, "demo-valid-key") == 200);
  CHECK(login(*admin.api, "demo-rate-limited-key") == 200);
  CHECK(call(*admin.api, "GET", "/__admin/clock").body["now"] == 1764000000);
  const auto page = admin.runtime->journal().newest();
  CHECK(page.total == 0);
  CHECK(page.entries.empty());
}

TEST_CASE("reset restarts the --seed sequence: the same ids and tokens as a fresh start",
          "[admin][seed]") {
  // Per-test snapshots: each test resets, then logs in, and must see what the first
  // test saw after the mock started, byte for byte (session id, tokens, chaos draws).
  const auto logins = [](const AdminApi &api) {
    std::string seen;
    for (const char *key : {"demo-valid-key", "demo-flaky-key", "demo-flaky-key", "demo-flaky-key",
                            "demo-flaky-key", "demo-valid-key"}) {
      const auto reply = call(api, login_request(key));
      seen += std::to_string(reply.status) + " " + reply.response.body + "\n";
    }
    return seen;
  };
  Admin fresh;
  const std::string first = logins(*fresh.api);
  Admin used;
  logins(*used.api);
  logins(*used.api);
  REQUIRE(call(*used.api, "POST", "/__admin/reset").status == 200);
  CHECK(logins(*used.api) == first);
  REQUIRE(call(*used.api, "POST", "/__admin/reset").status == 200);
  CHECK(logins(*used.api) == first);
}

TEST_CASE("reload: a good set swaps in, a broken one is refused and the old set serves",
          "[admin][reload]") {
  Admin admin;
  call(*admin.api, "POST", "/__admin/keys", R"({"key":"rt-key-1","status":"valid"})");
  call(*admin.api, "POST", "/__admin/keys/revoke", R"({"key":"demo-valid-key"})");
  admin.dir.add_key({{"key", "reloaded-key"}, {"status", "valid"}});
  auto reply = call(*admin.api, "POST", "/__admin/fixtures/reload");
  CHECK(reply.status == 200);
  CHECK(reply.body["reloaded"] == true);
  CHECK(reply.body["fixtures"] == admin.dir.path().string());
  CHECK(reply.body["keys"] == admin.runtime->handler()->fixtures().keys.size());
  CHECK(reply.body["load_ms"].is_number());
  CHECK(reply.body["swap_ms"].is_number());
  CHECK(login(*admin.api, "reloaded-key") == 200);
  // Runtime keys and revocations survive a reload.
  CHECK(login(*admin.api, "rt-key-1") == 200);
  CHECK(admin.api->handle(login_request("demo-valid-key")).facts.answer == "revoked_key");

  admin.dir.write_text("keys.json", R"({"keys": [{"key": 5, "status": "valid"}]})");
  reply = call(*admin.api, "POST", "/__admin/fixtures/reload");
  CHECK(reply.status == 422);
  CHECK(reply.body["id"] == "fixture.type");
  CHECK_THAT(reply.body["message"].get<std::string>(), Catch::StartsWith("[fixture.type] "));
  CHECK(login(*admin.api, "reloaded-key") == 200);

  // A new set that lists a runtime key itself: the runtime key cannot be re-applied.
  admin.dir.write("keys.json",
                  json{{"keys", json::array({{{"key", "rt-key-1"}, {"status", "valid"}}})}});
  reply = call(*admin.api, "POST", "/__admin/fixtures/reload");
  CHECK(reply.status == 422);
  CHECK(login(*admin.api, "reloaded-key") == 200);
}

TEST_CASE("a fixture file that is not a regular file is refused at once, not read for ever",
          "[admin][reload]") {
  Admin admin;
  const fs::path keys = admin.dir.path() / "keys.json";
  fs::remove(keys);
  SECTION("a directory") {
    fs::create_directory(keys);
  }
  SECTION("a link to a device") {
    fs::create_symlink("/dev/null", keys);
  }
  const auto reply = call(*admin.api, "POST", "/__admin/fixtures/reload");
  CHECK(reply.status == 422);
  CHECK(reply.body["id"] == "fixture.io");
  CHECK_THAT(reply.body["message"].get<std::string>(), Catch::Contains("not a regular file"));
  CHECK(login(*admin.api, "demo-valid-key") == 200);
  fs::remove(keys);
}

TEST_CASE("the embedded set reloads too", "[admin][reload]") {
  RuntimeOptions options;
  const auto runtime = std::make_shared<MockRuntime>(options);
  const AdminApi api(runtime, {});
  const auto reply = call(api, "POST", "/__admin/fixtures/reload");
  CHECK(reply.status == 200);
  CHECK(reply.body["fixtures"] == "embedded default");
}

TEST_CASE("access: loopback open, other hosts 403, a token wants Bearer, --no-admin is 404",
          "[admin][access]") {
  SECTION("loopback, no token: open") {
    Admin admin({true, true, std::nullopt});
    CHECK(call(*admin.api, "GET", "/__admin/health").status == 200);
  }
  SECTION("another host without a token: 403 saying how to set one") {
    Admin admin({true, false, std::nullopt});
    const auto reply = call(*admin.api, "GET", "/__admin/health");
    CHECK(reply.status == 403);
    CHECK_THAT(reply.body["message"].get<std::string>(), Catch::Contains("--admin-token"));
    CHECK(login(*admin.api, "demo-valid-key") == 200); // logins are not admin calls
  }
  SECTION("a token: 401 without it or with another, 200 with it") {
    const std::string token = "test-token-5d2e";
    const bool loopback = GENERATE(true, false);
    Admin admin({true, loopback, token});
    for (const std::optional<std::string> &wrong :
         {std::optional<std::string>(), std::optional<std::string>("Bearer test-token-5d2f"),
          std::optional<std::string>("Bearer test-token-5d2"),
          std::optional<std::string>("Basic " + token), std::optional<std::string>(token),
          std::optional<std::string>("Bearer " + token + " ")}) {
      const auto reply = call(*admin.api, request("GET", "/__admin/health", "", wrong));
      CHECK(reply.status == 401);
      CHECK(header(reply.response, "WWW-Authenticate") == "Bearer");
      CHECK_THAT(reply.response.body, !Catch::Contains(token));
    }
    CHECK(call(*admin.api, request("GET", "/__admin/health", "", "Bearer " + token)).status == 200);
    CHECK(call(*admin.api, request("GET", "/__admin/health", "", "bearer " + token)).status == 200);
  }
  SECTION("--no-admin: the fixtures' 404, as any unknown path") {
    Admin admin({false, true, std::nullopt});
    const auto reply = call(*admin.api, "GET", "/__admin/health");
    CHECK(reply.status == 404);
    CHECK(reply.facts.answer == "not_found");
  }
}

TEST_CASE("open on loopback: a request naming another Host or Origin is 403, as a web page's",
          "[admin][access]") {
  Admin admin({true, true, std::nullopt});
  Engine engine(*admin.api);
  for (const std::string headers :
       {"Host: 127.0.0.1:8080\r\n", "Host: localhost\r\n", "Host: LOCALHOST:1\r\n",
        "Host: [::1]:8080\r\n", "Host: 127.0.0.1\r\nOrigin: http://127.0.0.1:8080\r\n",
        "Host: localhost:9\r\nOrigin: http://localhost:9\r\n"}) {
    INFO(headers);
    CHECK(engine.send("GET", "/__admin/health", "", headers).rfind("HTTP/1.1 200", 0) == 0);
  }
  // A page of evil.example whose name resolves to 127.0.0.1 (DNS rebinding); a cross-site
  // POST (text/plain needs no preflight); a sandboxed page's "null" origin.
  for (const auto &[method, target, headers] : std::vector<std::array<std::string, 3>>{
           {"GET", "/__admin/requests?since=0", "Host: evil.example:8080\r\n"},
           {"GET", "/__admin/", "Host: evil.example\r\n"},
           {"GET", "/__admin/keys", "Host: 127.0.0.1.evil.example\r\n"},
           {"POST", "/__admin/reset", "Host: 127.0.0.1:8080\r\nOrigin: http://evil.example\r\n"},
           {"POST", "/__admin/keys/revoke",
            "Host: localhost\r\nOrigin: null\r\nContent-Type: text/plain\r\n"}}) {
    INFO(method << " " << target << " " << headers);
    const std::string body = method == "POST" ? R"({"key":"demo-valid-key"})" : "";
    const std::string output = engine.send(method, target, body, headers);
    CHECK(output.rfind("HTTP/1.1 403", 0) == 0);
    CHECK_THAT(body_of(output)["message"].get<std::string>(), Catch::Contains("loopback"));
  }
  CHECK(login(*admin.api, "demo-valid-key") == 200); // nothing was revoked or reset
  // A token decides alone: a named host or a proxy's Host is let in with it.
  Admin guarded({true, true, std::string("test-token-5d2e")});
  Engine guarded_engine(*guarded.api);
  CHECK(guarded_engine
            .send("GET", "/__admin/health", "",
                  "Host: mock.example\r\nAuthorization: Bearer test-token-5d2e\r\n")
            .rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("is_loopback_host", "[admin][access]") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.1.2.3"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("[::1]"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("::"));
  CHECK_FALSE(is_loopback_host("192.168.1.1"));
  CHECK_FALSE(is_loopback_host("example.com"));
}

TEST_CASE("journal off: count is 409, total still counts", "[admin][journal]") {
  Admin admin({}, 0);
  Engine engine(*admin.api);
  engine.login("demo-valid-key");
  const auto reply = call(*admin.api, "POST", "/__admin/requests/count", "{}");
  CHECK(reply.status == 409);
  CHECK(reply.body["message"] == "the journal is off (--journal-size 0)");
  const auto page = call(*admin.api, "GET", "/__admin/requests").body;
  CHECK(page["total"] == 1);
  CHECK(page["dropped"] == 1);
  CHECK(page["requests"].empty());
}

TEST_CASE("logins from several threads while reloads alternate two sets: every answer is "
          "wholly one set's",
          "[admin][reload][concurrency]") {
  Admin admin;
  // Set A and set B differ in the key's answer header and in the token issuer: an answer
  // mixing the two sets would carry one's header and the other's issuer.
  const json responses = admin.dir.read("responses.json");
  const json tokens = admin.dir.read("tokens.json");
  const auto write_set = [&](const std::string &name) {
    json r = responses;
    r["success"]["headers"]["X-Set"] = name;
    json t = tokens;
    t["issuer"] = "issuer-" + name;
    admin.dir.write("responses.json", r);
    admin.dir.write("tokens.json", t);
  };
  write_set("a");
  REQUIRE(call(*admin.api, "POST", "/__admin/fixtures/reload").status == 200);

  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::atomic<int> mixed{0};
  std::atomic<int> seen_a{0};
  std::atomic<int> seen_b{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!done) {
        const auto response = admin.api->handle(login_request("demo-valid-key")).response;
        const std::string set = header(response, "X-Set");
        const auto body = json::parse(response.body, nullptr, false);
        const auto decoded = inspekt::decode_jwt(body.value("access_token", ""));
        const bool whole = response.status == 200 && decoded &&
                           decoded.jwt->claims.value("iss", "") == "issuer-" + set;
        mixed += whole ? 0 : 1;
        (set == "a" ? seen_a : seen_b) += 1;
        ++answers;
      }
    });
  }
  int reloads = 0;
  for (int i = 0; i < 40; ++i) {
    write_set(i % 2 == 0 ? "b" : "a");
    reloads += call(*admin.api, "POST", "/__admin/fixtures/reload").status == 200;
  }
  done = true;
  for (auto &thread : threads) {
    thread.join();
  }
  INFO("answers: " << answers << ", a: " << seen_a << ", b: " << seen_b);
  CHECK(reloads == 40);
  CHECK(mixed == 0);
  CHECK(answers > 0);
  CHECK(seen_a > 0);
  CHECK(seen_b > 0);
}

TEST_CASE("on the admin API's own thread, answers come deferred, in order, as on the caller's",
          "[admin][deferred]") {
  Admin admin;
  const AdminApi own(admin.runtime, {}, AdminThread::own);
  const auto wait_for = [](const HttpResponse &response) {
    REQUIRE(response.deferred);
    for (int i = 0; i < 5000; ++i) {
      if (auto given = response.deferred->take()) {
        return *given;
      }
      std::this_thread::sleep_for(1ms);
    }
    FAIL("no answer within 5 s");
    return HttpResponse{};
  };
  // Posted one after another without waiting: run in that order.
  const auto added =
      own.handle(request("POST", "/__admin/keys", R"({"key":"rt-own-key","status":"valid"})"));
  const auto again =
      own.handle(request("POST", "/__admin/keys", R"({"key":"rt-own-key","status":"valid"})"));
  CHECK(added.facts.answer == "admin");
  CHECK_FALSE(added.facts.journaled);
  CHECK(wait_for(added.response).status == 201);
  CHECK(wait_for(again.response).status == 409);
  const auto reloaded = wait_for(own.handle(request("POST", "/__admin/fixtures/reload")).response);
  CHECK(reloaded.status == 200);
  CHECK(json::parse(reloaded.body)["reloaded"] == true);
  // Logins and access refusals are answered at once, never deferred.
  CHECK_FALSE(own.handle(login_request("demo-valid-key")).response.deferred);
  const AdminApi closed(admin.runtime, {true, false, std::nullopt}, AdminThread::own);
  CHECK(closed.handle(request("GET", "/__admin/health")).response.status == 403);
  CHECK(admin.runtime->sets_left_held() == 0);
}

TEST_CASE("count filters by the whole key, the path and the reason", "[admin][journal]") {
  Admin admin;
  Engine engine(*admin.api);
  engine.login("demo-valid-key");
  engine.login("demo-valid-key");
  engine.login("demo-valid-keyX"); // the same hint, another key
  engine.login("no-such-key-9f3k");
  engine.send("POST", "/api/authenticate", "{}", "Content-Type: text/plain\r\n");
  const auto count = [&admin](const json &filter) {
    const auto reply = call(*admin.api, "POST", "/__admin/requests/count", filter.dump());
    CHECK(reply.status == 200);
    return reply.body["count"].get<int>();
  };
  CHECK(count({{"key_hint", "demo"}}) == 3);
  CHECK(count({{"key_hint", "demo..."}}) == 3);
  CHECK(count({{"key", "demo-valid-key"}}) == 2);
  CHECK(count({{"key", "demo-valid-keyX"}}) == 1);
  CHECK(count({{"key", "no-such-key-9f3k"}}) == 1);
  CHECK(count({{"key", "demo-valid-ke"}}) == 0);
  CHECK(count({{"key", "demo-valid-key"}, {"status", 200}}) == 2);
  CHECK(count({{"path", "/api/authenticate"}}) == 5);
  CHECK(count({{"reason", "content_type"}}) == 1);
  CHECK(count({{"reason", "content_type"}, {"path", "/nowhere"}}) == 0);
  // The key was matched, never kept: the listing has hints only.
  const auto listing = call(*admin.api, "GET", "/__admin/requests");
  CHECK(listing.response.body.find("valid-key") == std::string::npos);
  CHECK(listing.response.body.find("9f3k") == std::string::npos);
}
