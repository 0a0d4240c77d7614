#include "checks.hpp"

#include "inspekt/mock/engine/tls_identity.hpp"
#include "tls_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string>

namespace inspekt::fuzz {
namespace {

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("tls_channel: " + rule);
  }
}

const mock::detail::TlsServerContext &server_context() {
  static const mock::detail::TlsServerContext context(mock::make_self_signed_identity("127.0.0.1"));
  return context;
}

// Both ends of a socketpair, closed however the check ends.
struct SocketPair {
  std::array<int, 2> fds{-1, -1};
  SocketPair() {
    require(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()) == 0,
            "socketpair");
  }
  ~SocketPair() {
    for (const int fd : fds) {
      if (fd >= 0) {
        ::close(fd);
      }
    }
  }
  SocketPair(const SocketPair &) = delete;
  SocketPair &operator=(const SocketPair &) = delete;
};

// Reads and drops what the server wrote, so that its writes never wait.
void drain(int fd) {
  char sink[16384];
  while (::read(fd, sink, sizeof sink) > 0) {
  }
}

} // namespace

void check_tls_channel(std::string_view input) {
  // At most what the socket takes at once, so that all of it is there before the end.
  input = input.substr(0, std::min<std::size_t>(input.size(), 32 * 1024));
  SocketPair pair;
  mock::detail::TlsChannel channel(server_context(), pair.fds[0]);
  std::size_t written = 0;
  while (written < input.size()) {
    const auto n = ::write(pair.fds[1], input.data() + written, input.size() - written);
    require(n > 0, "the socket takes 32 KiB at once");
    written += static_cast<std::size_t>(n);
  }
  ::shutdown(pair.fds[1], SHUT_WR); // the client has said all it will say

  // Handshake, then reads, a bounded number of steps. The input has ended, so no step
  // may wait for more: each ends in a failure (with a reason), a clean end, or progress.
  char buffer[16384];
  for (int step = 0; step < 1000; ++step) {
    mock::detail::IoStatus status;
    if (!channel.established()) {
      status = channel.handshake();
    } else {
      const auto got = channel.read(buffer, sizeof buffer);
      require(got.bytes <= sizeof buffer, "read() moves at most the buffer's size");
      require(got.status == mock::detail::IoStatus::done || got.bytes == 0, "bytes only with done");
      status = got.status;
    }
    drain(pair.fds[1]);
    switch (status) {
    case mock::detail::IoStatus::done:
    case mock::detail::IoStatus::want_write:
      continue;
    case mock::detail::IoStatus::want_read:
      require(false, "waits for bytes after the client's end");
      return;
    case mock::detail::IoStatus::end:
      require(channel.established(), "a clean end only after the handshake");
      channel.close_notify();
      return;
    case mock::detail::IoStatus::failed:
      require(!channel.failure().empty(), "a failure says why");
      channel.close_notify();
      return;
    }
  }
  require(false, "1000 steps without an end");
}

} // namespace inspekt::fuzz
