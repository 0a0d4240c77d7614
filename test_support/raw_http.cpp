#include "raw_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace inspekt::testing {
namespace {

using Clock = std::chrono::steady_clock;

// One client context for every TLS RawConnection of the process.
SSL_CTX *client_context() {
  static SSL_CTX *const context = [] {
    SSL_CTX *made = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(made, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(made, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(made, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return made;
  }();
  return context;
}

// Waits until the socket is ready for `events` or the deadline passes.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  pollfd p{fd, events, 0};
  return left > 0 && ::poll(&p, 1, static_cast<int>(left)) > 0;
}

// After an SSL call returned `result`: which socket event to wait for, or 0 when the
// connection is over (closed or broken).
short tls_wait(ssl_st *ssl, int result) {
  switch (SSL_get_error(ssl, result)) {
  case SSL_ERROR_WANT_READ:
    return POLLIN;
  case SSL_ERROR_WANT_WRITE:
    return POLLOUT;
  default:
    ERR_clear_error();
    return 0;
  }
}

} // namespace

RawConnection::RawConnection(int port, Wire wire, int receive_buffer_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  if (wire == Wire::plain) {
    return;
  }
  // TLS over a non-blocking socket, so that a read never outlives its deadline.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  ssl_ = SSL_new(client_context());
  SSL_set_fd(ssl_, fd_);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (true) {
    const int result = SSL_connect(ssl_);
    if (result == 1) {
      return;
    }
    const short wanted = tls_wait(ssl_, result);
    if (wanted == 0 || !wait_for(fd_, wanted, deadline)) {
      SSL_free(ssl_);
      ssl_ = nullptr;
      ::close(fd_);
      fd_ = -1;
      return;
    }
  }
}

RawConnection::~RawConnection() {
  SSL_free(ssl_);
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool RawConnection::send(const std::string &bytes) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (ssl_ != nullptr) {
      std::size_t written = 0;
      const int result = SSL_write_ex(ssl_, bytes.data() + sent, bytes.size() - sent, &written);
      if (result == 1) {
        sent += written;
        continue;
      }
      const short wanted = tls_wait(ssl_, result);
      if (wanted == 0 || !wait_for(fd_, wanted, deadline)) {
        return false;
      }
      continue;
    }
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::size_t RawConnection::send_without_waiting(const std::string &bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (ssl_ != nullptr) {
      // A record cut short stays inside OpenSSL; the next call starts with the same
      // bytes, as OpenSSL wants (partial writes, a moving buffer).
      std::size_t written = 0;
      if (SSL_write_ex(ssl_, bytes.data() + sent, bytes.size() - sent, &written) != 1) {
        ERR_clear_error();
        break;
      }
      sent += written;
      continue;
    }
    const auto n =
        ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) {
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

void RawConnection::shutdown_write() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_); // close_notify, then the FIN
    ERR_clear_error();
  }
  ::shutdown(fd_, SHUT_WR);
}

void RawConnection::shutdown_write_without_close_notify() {
  ::shutdown(fd_, SHUT_WR);
}

void RawConnection::reset() {
  if (fd_ < 0) {
    return;
  }
  const linger abort_on_close{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  SSL_free(ssl_);
  ssl_ = nullptr;
  ::close(fd_);
  fd_ = -1;
}

long RawConnection::read_some(char *into, std::size_t size, Clock::time_point deadline) {
  while (true) {
    if (ssl_ != nullptr) {
      std::size_t got = 0;
      errno = 0;
      const int result = SSL_read_ex(ssl_, into, size, &got);
      if (result == 1) {
        return static_cast<long>(got);
      }
      const short wanted = tls_wait(ssl_, result);
      if (wanted == 0) {
        reset_by_peer_ = reset_by_peer_ || errno == ECONNRESET;
        return 0;
      }
      if (!wait_for(fd_, wanted, deadline)) {
        return -1;
      }
      continue;
    }
    if (!wait_for(fd_, POLLIN, deadline)) {
      return -1;
    }
    const auto n = ::recv(fd_, into, size, 0);
    if (n < 0) {
      reset_by_peer_ = reset_by_peer_ || errno == ECONNRESET;
      return 0;
    }
    return static_cast<long>(n);
  }
}

std::string RawConnection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto end_of_headers = buffer_.find("\r\n\r\n");
    if (end_of_headers != std::string::npos) {
      std::size_t length = 0;
      const auto at = buffer_.find("Content-Length: ");
      if (at != std::string::npos && at < end_of_headers) {
        length = std::stoul(buffer_.substr(at + 16));
      }
      const auto total = end_of_headers + 4 + length;
      if (buffer_.size() >= total) {
        std::string response = buffer_.substr(0, total);
        buffer_.erase(0, total);
        return response;
      }
    }
    char chunk[16384];
    const long n = fd_ < 0 ? 0 : read_some(chunk, sizeof chunk, deadline);
    if (n <= 0) {
      return std::move(buffer_);
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool RawConnection::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    char chunk[16384];
    const long n = read_some(chunk, sizeof chunk, deadline);
    if (n < 0) {
      return false;
    }
    if (n == 0) {
      return true;
    }
  }
}

int status_of(const std::string &response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) {
    return 0;
  }
  return std::atoi(response.c_str() + 9);
}

std::string body_of(const std::string &response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

std::string post_request(const std::string &body, const std::string &extra_headers) {
  return "POST /api/authenticate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
         "application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace inspekt::testing
