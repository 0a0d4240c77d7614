#include "tls_probe.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>

namespace inspekt::conformance {
namespace {

// A connected TCP socket with send and receive timeouts, or -1.
int connect_with_timeouts(const std::string &host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    return -1;
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  timeval wait{};
  wait.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  for (const addrinfo *a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      continue;
    }
    // SO_SNDTIMEO bounds connect() too (Linux socket(7)).
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      return fd;
    }
    close(fd);
  }
  return -1;
}

} // namespace

bool speaks_tls(const std::string &host, int port, std::chrono::milliseconds timeout) {
  const int fd = connect_with_timeouts(host, port, timeout);
  if (fd < 0) {
    return false;
  }
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                                  &SSL_CTX_free);
  bool handshake = false;
  if (context) {
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), &SSL_free);
    if (ssl && SSL_set_fd(ssl.get(), fd) == 1) {
      SSL_set_tlsext_host_name(ssl.get(), host.c_str());
      handshake = SSL_connect(ssl.get()) == 1;
      if (handshake) {
        SSL_shutdown(ssl.get());
      }
    }
  }
  ERR_clear_error();
  close(fd);
  return handshake;
}

} // namespace inspekt::conformance
