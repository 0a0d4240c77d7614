// Hostile TLS clients against the inspekt-mock program serving HTTPS: a handshake that
// stalls, garbage instead of a ClientHello, a reset right after the handshake, clients
// that leave without close_notify, a thousand idle TLS connections, a client that
// never reads. None may stop another client being answered, or leave a descriptor or
// memory behind. Loopback only; every test is bounded and stops its mock.

#include "test_support/child_process.hpp"
#include "test_support/raw_http.hpp"
#include "test_support/sanitizers.hpp"
#include "test_support/thread_census.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using inspekt::testing::open_descriptors;
using inspekt::testing::post_request;
using inspekt::testing::RawConnection;
using inspekt::testing::resident_kib;
using inspekt::testing::start_mock_binary;
using inspekt::testing::StartedMock;
using inspekt::testing::status_of;
using inspekt::testing::Wire;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string valid_body = R"({"key":"demo-valid-key","client_id":"tls-hostile-test"})";

// Stretched under sanitizers (INSPEKT_TEST_TIME_SCALE, set by the presets).
Clock::duration scaled(Clock::duration bound) {
  const char *scale = std::getenv("INSPEKT_TEST_TIME_SCALE");
  return scale == nullptr ? bound : bound * std::max(1, std::atoi(scale));
}

StartedMock start_tls_mock() {
  auto mock = start_mock_binary({"--quiet", "--tls-self-signed"});
  REQUIRE(mock.port > 0);
  REQUIRE(mock.base_url.rfind("https://", 0) == 0);
  return mock;
}

// 20 logins over one verified-or-not TLS keep-alive connection, each prompt.
void check_prompt_tls_logins(int port) {
  httplib::SSLClient client("127.0.0.1", port);
  client.enable_server_certificate_verification(false);
  client.set_read_timeout(3s);
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    const auto result = client.Post("/api/authenticate", valid_body, "application/json");
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(Clock::now() - start < scaled(500ms));
  }
}

// Waits (up to 3 s) for the mock's descriptors to come down to `baseline`.
std::size_t settled_descriptors(int pid, std::size_t baseline) {
  const auto deadline = Clock::now() + 3s;
  while (open_descriptors(pid) > baseline && Clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  return open_descriptors(pid);
}

// The mock over HTTPS after 20 verified logins, and how many descriptors it holds once
// that client is gone (the count seen twice in a row, 20 ms apart).
struct MockAtRest {
  StartedMock mock;
  int pid = 0;
  std::size_t descriptors = 0;
};

MockAtRest tls_mock_at_rest() {
  MockAtRest rest{start_tls_mock()};
  rest.pid = rest.mock.process->pid();
  check_prompt_tls_logins(rest.mock.port);
  std::size_t previous = open_descriptors(rest.pid);
  const auto deadline = Clock::now() + 1s;
  do {
    std::this_thread::sleep_for(20ms);
    rest.descriptors = std::exchange(previous, open_descriptors(rest.pid));
  } while (previous != rest.descriptors && Clock::now() < deadline);
  return rest;
}

// The first bytes of a TLS record carrying a ClientHello: the record says 512 bytes
// follow, 7 do.
const std::string partial_client_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);

} // namespace

TEST_CASE("hostile TLS clients neither stop others nor leave descriptors behind",
          "[binary][hostile][tls]") {
  auto [mock, pid, baseline] = tls_mock_at_rest();

  std::vector<std::unique_ptr<RawConnection>> hostile;
  // Stalled mid-handshake, and garbage where a ClientHello belongs.
  for (int i = 0; i < 8; ++i) {
    hostile.push_back(std::make_unique<RawConnection>(mock.port));
    REQUIRE(hostile.back()->send(partial_client_hello));
  }
  RawConnection garbage(mock.port);
  REQUIRE(garbage.send(post_request(valid_body))); // plain HTTP on the TLS port
  CHECK(garbage.closed_by_peer(2s));
  // Reset right after the handshake, and half a request then a reset.
  for (int i = 0; i < 4; ++i) {
    RawConnection gone(mock.port, Wire::tls);
    REQUIRE(gone.connected());
    if (i % 2 == 1) {
      REQUIRE(gone.send(post_request(valid_body).substr(0, 50)));
    }
    gone.reset();
  }
  // Half a request, then a FIN without close_notify: nothing to answer, closed.
  RawConnection half(mock.port, Wire::tls);
  REQUIRE(half.send(post_request(valid_body).substr(0, 70)));
  half.shutdown_write_without_close_notify();
  CHECK(half.closed_by_peer(2s));
  // A whole request, then a FIN without close_notify: answered, then closed.
  RawConnection whole(mock.port, Wire::tls);
  REQUIRE(whole.send(post_request(valid_body)));
  whole.shutdown_write_without_close_notify();
  CHECK(status_of(whole.read_response(2s)) == 200);
  CHECK(whole.closed_by_peer(2s));
  // A whole request, then close_notify: answered as well.
  RawConnection polite(mock.port, Wire::tls);
  REQUIRE(polite.send(post_request(valid_body)));
  polite.shutdown_write();
  CHECK(status_of(polite.read_response(2s)) == 200);

  check_prompt_tls_logins(mock.port); // with the stalled handshakes still open

  hostile.clear();
  garbage.reset();
  half.reset();
  whole.reset();
  polite.reset();
  CHECK(settled_descriptors(pid, baseline) <= baseline);
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}

TEST_CASE("a thousand idle TLS connections cost sockets, not a login's time",
          "[binary][hostile][tls][slow]") {
  auto [mock, pid, baseline] = tls_mock_at_rest();
  const auto memory_before = resident_kib(pid);

  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<RawConnection>(mock.port, Wire::tls));
    REQUIRE(idle.back()->connected());
  }
  check_prompt_tls_logins(mock.port);
  const auto memory_with_idle = resident_kib(pid);
  INFO("resident: " << memory_before << " KiB before, " << memory_with_idle
                    << " KiB with 1000 idle TLS connections");
#if !defined(INSPEKT_UNDER_SANITIZER)
  // OpenSSL's buffers are given back while a connection is idle: what is left is the
  // connection's state. Measured: 14.7 MiB for the thousand, 23.5 MiB when the buffers
  // are kept (SSL_MODE_RELEASE_BUFFERS off).
  CHECK(memory_with_idle < memory_before + 20 * 1024);
#endif
  // An idle connection is still served (the newest: on a loaded machine, opening a
  // thousand can take longer than the 5 s keep-alive timeout, which closes the oldest).
  REQUIRE(idle.back()->send(post_request(valid_body)));
  CHECK(status_of(idle.back()->read_response(2s)) == 200);

  idle.clear();
  CHECK(settled_descriptors(pid, baseline) <= baseline);
  mock.process->signal(SIGTERM);
  CHECK(mock.process->wait(2s) == 0);
}
