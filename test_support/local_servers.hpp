#pragma once
// Servers a test starts on loopback for the client to talk to: an httplib server with
// the test's own routes, and a socket that accepts connections and never answers.

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace inspekt::testing {

// Listening when the constructor returns; stopped and joined by the destructor.
class LocalHttpServer {
public:
  explicit LocalHttpServer(const std::function<void(httplib::Server &)> &routes);
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer &) = delete;
  LocalHttpServer &operator=(const LocalHttpServer &) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// listen() without accept(): the kernel completes the handshake, nothing is ever read
// or written, like a server that hangs.
class SilentListener {
public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener &) = delete;
  SilentListener &operator=(const SilentListener &) = delete;

  int port() const { return port_; }

private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port nothing listens on (bound, then closed), for "connection refused".
int closed_port();

// A file name under /tmp, removed by the destructor.
class TempPath {
public:
  explicit TempPath(const std::string &stem);
  ~TempPath();
  TempPath(const TempPath &) = delete;
  TempPath &operator=(const TempPath &) = delete;
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

} // namespace inspekt::testing
