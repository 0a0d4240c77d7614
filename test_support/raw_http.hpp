#pragma once
// Bytes over a loopback TCP socket, for requests no HTTP client library will send:
// half requests, missing lengths, odd headers. Every read has a deadline.

#include <chrono>
#include <string>

namespace inspekt::testing {

class RawConnection {
public:
  explicit RawConnection(int port);
  // With a small receive buffer (SO_RCVBUF, set before connecting): a client whose
  // kernel cannot soak up megabytes of unread answers.
  RawConnection(int port, int receive_buffer_bytes);
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
  // Reads one HTTP response (headers and a Content-Length body), or what came before
  // the deadline or the connection closed.
  std::string read_response(std::chrono::milliseconds timeout);
  // True when the peer closed the connection before the deadline.
  bool closed_by_peer(std::chrono::milliseconds timeout);

private:
  int fd_ = -1;
  std::string buffer_;
};

int status_of(const std::string &response); // 0 when there is no status line
std::string body_of(const std::string &response);

// A POST /api/authenticate with Content-Type: application/json and a Content-Length.
std::string post_request(const std::string &body, const std::string &extra_headers = "");

} // namespace inspekt::testing
