#include "checks.hpp"

#include "inspekt/mock/engine/tls_identity.hpp"
#include "tls_channel.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string>

namespace inspekt::fuzz {
namespace {

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("tls_channel: " + rule);
  }
}

const mock::detail::TlsServerContext &server_context() {
  static const mock::detail::TlsServerContext context(mock::make_self_signed_identity("127.0.0.1"));
  return context;
}

// Both ends of a socketpair, closed however the check ends.
struct SocketPair {
  std::array<int, 2> fds{-1, -1};
  SocketPair() {
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()) == 0,
            "socketpair");
  }
  ~SocketPair() {
    for (const int fd : fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  SocketPair(const SocketPair &) = delete;
  SocketPair &operator=(const SocketPair &) = delete;
};

// Reads and drops what the server wrote, so that its writes never wait.
void drain(int fd) {
  char sink[16384];
  while (::read(fd, sink, sizeof sink) > 0) {
  }
}

void write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    require(n > 0, "the socket takes 32 KiB at once");
    written += static_cast<std::size_t>(n);
  }
}

// After the client's end: handshake, then reads, a bounded number of steps. No step may
// wait for more: each ends in a failure (with a reason), a clean end, or progress.
// What read() gave is appended to `received`.
void finish(mock::detail::TlsChannel &channel, int client_fd, std::string &received) {
  char buffer[16384];
  for (int step = 0; step < 1000; ++step) {
    mock::detail::IoStatus status;
    if (!channel.established()) {
      status = channel.handshake();
    } else {
      const auto got = channel.read(buffer, sizeof buffer);
      require(got.bytes <= sizeof buffer, "read() moves at most the buffer's size");
      require(got.status == mock::detail::IoStatus::done || got.bytes == 0, "bytes only with done");
      received.append(buffer, got.bytes);
      status = got.status;
    }
    drain(client_fd);
    switch (status) {
    case mock::detail::IoStatus::done:
    case mock::detail::IoStatus::want_write:
      continue;
    case mock::detail::IoStatus::want_read:
      require(false, "waits for bytes after the client's end");
      return;
    case mock::detail::IoStatus::end:
      require(channel.established(), "a clean end only after the handshake");
      channel.close_notify();
      return;
    case mock::detail::IoStatus::failed:
      require(!channel.failure().empty(), "a failure says why");
      channel.close_notify();
      return;
    }
  }
  require(false, "1000 steps without an end");
}

// The client side of a plan: OpenSSL over memory BIOs, so that each flight it writes
// can be changed before the channel's socket gets it.
class MemoryClient {
public:
  MemoryClient(bool tls12_only, const char *ciphers) : context_(SSL_CTX_new(TLS_client_method())) {
    require(context_ != nullptr, "a client context");
    SSL_CTX_set_verify(context_, SSL_VERIFY_NONE, nullptr); // the rules are the server's
    if (tls12_only) {
      SSL_CTX_set_max_proto_version(context_, TLS1_2_VERSION);
    }
    require(SSL_CTX_set_cipher_list(context_, ciphers) == 1, "the client knows its ciphers");
    ssl_ = SSL_new(context_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    require(ssl_ != nullptr && in_ != nullptr && out_ != nullptr, "a client");
    SSL_set_bio(ssl_, in_, out_); // the SSL owns both from here
    SSL_set_connect_state(ssl_);
  }
  ~MemoryClient() {
    SSL_free(ssl_);
    SSL_CTX_free(context_);
  }
  MemoryClient(const MemoryClient &) = delete;
  MemoryClient &operator=(const MemoryClient &) = delete;

  SSL *ssl() const { return ssl_; }
  std::string take_written() {
    std::string bytes(BIO_ctrl_pending(out_), '\0');
    if (!bytes.empty()) {
      const int n = BIO_read(out_, bytes.data(), static_cast<int>(bytes.size()));
      bytes.resize(static_cast<std::size_t>(std::max(n, 0)));
    }
    return bytes;
  }
  void give(std::string_view bytes) {
    if (!bytes.empty()) {
      BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
    }
  }

private:
  SSL_CTX *context_;
  SSL *ssl_ = nullptr;
  BIO *in_ = nullptr;
  BIO *out_ = nullptr;
};

// The client's TLS 1.2 ciphers in a plan: the last is one the mock does not offer.
constexpr std::array<const char *, 4> plan_ciphers{{"DEFAULT", "ECDHE-ECDSA-AES128-GCM-SHA256",
                                                    "ECDHE-ECDSA-CHACHA20-POLY1305",
                                                    "ECDHE-ECDSA-AES256-SHA"}};

// A plan: byte 0 = 0xF0 | options (bit 0: TLS 1.2 at most; bits 1-2: plan_ciphers;
// bit 3: the client sends close_notify before its end), byte 1: which of the client's
// flights to change (1 = its ClientHello; 0: none), byte 2: at which offset (modulo the
// flight's size), byte 3: the XOR applied there; the rest: application data.
void check_plan(std::string_view input) {
  std::string head(input.substr(0, 4));
  head.resize(4, '\0');
  const auto options = static_cast<unsigned char>(head[0]) & 0x0fU;
  const auto target = static_cast<unsigned char>(head[1]);
  const auto offset = static_cast<unsigned char>(head[2]);
  const auto flip = static_cast<char>(head[3]);
  const std::string_view data = input.substr(std::min<std::size_t>(4, input.size()), 16 * 1024);
  const bool tls12_only = (options & 1U) != 0;
  const std::size_t cipher = (options >> 1U) & 3U;
  const bool close_notify = (options & 8U) != 0;

  SocketPair pair;
  mock::detail::TlsChannel channel(server_context(), pair.fds[0]);
  MemoryClient client(tls12_only, plan_ciphers[cipher]);
  unsigned flights = 0;
  bool changed = false;
  const auto send_flight = [&] {
    std::string flight = client.take_written();
    if (flight.empty()) {
      return;
    }
    if (++flights == target && flip != 0) {
      flight[offset % flight.size()] = static_cast<char>(flight[offset % flight.size()] ^ flip);
      changed = true;
    }
    write_all(pair.fds[1], flight);
  };
  const auto receive_flights = [&] {
    char bytes[16384];
    for (ssize_t n; (n = ::read(pair.fds[1], bytes, sizeof bytes)) > 0;) {
      client.give(std::string_view(bytes, static_cast<std::size_t>(n)));
    }
  };

  // The handshake, a bounded number of rounds: the client steps, its flight goes over
  // (perhaps changed), the channel steps until it waits, its flight comes back.
  bool client_failed = false;
  for (int round = 0; round < 16 && !client_failed; ++round) {
    if (SSL_is_init_finished(client.ssl()) && channel.established()) {
      break;
    }
    if (!SSL_is_init_finished(client.ssl())) {
      const int result = SSL_do_handshake(client.ssl());
      const int error = SSL_get_error(client.ssl(), result);
      client_failed = result != 1 && error != SSL_ERROR_WANT_READ;
    }
    send_flight();
    if (!channel.established()) {
      const auto status = channel.handshake();
      if (status == mock::detail::IoStatus::failed) {
        require(!channel.failure().empty(), "a failure says why");
        break;
      }
      require(status != mock::detail::IoStatus::end, "a clean end only after the handshake");
    }
    receive_flights();
    ERR_clear_error();
  }
  const bool both = SSL_is_init_finished(client.ssl()) && channel.established();
  if (both && !data.empty()) {
    std::size_t sent = 0;
    require(SSL_write_ex(client.ssl(), data.data(), data.size(), &sent) == 1 && sent == data.size(),
            "the client's data goes into its memory BIO whole");
    send_flight();
  }
  if (both && close_notify) {
    SSL_shutdown(client.ssl());
    send_flight();
  }
  ERR_clear_error();
  ::shutdown(pair.fds[1], SHUT_WR); // the client has said all it will say
  std::string received;
  finish(channel, pair.fds[1], received);
  const bool mocks_settings = !(tls12_only && cipher == plan_ciphers.size() - 1);
  if (!changed) {
    require(channel.established() == mocks_settings,
            "an unchanged handshake completes exactly when the client's settings are the mock's");
    require(received == (mocks_settings ? data : std::string_view()),
            "read() gives exactly the bytes the client sent");
  }
  ERR_clear_error();
}

} // namespace

void check_tls_channel(std::string_view input) {
  if (!input.empty() && (static_cast<unsigned char>(input.front()) & 0xf0U) == 0xf0U) {
    check_plan(input);
    return;
  }
  // At most what the socket takes at once, so that all of it is there before the end.
  input = input.substr(0, std::min<std::size_t>(input.size(), 32 * 1024));
  SocketPair pair;
  mock::detail::TlsChannel channel(server_context(), pair.fds[0]);
  write_all(pair.fds[1], input);
  ::shutdown(pair.fds[1], SHUT_WR); // the client has said all it will say
  std::string received;
  finish(channel, pair.fds[1], received);
}

} // namespace inspekt::fuzz
