// The engine, over loopback, with the mock in this process: what real clients and
// hostile ones send, and how the server copes. Built twice from this one file: over
// plain HTTP, and with INSPEKT_TEST_TLS over HTTPS, so that both get the same rules.

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"
#include "test_support/raw_http.hpp"
#include "test_support/sanitizers.hpp"
#include "test_support/thread_census.hpp"
#include "test_support/timed_responder.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include <unistd.h>

using namespace inspekt::mock;
using inspekt::testing::body_of;
using inspekt::testing::post_request;
using inspekt::testing::RawConnection;
using inspekt::testing::resident_kib;
using inspekt::testing::status_of;
using inspekt::testing::TimedResponder;
using inspekt::testing::Wire;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

#ifdef INSPEKT_TEST_TLS
constexpr Wire wire = Wire::tls;
#else
constexpr Wire wire = Wire::plain;
#endif

std::shared_ptr<const AuthHandler> default_handler() {
  static const auto handler = std::make_shared<const AuthHandler>(load_embedded_fixtures());
  return handler;
}

ServerOptions loopback(std::size_t max_body = 64 * 1024) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.max_body_bytes = max_body;
  if (wire == Wire::tls) {
    static const TlsIdentity identity = make_self_signed_identity("127.0.0.1");
    options.tls = identity;
  }
  return options;
}

// A real HTTP client for the mock on `port`, speaking the wire of this build (over TLS
// it accepts the mock's self-signed certificate).
std::unique_ptr<httplib::Client> http_client(int port) {
  auto client = std::make_unique<httplib::Client>(
      (wire == Wire::tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port));
  client->enable_server_certificate_verification(false);
  return client;
}

const std::string valid_body = R"({"key":"demo-valid-key","client_id":"test"})";

// 20 logins on one keep-alive connection, each answered 200 within 500 ms.
void check_prompt_logins(int port) {
  auto client = http_client(port);
  client->set_read_timeout(2, 0);
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = client->Post("/api/authenticate", valid_body, "application/json");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
  }
}

} // namespace

TEST_CASE("a real HTTP client logs in over keep-alive", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  auto client = http_client(mock.port());
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  std::set<std::string> sessions;
  for (int i = 0; i < 20; ++i) {
    const auto result = client->Post("/api/authenticate", valid_body, "application/json");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->get_header_value("Content-Type") == "application/json");
    CHECK_FALSE(result->has_header("Connection"));
    sessions.insert(json::parse(result->body)["session"].get<std::string>());
  }
  CHECK(sessions.size() == 20);
}

TEST_CASE("Java's h2c upgrade headers are ignored and HTTP/1.1 answers", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  REQUIRE(connection.send(post_request(valid_body,
                                       "Connection: Upgrade, HTTP2-Settings\r\n"
                                       "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAB\r\n")));
  const auto response = connection.read_response(2s);
  CHECK(status_of(response) == 200);
  CHECK(json::parse(body_of(response)).contains("refresh_token"));
}

TEST_CASE("a POST without Content-Length has an empty body and is answered at once", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(connection.send("POST /api/authenticate HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/json\r\n\r\n"));
  const auto response = connection.read_response(3s);
  CHECK(status_of(response) == 400);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("bodies over the limit get 413 JSON and the connection stays usable", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  const std::string big(70 * 1024, 'x');
  REQUIRE(connection.send(post_request(big)));
  const auto response = connection.read_response(3s);
  CHECK(status_of(response) == 413);
  CHECK(json::parse(body_of(response)) == json{{"message", "Payload too large"}});
  REQUIRE(connection.send(post_request(valid_body)));
  CHECK(status_of(connection.read_response(3s)) == 200);
}

TEST_CASE("a chunked body over the limit gets 413", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback(1024));
  RawConnection connection(mock.port(), wire);
  std::string request = "POST /api/authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) {
    request += "400\r\n" + std::string(1024, 'a') + "\r\n";
  }
  request += "0\r\n\r\n";
  REQUIRE(connection.send(request));
  const auto response = connection.read_response(3s);
  CHECK(status_of(response) == 413);
  REQUIRE(connection.send(post_request(valid_body)));
  CHECK(status_of(connection.read_response(3s)) == 200);
}

TEST_CASE("a chunked body within the limit is read", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  const std::string half1 = valid_body.substr(0, 10);
  const std::string half2 = valid_body.substr(10);
  char sizes[64];
  std::snprintf(sizes, sizeof sizes, "%zx", half1.size());
  std::string request = "POST /api/authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        std::string(sizes) + "\r\n" + half1 + "\r\n";
  std::snprintf(sizes, sizeof sizes, "%zx", half2.size());
  request += std::string(sizes) + "\r\n" + half2 + "\r\n0\r\n\r\n";
  REQUIRE(connection.send(request));
  CHECK(status_of(connection.read_response(3s)) == 200);
}

TEST_CASE("hostile bodies get 4xx, never 5xx", "[server][hostile]") {
  BackgroundMockServer mock(default_handler(), loopback(1024 * 1024));
  RawConnection connection(mock.port(), wire);
  REQUIRE(connection.send(post_request(std::string(100000, '['))));
  CHECK(status_of(connection.read_response(3s)) == 400);
  REQUIRE(connection.send(post_request("{\"key\":\"\xff\xfe\xfd\"}")));
  CHECK(status_of(connection.read_response(3s)) == 400); // the JSON parser refuses it
  REQUIRE(connection.send(post_request(std::string(1, '\0') + "{}")));
  CHECK(status_of(connection.read_response(3s)) == 400);
}

TEST_CASE("a broken request line gets a JSON 400", "[server][hostile]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  REQUIRE(connection.send("NOT AN HTTP REQUEST\r\n\r\n"));
  const auto response = connection.read_response(3s);
  CHECK(status_of(response) == 400);
  CHECK(json::parse(body_of(response)) == json{{"message", "Invalid API key"}});
}

TEST_CASE("clients that send half a request and stall do not stop others", "[server][hostile]") {
  BackgroundMockServer mock(default_handler(), loopback());
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 16; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(mock.port(), wire));
    REQUIRE(stalled.back()->send(i % 2 ? "POST /api/authenticate HTTP/1.1\r\nContent-Le"
                                       : post_request(valid_body).substr(0, 120)));
  }
  check_prompt_logins(mock.port());
}

TEST_CASE("stop() returns promptly with idle keep-alive connections open", "[server]") {
  auto mock = std::make_unique<BackgroundMockServer>(default_handler(), loopback());
  RawConnection idle(mock->port(), wire);
  REQUIRE(idle.send(post_request(valid_body)));
  REQUIRE(status_of(idle.read_response(2s)) == 200);
  RawConnection silent(mock->port(), wire); // connected, never sends a byte
  const auto start = std::chrono::steady_clock::now();
  mock.reset();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(idle.closed_by_peer(1s));
}

TEST_CASE("once stop() is called new connections are refused", "[server]") {
  MockServer server(default_handler(), loopback());
  const int port = server.bind();
  std::thread serving([&] { server.run(); });
  RawConnection stalled(port, wire); // a request in progress keeps the grace period going
  REQUIRE(stalled.send(post_request(valid_body).substr(0, 60)));
  std::this_thread::sleep_for(50ms);
  server.stop(2s);
  RawConnection late(port, wire);
  CHECK_FALSE(late.connected());
  stalled.reset();
  serving.join();
}

TEST_CASE("a server stopped right after it started still shuts down", "[server]") {
  // stop() may run before the serving thread has entered its event loop.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    BackgroundMockServer mock(default_handler(), loopback());
  }
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a port that is taken is reported, not shared", "[server]") {
  BackgroundMockServer first(default_handler(), loopback());
  ServerOptions same = loopback();
  same.port = first.port();
  MockServer second(default_handler(), same);
  CHECK_THROWS_WITH(second.bind(), Catch::Contains("address already in use"));
}

TEST_CASE("the access log names outcome and key prefix, never the key", "[server][secrets]") {
  std::ostringstream lines;
  {
    auto log = std::make_shared<AccessLog>(&lines, LogFormat::json);
    BackgroundMockServer mock(default_handler(), loopback(), log);
    auto client = http_client(mock.port());
    REQUIRE(client->Post("/api/authenticate", valid_body, "application/json"));
    REQUIRE(client->Get("/api/authenticate"));
  }
  std::istringstream in(lines.str());
  std::string line;
  std::vector<json> entries;
  while (std::getline(in, line)) {
    entries.push_back(json::parse(line));
  }
  REQUIRE(entries.size() == 2);
  // The logger runs after the answer is sent, so under load the GET on the second
  // connection can be logged first: order the entries by status, not by arrival.
  std::sort(entries.begin(), entries.end(),
            [](const json &a, const json &b) { return a["status"] < b["status"]; });
  CHECK(entries[0]["method"] == "POST");
  CHECK(entries[0]["path"] == "/api/authenticate");
  CHECK(entries[0]["status"] == 200);
  CHECK(entries[0]["outcome"] == "success");
  CHECK(entries[0]["key"] == "demo...");
  CHECK(entries[0]["client_id"] == "test");
  CHECK(entries[0]["duration_ms"].is_number());
  CHECK(entries[1]["status"] == 405);
  CHECK(lines.str().find("demo-valid-key") == std::string::npos);
  CHECK(lines.str().find("eyJ") == std::string::npos);
}

TEST_CASE("pipelined requests in one write get their answers in order", "[server]") {
  BackgroundMockServer mock(default_handler(), loopback());
  RawConnection connection(mock.port(), wire);
  REQUIRE(connection.send(post_request(valid_body) + post_request(R"({"client_id":"x"})") +
                          post_request(valid_body)));
  CHECK(status_of(connection.read_response(2s)) == 200);
  CHECK(status_of(connection.read_response(2s)) == 400);
  CHECK(status_of(connection.read_response(2s)) == 200);
}

TEST_CASE("idle and stalled connections are closed after their timeouts", "[server][hostile]") {
  ServerOptions options = loopback();
  options.keep_alive_timeout = 1s;
  options.read_timeout = 1s;
  BackgroundMockServer mock(default_handler(), options);
  RawConnection idle(mock.port(), wire);
  REQUIRE(idle.send(post_request(valid_body)));
  REQUIRE(status_of(idle.read_response(2s)) == 200);
  RawConnection stalled(mock.port(), wire);
  REQUIRE(stalled.send(post_request(valid_body).substr(0, 70)));
  const auto start = std::chrono::steady_clock::now();
  CHECK(idle.closed_by_peer(3s));
  CHECK(stalled.closed_by_peer(3s));
  CHECK(std::chrono::steady_clock::now() - start >= 500ms);
}

TEST_CASE("a client that never reads its answers does not hold up others", "[server][hostile]") {
  ServerOptions options = loopback();
  options.keep_alive_max_requests = 1000000; // else the mock closes after 1000 answers
  BackgroundMockServer mock(default_handler(), options);
  RawConnection greedy(mock.port(), wire, 8 * 1024);
  // 15 MB of pipelined logins whose answers (70 MB, about 700 bytes each) are never
  // read, by a client with a small receive buffer. The mock must stop reading rather
  // than hold the answers in memory; what the kernel buffers is not in the process's
  // resident set.
  std::string requests;
  for (int i = 0; i < 100000; ++i) {
    requests += post_request(valid_body);
  }
  const auto before = resident_kib(::getpid());
  std::size_t sent = 0;
  for (int round = 0; round < 60 && sent < requests.size(); ++round) {
    sent += greedy.send_without_waiting(requests.substr(sent, 1024 * 1024));
    std::this_thread::sleep_for(5ms);
  }
  INFO("request bytes taken: " << sent);
  check_prompt_logins(mock.port());
#if !defined(INSPEKT_UNDER_SANITIZER)
  // Under the sanitizers resident memory says little: ASan keeps freed blocks in
  // quarantine, TSan adds shadow memory per allocation.
  CHECK(resident_kib(::getpid()) < before + 16 * 1024);
#else
  (void)before;
#endif
}

TEST_CASE("delayed answers are timers: others are answered meanwhile, on one loop",
          "[server][timed]") {
  ServerOptions options = loopback();
  options.event_loops = 1;
  BackgroundMockServer mock(std::make_shared<const TimedResponder>(800ms, std::nullopt, "slow"),
                            options);
  const std::string slow_login = R"({"key":"demo-valid-key","client_id":"slow"})";
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<RawConnection>(mock.port(), wire));
    REQUIRE(slow.back()->send(post_request(slow_login)));
  }
  check_prompt_logins(mock.port()); // each within 500 ms, while 20 answers wait
  for (auto &connection : slow) {
    const auto response = connection->read_response(3s);
    CHECK(status_of(response) == 200);
  }
  CHECK(std::chrono::steady_clock::now() - start >= 800ms);
  // The connections go on: the next login on one of them is delayed again, not lost.
  REQUIRE(slow.front()->send(post_request(valid_body)));
  CHECK(status_of(slow.front()->read_response(2s)) == 200);
}

TEST_CASE("faults reach the client on the wire", "[server][timed][fault]") {
  const Fault fault = GENERATE(Fault::connection_reset_by_peer, Fault::empty_response,
                               Fault::truncated_body, Fault::random_data_then_close);
  DYNAMIC_SECTION(to_string(fault)) {
    BackgroundMockServer mock(std::make_shared<const TimedResponder>(50ms, fault), loopback());
    RawConnection connection(mock.port(), wire);
    REQUIRE(connection.send(post_request(valid_body)));
    const auto received = connection.read_response(2s);
    CHECK(connection.closed_by_peer(2s));
    CHECK(connection.reset_by_peer() == (fault == Fault::connection_reset_by_peer));
    switch (fault) {
    case Fault::truncated_body:
      CHECK(status_of(received) == 200);
      CHECK(body_of(received).size() < 400);
      break;
    case Fault::random_data_then_close:
      CHECK(received.size() == 256);
      break;
    default:
      CHECK(received.empty());
    }
  }
}

TEST_CASE("SLOW_BODY trickles a whole answer out, and the connection goes on", "[server][timed]") {
  BackgroundMockServer mock(std::make_shared<const TimedResponder>(500ms, Fault::slow_body),
                            loopback());
  RawConnection connection(mock.port(), wire);
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(connection.send(post_request(valid_body)));
  const auto response = connection.read_response(3s);
  CHECK(std::chrono::steady_clock::now() - start >= 450ms);
  CHECK(status_of(response) == 200);
  CHECK(json::parse(body_of(response)).contains("refresh_token"));
  REQUIRE(connection.send(post_request(valid_body)));
  CHECK(status_of(connection.read_response(3s)) == 200);
}
