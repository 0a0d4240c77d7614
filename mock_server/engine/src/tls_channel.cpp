#include "tls_channel.hpp"

#include "tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

namespace inspekt::mock::detail {

TlsServerContext::TlsServerContext(const TlsIdentity &identity)
    : context_(SSL_CTX_new(TLS_server_method())) {
  if (context_ == nullptr || !configure_server_context(*context_, identity)) {
    SSL_CTX_free(context_);
    throw TlsError("[tls.context] OpenSSL refused the certificate or key for serving HTTPS");
  }
  // Writes go out a record at a time from a buffer that moves as answers are appended;
  // idle connections give their buffers back (1000 idle clients cost sockets, not
  // megabytes); a client that closes without close_notify has simply ended its side.
  SSL_CTX_set_mode(context_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                 SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(context_, SSL_OP_IGNORE_UNEXPECTED_EOF);
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(context_);
}

TlsChannel::TlsChannel(const TlsServerContext &context, int fd) : ssl_(SSL_new(context.get())) {
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
    throw std::bad_alloc();
  }
  SSL_set_accept_state(ssl_);
}

TlsChannel::~TlsChannel() {
  SSL_free(ssl_);
}

IoStatus TlsChannel::status_of(int result, std::size_t *moved) {
  if (result == 1) {
    return IoStatus::done;
  }
  const int error = SSL_get_error(ssl_, result);
  switch (error) {
  case SSL_ERROR_WANT_READ:
    return IoStatus::want_read;
  case SSL_ERROR_WANT_WRITE:
    return IoStatus::want_write;
  case SSL_ERROR_ZERO_RETURN:
    return IoStatus::end;
  case SSL_ERROR_SYSCALL:
    failure_ = errno != 0 ? std::strerror(errno) : "connection closed";
    break;
  default: {
    const unsigned long code = ERR_peek_last_error();
    const char *reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    failure_ = reason != nullptr ? reason : "TLS protocol error";
    break;
  }
  }
  if (moved != nullptr) {
    *moved = 0;
  }
  ERR_clear_error();
  return IoStatus::failed;
}

IoStatus TlsChannel::handshake() {
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_);
  const auto status = status_of(result, nullptr);
  if (status == IoStatus::done) {
    established_ = true;
  } else if (status == IoStatus::end) {
    failure_ = "the client closed the connection"; // before the handshake finished
    return IoStatus::failed;
  }
  return status;
}

IoResult TlsChannel::read(char *buffer, std::size_t size) {
  ERR_clear_error();
  errno = 0;
  IoResult result;
  const int ok = SSL_read_ex(ssl_, buffer, size, &result.bytes);
  result.status = status_of(ok, &result.bytes);
  return result;
}

IoResult TlsChannel::write(const char *data, std::size_t size) {
  ERR_clear_error();
  errno = 0;
  IoResult result;
  const int ok = SSL_write_ex(ssl_, data, size, &result.bytes);
  result.status = status_of(ok, &result.bytes);
  return result;
}

bool TlsChannel::pending() const {
  return SSL_pending(ssl_) > 0;
}

void TlsChannel::close_notify() {
  if (!established_) {
    return;
  }
  ERR_clear_error();
  SSL_shutdown(ssl_); // queues close_notify; a full socket buffer simply loses it
  ERR_clear_error();
}

} // namespace inspekt::mock::detail
