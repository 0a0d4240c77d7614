#pragma once
// The listening socket both transports stand on, and the one wording of why it could
// not be opened.

#include <string>

namespace inspekt::mock::detail {

// A non-blocking, close-on-exec TCP socket listening on host:port with `backlog`.
// SO_REUSEADDR lets a restarted mock bind while old connections sit in TIME_WAIT; not
// SO_REUSEPORT, which would let two mocks share a port without a word. Throws BindError
// "cannot listen on HOST:PORT: REASON".
int open_listening_socket(const std::string &host, int port, int backlog);

// The local (or, with `peer`, the remote) port of a socket; -1 when it has none.
int port_of(int fd, bool peer = false);

} // namespace inspekt::mock::detail
