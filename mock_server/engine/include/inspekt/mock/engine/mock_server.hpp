#pragma once
// The server around a Responder, with the limits that keep one client from stopping the
// mock from answering others. One engine serves HTTP and HTTPS: epoll event loops (half
// the CPUs), HttpSession speaking the protocol, OpenSSL in between for HTTPS. Each answer
// as delivered goes to `observer` (the access log) and to the responder's own observer.

#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/engine/responder.hpp"
#include "inspekt/mock/engine/tls_identity.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace inspekt::mock {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port
  std::optional<TlsIdentity> tls; // set: HTTPS with this certificate and key
  std::size_t event_loops = 0;    // how many loops (threads); 0: half the CPUs
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{5};
  std::chrono::seconds write_timeout{5};
  std::chrono::seconds keep_alive_timeout{5};
  // A client that has not finished the TLS handshake by then is dropped.
  std::chrono::seconds tls_handshake_timeout{5};
  std::size_t keep_alive_max_requests = 1000;
  int listen_backlog = 1024;
  bool tcp_nodelay = true; // answers leave at once instead of waiting for an ACK
};

class BindError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class MockServer {
public:
  // Throws TlsError when OpenSSL refuses options.tls.
  MockServer(std::shared_ptr<const Responder> handler, ServerOptions options,
             std::shared_ptr<DeliveryObserver> observer = nullptr);
  ~MockServer();
  MockServer(const MockServer &) = delete;
  MockServer &operator=(const MockServer &) = delete;

  // Binds and listens; the socket accepts connections once this returns. Throws
  // BindError with the reason (address in use, bad host, ...). Returns the port.
  int bind();
  // Serves until stop(); returns once every connection is closed.
  void run();
  // Stops accepting (new connections are refused), closes idle keep-alive connections,
  // lets requests in flight finish (up to `grace`), so that run() returns promptly.
  // Safe from any thread; later calls change nothing.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(500));

  int port() const;
  const std::string &host() const;
  std::string base_url() const; // "http://127.0.0.1:PORT", "https://..." with TLS

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A mock on its own thread for tests and the in-process conformance target: listening
// when the constructor returns, stopped and joined by the destructor.
class BackgroundMockServer {
public:
  BackgroundMockServer(std::shared_ptr<const Responder> handler, ServerOptions options,
                       std::shared_ptr<DeliveryObserver> observer = nullptr);
  ~BackgroundMockServer();

  MockServer &server() { return server_; }
  int port() const { return server_.port(); }
  std::string base_url() const { return server_.base_url(); }

private:
  MockServer server_;
  std::thread thread_;
};

} // namespace inspekt::mock
