// The admin API of the inspekt-mock program over loopback: the journal CI asserts on,
// the access rules as flags and the environment set them, reloads by SIGHUP, and what
// a full journal costs the process.

#include "test_support/child_process.hpp"
#include "test_support/fixture_dir.hpp"
#include "test_support/raw_http.hpp"
#include "test_support/sanitizers.hpp"
#include "test_support/thread_census.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

using inspekt::testing::FixtureDir;
using inspekt::testing::start_mock_binary;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

httplib::Result login(int port, const std::string &key, const std::string &client_id = "ci-app") {
  httplib::Client client("127.0.0.1", port);
  return client.Post("/api/authenticate", json{{"key", key}, {"client_id", client_id}}.dump(),
                     "application/json");
}

httplib::Result admin_get(int port, const std::string &path, const std::string &token = "") {
  httplib::Client client("127.0.0.1", port);
  httplib::Headers headers;
  if (!token.empty()) {
    headers.emplace("Authorization", "Bearer " + token);
  }
  return client.Get(path.c_str(), headers);
}

httplib::Result admin_post(int port, const std::string &path, const std::string &body) {
  httplib::Client client("127.0.0.1", port);
  return client.Post(path.c_str(), body, "application/x-www-form-urlencoded"); // as curl -d
}

// Waits up to 3 s for `text` on the mock's stderr.
bool wait_for_log(inspekt::testing::ChildProcess &process, const std::string &text,
                  std::size_t occurrences = 1) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = process.stderr_text();
    std::size_t found = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) {
      ++found;
    }
    if (found >= occurrences) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// The default set and `count` more valid keys: a set that takes a while to reload.
void add_bulk_keys(FixtureDir &dir, int count) {
  json keys = dir.read("keys.json");
  for (int i = 0; i < count; ++i) {
    keys["keys"].push_back({{"key", "bulk-key-" + std::to_string(i)}, {"status", "valid"}});
  }
  dir.write("keys.json", keys);
}

} // namespace

TEST_CASE("CI asserts on the journal of the running program", "[binary][admin]") {
  auto mock = start_mock_binary();
  REQUIRE(mock.port > 0);
  REQUIRE(login(mock.port, "demo-valid-key")->status == 200);
  REQUIRE(login(mock.port, "demo-expired-key")->status == 401);
  const auto health = admin_get(mock.port, "/__admin/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->get_header_value("Content-Type") == "application/json");
  const auto count =
      admin_post(mock.port, "/__admin/requests/count", R"({"client_id":"ci-app","status":200})");
  REQUIRE(count);
  CHECK(json::parse(count->body) == json{{"count", 1}});
  const auto page = admin_get(mock.port, "/__admin/requests");
  REQUIRE(page);
  const auto journal = json::parse(page->body);
  CHECK(journal["total"] == 2); // the admin calls are not in it
  CHECK(journal["requests"][0]["answer"] == "expired_key");
  CHECK_THAT(page->body, !Catch::Contains("demo-valid-key") && !Catch::Contains("demo-exp"));
  REQUIRE(wait_for_log(*mock.process, "GET /__admin/requests 200"));
  CHECK_THAT(mock.process->stderr_text(), Catch::Contains("outcome=admin"));
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("a token from the environment or a file closes the admin API to calls without it",
          "[binary][admin][access]") {
  const std::string token = "ci-token-7f3a9";
  const std::string token_file = (std::filesystem::temp_directory_path() /
                                  ("inspekt-admin-token-" + std::to_string(::getpid())))
                                     .string();
  std::ofstream(token_file) << token << "\n";
  const bool from_file = GENERATE(false, true);
  auto mock = from_file ? start_mock_binary({"--admin-token-file", token_file})
                        : start_mock_binary({}, {"INSPEKT_ADMIN_TOKEN=" + token});
  REQUIRE(mock.port > 0);
  const auto refused = admin_get(mock.port, "/__admin/health");
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(refused->get_header_value("WWW-Authenticate") == "Bearer");
  CHECK(admin_get(mock.port, "/__admin/health", "wrong-token")->status == 401);
  CHECK(admin_get(mock.port, "/__admin/health", token)->status == 200);
  CHECK(login(mock.port, "demo-valid-key")->status == 200); // logins need no token
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
  CHECK_THAT(mock.process->stderr_text(), !Catch::Contains(token));
  std::filesystem::remove(token_file);
}

TEST_CASE("a non-loopback host without a token gets 403, --no-admin 404",
          "[binary][admin][access]") {
  SECTION("listening on every address (connected to through 127.0.0.1 only)") {
    auto mock = start_mock_binary({"--host", "0.0.0.0"});
    REQUIRE(mock.port > 0);
    const auto refused = admin_get(mock.port, "/__admin/health");
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK_THAT(refused->body, Catch::Contains("--admin-token"));
  }
  SECTION("--no-admin") {
    auto mock = start_mock_binary({"--no-admin"});
    REQUIRE(mock.port > 0);
    const auto missing = admin_get(mock.port, "/__admin/health");
    REQUIRE(missing);
    CHECK(missing->status == 404);
  }
}

TEST_CASE("SIGHUP reloads the fixtures, and a broken set is refused and the old one serves",
          "[binary][admin][reload]") {
  FixtureDir dir(INSPEKT_DEFAULT_FIXTURES);
  auto mock = start_mock_binary({"--fixtures", dir.path().string()});
  REQUIRE(mock.port > 0);
  CHECK(login(mock.port, "hup-reloaded-key")->status == 401);
  dir.add_key({{"key", "hup-reloaded-key"}, {"status", "valid"}});
  mock.process->signal(SIGHUP);
  REQUIRE(wait_for_log(*mock.process, "reload ok: on SIGHUP"));
  CHECK(login(mock.port, "hup-reloaded-key")->status == 200);

  dir.write_text("keys.json", R"({"keys": [{"key": "x", "status": "nope"}]})");
  mock.process->signal(SIGHUP);
  REQUIRE(wait_for_log(*mock.process, "reload refused: on SIGHUP: [fixture.value]"));
  CHECK(login(mock.port, "hup-reloaded-key")->status == 200);
  const auto reload = admin_post(mock.port, "/__admin/fixtures/reload", "");
  REQUIRE(reload);
  CHECK(reload->status == 422);
  CHECK(json::parse(reload->body)["id"] == "fixture.value");
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("a --watch reload is logged as a change of the files, not as a SIGHUP",
          "[binary][admin][reload]") {
  FixtureDir dir(INSPEKT_DEFAULT_FIXTURES);
  auto mock = start_mock_binary({"--fixtures", dir.path().string(), "--watch"});
  REQUIRE(mock.port > 0);
  REQUIRE(wait_for_log(*mock.process, "watch: reloading on changes in"));
  dir.add_key({{"key", "watch-reloaded-key"}, {"status", "valid"}});
  REQUIRE(wait_for_log(*mock.process, "reload ok: on a change in " + dir.path().string()));
  CHECK(login(mock.port, "watch-reloaded-key")->status == 200);
  dir.write_text("keys.json", R"({"keys": [{"key": "x", "status": "nope"}]})");
  REQUIRE(wait_for_log(*mock.process, "reload refused: on a change in " + dir.path().string() +
                                          ": [fixture.value]"));
  CHECK_THAT(mock.process->stderr_text(), !Catch::Contains("on SIGHUP"));
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("a full journal of the largest entries adds at most 8 MiB to the process",
          "[binary][admin][memory]") {
  auto mock = start_mock_binary({"--quiet"});
  REQUIRE(mock.port > 0);
  const std::string long_client(2000, 'c');
  const std::string body = json{{"key", "demo-valid-key"}, {"client_id", long_client}}.dump();
  const std::string prefer = "Prefer: lifetime=5, " + std::string(500, 'p') + "\r\n";
  const auto send = [&](int count) {
    inspekt::testing::RawConnection connection(mock.port);
    for (int i = 0; i < count; ++i) {
      const std::string request = "POST /api/authenticate?" + std::string(400, 'q') +
                                  " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
                                  prefer + "Content-Length: " + std::to_string(body.size()) +
                                  "\r\n\r\n" + body;
      REQUIRE(connection.send(request));
      REQUIRE(inspekt::testing::status_of(connection.read_response(2s)) != 0);
    }
  };
  send(500); // warm: connections, buffers, the first ring allocation
  const std::size_t before = inspekt::testing::resident_kib(mock.process->pid());
  for (int round = 0; round < 10; ++round) {
    send(1000);
  }
  const std::size_t after = inspekt::testing::resident_kib(mock.process->pid());
  const auto journal = json::parse(admin_get(mock.port, "/__admin/requests?limit=1")->body);
  CHECK(journal["total"] == 10500);
  CHECK(journal["dropped"] == 500);
  INFO("resident before " << before << " KiB, after " << after << " KiB");
  CHECK(before > 0);
#if !defined(INSPEKT_UNDER_SANITIZER)
  // Under the sanitizers resident memory says little: ASan keeps freed blocks in
  // quarantine, TSan adds shadow memory per allocation.
  CHECK(after <= before + 8 * 1024);
#endif
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("SIGTERM during a reload of a large set still exits 0", "[binary][admin][reload]") {
  FixtureDir dir(INSPEKT_DEFAULT_FIXTURES);
  add_bulk_keys(dir, 50000);
  auto mock = start_mock_binary({"--fixtures", dir.path().string()});
  REQUIRE(mock.port > 0);
  mock.process->signal(SIGHUP); // a reload of 50,000 keys takes a while
  std::this_thread::sleep_for(20ms);
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(5s) == 0);
  CHECK_THAT(mock.process->stderr_text(), Catch::Contains("stopping: on SIGTERM"));
}

TEST_CASE("logins are answered while a reload reads a large set", "[binary][admin][reload]") {
  // One event loop: were the reload read on it, no login could be answered until the
  // reload's answer had gone (the admin API runs it on a thread of its own).
  FixtureDir dir(INSPEKT_DEFAULT_FIXTURES);
  add_bulk_keys(dir, 100000);
  auto mock = start_mock_binary({"--fixtures", dir.path().string(), "--loops", "1"});
  REQUIRE(mock.port > 0);
  std::atomic<bool> reloaded{false};
  int reload_status = 0;
  std::thread reload([&] {
    httplib::Client client("127.0.0.1", mock.port);
    client.set_read_timeout(30, 0);
    const auto answer = client.Post("/__admin/fixtures/reload", "", "application/json");
    reload_status = answer ? answer->status : -1;
    reloaded = true;
  });
  httplib::Client client("127.0.0.1", mock.port);
  int during = 0;
  int failed = 0;
  while (!reloaded) {
    const auto answer =
        client.Post("/api/authenticate", R"({"key":"demo-valid-key","client_id":"ci-app"})",
                    "application/json");
    if (!answer || answer->status != 200) {
      ++failed;
    } else if (!reloaded) {
      ++during;
    }
  }
  reload.join();
  CHECK(reload_status == 200);
  CHECK(failed == 0);
  CHECK(during >= 3);
  // The admin call is in the access log with the answer it got, once it left.
  CHECK(wait_for_log(*mock.process, "/__admin/fixtures/reload 200"));
}
