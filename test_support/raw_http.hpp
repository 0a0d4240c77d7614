#pragma once
// Bytes over a loopback TCP socket, plain or inside TLS, for requests no HTTP client
// library will send: half requests, missing lengths, odd headers. Every read has a
// deadline.

#include <chrono>
#include <string>

struct ssl_st;

namespace inspekt::testing {

// How a RawConnection speaks: bytes straight on the socket, or inside TLS (any server
// certificate accepted: these tests are about the server's engine, not about trust).
enum class Wire { plain, tls };

class RawConnection {
public:
  // With a receive buffer (SO_RCVBUF, set before connecting) of receive_buffer_bytes
  // when not 0: a client whose kernel cannot soak up megabytes of unread answers. Over
  // TLS, connected() is true once the handshake is complete.
  explicit RawConnection(int port, Wire wire = Wire::plain, int receive_buffer_bytes = 0);
  ~RawConnection();
  RawConnection(const RawConnection &) = delete;
  RawConnection &operator=(const RawConnection &) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string &bytes);
  // Sends what the socket takes without blocking; returns how many bytes went.
  std::size_t send_without_waiting(const std::string &bytes);
  // Ends the sending side (FIN): the peer reads end-of-stream, the reply can still come.
  void shutdown_write();
  // Closes at once with a TCP reset (SO_LINGER 0), as a client that crashes does.
  void reset();
  // TLS only: ends the sending side with a FIN but no close_notify first, as a client
  // that drops the connection without ending TLS does.
  void shutdown_write_without_close_notify();
  // Reads one HTTP response (headers and a Content-Length body), or what came before
  // the deadline or the connection closed.
  std::string read_response(std::chrono::milliseconds timeout);
  // True when the peer closed the connection before the deadline.
  bool closed_by_peer(std::chrono::milliseconds timeout);
  // After a read found the connection closed: whether it ended with a TCP reset.
  bool reset_by_peer() const { return reset_by_peer_; }

private:
  // One read from the socket (through TLS when on): bytes, 0 at the end, -1 when nothing
  // came before the deadline.
  long read_some(char *into, std::size_t size, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  ssl_st *ssl_ = nullptr;
  std::string buffer_;
  bool reset_by_peer_ = false;
};

int status_of(const std::string &response); // 0 when there is no status line
std::string body_of(const std::string &response);

// A POST /api/authenticate with Content-Type: application/json and a Content-Length.
std::string post_request(const std::string &body, const std::string &extra_headers = "");

} // namespace inspekt::testing
