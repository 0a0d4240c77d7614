#include "inspekt/mock/engine/mock_server.hpp"

#include "inspekt/core/endpoint.hpp"
#include "transport.hpp"

#include <csignal>

namespace inspekt::mock {

struct MockServer::Impl {
  ServerOptions options;
  std::unique_ptr<detail::Transport> transport;
  int port = -1;
};

MockServer::MockServer(std::shared_ptr<const Responder> handler, ServerOptions options,
                       std::shared_ptr<DeliveryObserver> observer)
    : impl_(std::make_unique<Impl>()) {
  impl_->transport =
      detail::make_event_loop_transport(std::move(handler), options, std::move(observer));
  impl_->options = std::move(options);
  // A client that closes early must not kill the mock with SIGPIPE on the next write.
  std::signal(SIGPIPE, SIG_IGN);
}

MockServer::~MockServer() = default;

int MockServer::bind() {
  if (impl_->options.port < 0 || impl_->options.port > 65535) {
    throw BindError("port " + std::to_string(impl_->options.port) + " is outside 0..65535");
  }
  impl_->port = impl_->transport->bind();
  return impl_->port;
}

void MockServer::run() {
  impl_->transport->run();
}

void MockServer::stop(std::chrono::milliseconds grace) {
  impl_->transport->stop(grace);
}

int MockServer::port() const {
  return impl_->port;
}

const std::string &MockServer::host() const {
  return impl_->options.host;
}

std::string MockServer::base_url() const {
  return (impl_->options.tls ? "https://" : "http://") + host_in_url(impl_->options.host) + ":" +
         std::to_string(impl_->port);
}

BackgroundMockServer::BackgroundMockServer(std::shared_ptr<const Responder> handler,
                                           ServerOptions options,
                                           std::shared_ptr<DeliveryObserver> observer)
    : server_(std::move(handler), std::move(options), std::move(observer)) {
  server_.bind();
  thread_ = std::thread([this] { server_.run(); });
}

BackgroundMockServer::~BackgroundMockServer() {
  server_.stop();
  thread_.join();
}

} // namespace inspekt::mock
