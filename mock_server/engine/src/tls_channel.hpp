#pragma once
// TLS for the event loop: one non-blocking OpenSSL server connection over a socket the
// loop owns. The loop asks for bytes and hands over bytes; the channel says when
// OpenSSL needs the socket readable or writable first (a read can want a write and a
// write a read), so that nothing ever blocks a loop.

#include "inspekt/mock/engine/tls_identity.hpp"

#include <cstddef>
#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace inspekt::mock::detail {

// How a read, write or handshake step went.
enum class IoStatus {
  done,       // bytes moved (or the handshake finished)
  want_read,  // try again once the socket is readable
  want_write, // try again once the socket is writable
  end,        // the peer closed its side (close_notify, or a plain FIN)
  failed,     // reset, protocol error, or a peer that is not speaking TLS
};

struct IoResult {
  std::size_t bytes = 0;
  IoStatus status = IoStatus::done;
};

// The server side's settings, shared by every connection of every loop: TLS 1.2 at
// least, the identity's chain and key. Throws TlsError when OpenSSL refuses them.
class TlsServerContext {
public:
  explicit TlsServerContext(const TlsIdentity &identity);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext &) = delete;
  TlsServerContext &operator=(const TlsServerContext &) = delete;

  ssl_ctx_st *get() const { return context_; }

private:
  ssl_ctx_st *context_ = nullptr;
};

class TlsChannel {
public:
  TlsChannel(const TlsServerContext &context, int fd);
  ~TlsChannel();
  TlsChannel(const TlsChannel &) = delete;
  TlsChannel &operator=(const TlsChannel &) = delete;

  bool established() const { return established_; }
  // One step of the server handshake: done once it is complete.
  IoStatus handshake();
  IoResult read(char *buffer, std::size_t size);
  // Writes from the start of `data`; after want_read/want_write, call again with the
  // same bytes first (the buffer may have moved and grown).
  IoResult write(const char *data, std::size_t size);
  // Decrypted bytes that OpenSSL holds and the socket will not signal again.
  bool pending() const;
  // Sends close_notify if the socket takes it now; never waits for the peer's.
  void close_notify();
  // Why the last step failed, for the log ("wrong version number", ...).
  const std::string &failure() const { return failure_; }

private:
  IoStatus status_of(int result, std::size_t *moved);

  ssl_st *ssl_ = nullptr;
  bool established_ = false;
  std::string failure_;
};

} // namespace inspekt::mock::detail
