#include "local_servers.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace inspekt::testing {
namespace {

// A TCP socket bound to 127.0.0.1 on a free port; the port through `port`.
int bound_socket(int &port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
    throw std::runtime_error("cannot bind a loopback socket");
  }
  port = ntohs(address.sin_port);
  return fd;
}

} // namespace

LocalHttpServer::LocalHttpServer(const std::function<void(httplib::Server &)> &routes)
    : server_(std::make_unique<httplib::Server>()) {
  routes(*server_);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    throw std::runtime_error("cannot bind the test server");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

LocalHttpServer::~LocalHttpServer() {
  server_->stop();
  thread_.join();
}

SilentListener::SilentListener() {
  fd_ = bound_socket(port_);
  ::listen(fd_, 16);
}

SilentListener::~SilentListener() {
  ::close(fd_);
}

int closed_port() {
  int port = 0;
  ::close(bound_socket(port));
  return port;
}

TempPath::TempPath(const std::string &stem) {
  char name[64];
  std::snprintf(name, sizeof name, "/tmp/inspekt-%s-XXXXXX", stem.c_str());
  const int fd = ::mkstemp(name);
  if (fd >= 0) {
    ::close(fd);
    ::unlink(name); // only the name is wanted: the test decides when the file appears
  }
  path_ = name;
}

TempPath::~TempPath() {
  std::remove(path_.c_str());
}

} // namespace inspekt::testing
