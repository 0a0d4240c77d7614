// The transport over TLS, in this process: the same limits and the same prompt stop as
// over plain HTTP.

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"
#include "test_support/raw_http.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <openssl/ssl.h>

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

using namespace inspekt::mock;
using inspekt::testing::RawConnection;
using namespace std::chrono_literals;

namespace {

struct TrustedTlsMock {
  std::string ca_path;
  std::unique_ptr<BackgroundMockServer> server;

  explicit TrustedTlsMock(std::chrono::seconds handshake_timeout = std::chrono::seconds(5)) {
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.tls_handshake_timeout = handshake_timeout;
    options.tls = make_self_signed_identity(options.host);
    char name[] = "/tmp/inspekt-tls-ca-XXXXXX";
    ::close(::mkstemp(name));
    ca_path = name;
    write_certificate_file(ca_path, *options.tls);
    server = std::make_unique<BackgroundMockServer>(
        std::make_shared<const AuthHandler>(load_embedded_fixtures()), options);
  }
  ~TrustedTlsMock() {
    server.reset();
    std::remove(ca_path.c_str());
  }

  std::unique_ptr<httplib::SSLClient> client(const std::string &host = "127.0.0.1") const {
    auto client = std::make_unique<httplib::SSLClient>(host, server->port());
    client->set_ca_cert_path(ca_path);
    client->enable_server_certificate_verification(true);
    client->set_tcp_nodelay(true);
    return client;
  }
};

const std::string valid_body = R"({"key":"demo-valid-key"})";

} // namespace

TEST_CASE("the mock serves logins over verified TLS", "[server][tls]") {
  TrustedTlsMock mock;
  CHECK_THAT(mock.server->base_url(), Catch::StartsWith("https://127.0.0.1:"));
  auto client = mock.client();
  client->set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    const auto result = client->Post("/api/authenticate", valid_body, "application/json");
    REQUIRE(result);
    CHECK(result->status == 200);
  }
  const auto expired =
      client->Post("/api/authenticate", R"({"key":"demo-expired-key"})", "application/json");
  REQUIRE(expired);
  CHECK(expired->status == 401);
}

TEST_CASE("a client verifying with the CA reaches the mock by any loopback name", "[server][tls]") {
  // The certificate is made for --host 127.0.0.1; users type localhost as often.
  TrustedTlsMock mock;
  for (const char *host : {"127.0.0.1", "localhost"}) {
    INFO(host);
    const auto result =
        mock.client(host)->Post("/api/authenticate", valid_body, "application/json");
    REQUIRE(result);
    CHECK(result->status == 200);
  }
}

TEST_CASE("many TLS clients at once are all served", "[server][tls]") {
  TrustedTlsMock mock;
  std::vector<std::future<int>> answers;
  for (int i = 0; i < 16; ++i) {
    answers.push_back(std::async(std::launch::async, [&mock] {
      const auto result = mock.client()->Post("/api/authenticate", valid_body, "application/json");
      return result ? result->status : -1;
    }));
  }
  for (auto &answer : answers) {
    CHECK(answer.get() == 200);
  }
}

TEST_CASE("stop() returns promptly with idle TLS connections open", "[server][tls]") {
  auto mock = std::make_unique<TrustedTlsMock>();
  auto keep_alive = mock->client();
  keep_alive->set_keep_alive(true);
  REQUIRE(keep_alive->Post("/api/authenticate", valid_body, "application/json"));
  // And one that connected but never started its handshake.
  RawConnection silent(mock->server->port());
  REQUIRE(silent.connected());
  const auto start = std::chrono::steady_clock::now();
  mock.reset();
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("a plain HTTP client gets no answer from the TLS port", "[server][tls]") {
  TrustedTlsMock mock;
  httplib::Client plain("127.0.0.1", mock.server->port());
  plain.set_read_timeout(2s);
  const auto result = plain.Post("/api/authenticate", valid_body, "application/json");
  CHECK_FALSE(result);
}

TEST_CASE("a TLS handshake that stalls is dropped at the handshake timeout", "[server][tls]") {
  TrustedTlsMock mock(1s);
  RawConnection stalled(mock.server->port());
  // A record header that promises a 512-byte ClientHello, and 6 bytes of it.
  REQUIRE(stalled.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  const auto start = std::chrono::steady_clock::now();
  CHECK(stalled.closed_by_peer(4s));
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 500ms);
  CHECK(waited < 3s);
}

TEST_CASE("a failed handshake is logged with its reason", "[server][tls]") {
  // Each way a handshake ends early says why, never an empty reason: nothing sent,
  // plain HTTP, half a ClientHello (a record header promising 512 bytes, 6 of them).
  const std::string first_bytes =
      GENERATE(as<std::string>{}, "", "GET / HTTP/1.1\r\n\r\n",
               std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  std::ostringstream lines;
  {
    auto log = std::make_shared<AccessLog>(&lines, LogFormat::text);
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.tls = make_self_signed_identity(options.host);
    BackgroundMockServer server(std::make_shared<const AuthHandler>(load_embedded_fixtures()),
                                options, log);
    RawConnection client(server.port());
    REQUIRE(client.connected());
    if (!first_bytes.empty()) {
      REQUIRE(client.send(first_bytes));
    }
    client.shutdown_write(); // and no more: the handshake cannot finish
    CHECK(client.closed_by_peer(3s));
  }
  INFO(lines.str());
  const auto at = lines.str().find("failed: ");
  REQUIRE(at != std::string::npos);
  const auto reason = lines.str().substr(at + 8, lines.str().find('\n', at) - at - 8);
  CHECK_FALSE(reason.empty());
}

namespace {

// The descriptor of this process that is the server's end of the TCP connection whose
// client end is `client_fd`, or -1 (the mock runs in this process).
int server_end_of(int client_fd) {
  sockaddr_in client{};
  socklen_t length = sizeof client;
  ::getsockname(client_fd, reinterpret_cast<sockaddr *>(&client), &length);
  DIR *fds = ::opendir("/proc/self/fd");
  int found = -1;
  while (dirent *entry = ::readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    if (fd != client_fd && fd > 2 &&
        ::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peer_length) == 0 &&
        peer_length == sizeof peer && peer.sin_port == client.sin_port &&
        peer.sin_addr.s_addr == client.sin_addr.s_addr) {
      found = fd;
    }
  }
  ::closedir(fds);
  return found;
}

} // namespace

TEST_CASE("a handshake whose flight does not fit the socket goes on when it drains",
          "[server][tls]") {
  // A chain of 200 copies of the certificate (80 KB) through a server socket with a
  // small send buffer: OpenSSL wants the socket writable in mid-handshake, and the
  // loop must go on with the handshake, not wait for the client to send more.
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.tls = make_self_signed_identity(options.host);
  const std::string certificate = options.tls->certificate_chain_pem;
  for (int i = 0; i < 200; ++i) {
    options.tls->certificate_chain_pem += certificate;
  }
  BackgroundMockServer server(std::make_shared<const AuthHandler>(load_embedded_fixtures()),
                              options);
  // A blocking client that gives up reading after 4 s.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const timeval patience{4, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  int server_fd = -1;
  for (int i = 0; i < 400 && server_fd < 0; ++i) { // until the mock has accepted it
    server_fd = server_end_of(fd);
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(server_fd >= 0);
  const int small = 4096;
  ::setsockopt(server_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  SSL_CTX *context = SSL_CTX_new(TLS_client_method());
  SSL *ssl = SSL_new(context);
  SSL_set_max_cert_list(ssl, 1024 * 1024);
  SSL_set_fd(ssl, fd);
  // The ClientHello goes out; the flight fills the server's socket while nobody reads.
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  CHECK(SSL_connect(ssl) != 1);
  std::this_thread::sleep_for(200ms);
  ::fcntl(fd, F_SETFL, 0);
  const auto start = std::chrono::steady_clock::now();
  // Before the fix the rest of the flight never came: the read timed out.
  CHECK(SSL_connect(ssl) == 1);
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  SSL_free(ssl);
  SSL_CTX_free(context);
  ::close(fd);
}

namespace {

// Whether a TLS 1.2 handshake offering only `cipher` completes with the mock on `port`
// (a blocking client that gives up after 4 s).
bool tls12_handshake_with(int port, const char *cipher) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const timeval patience{4, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  SSL_CTX *context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION);
  // The client knows the cipher: a refusal is the server's.
  const bool known = SSL_CTX_set_cipher_list(context, cipher) == 1;
  bool done = false;
  if (known) {
    SSL *ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    done = SSL_connect(ssl) == 1;
    SSL_free(ssl);
  }
  SSL_CTX_free(context);
  ::close(fd);
  REQUIRE(known);
  return done;
}

} // namespace

TEST_CASE("TLS 1.2 offers only AEAD ciphers with forward secrecy", "[server][tls]") {
  // Mozilla's "intermediate" profile: for TLS 1.2, ECDHE with AES-GCM or
  // CHACHA20-POLY1305; CBC with SHA-1 or SHA-2 MACs is refused. The key is EC (P-256).
  TrustedTlsMock mock;
  for (const char *refused : {"ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA",
                              "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"}) {
    INFO(refused);
    CHECK_FALSE(tls12_handshake_with(mock.server->port(), refused));
  }
  for (const char *accepted : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                               "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    INFO(accepted);
    CHECK(tls12_handshake_with(mock.server->port(), accepted));
  }
}
