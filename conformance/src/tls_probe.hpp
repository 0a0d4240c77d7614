#pragma once
// Whether a port speaks TLS: asked only when a plain-HTTP request got no HTTP answer, so
// that a base URL with the wrong scheme is said in one line instead of failing every case.

#include <chrono>
#include <string>

namespace inspekt::conformance {

// True when a TLS handshake with host:port completes (the certificate is not checked:
// only the protocol is in question). No HTTP request is sent. Each step waits at most
// `timeout`.
bool speaks_tls(const std::string &host, int port, std::chrono::milliseconds timeout);

} // namespace inspekt::conformance
