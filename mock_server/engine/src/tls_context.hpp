#pragma once
// Installs a TlsIdentity into an OpenSSL server context (TlsServerContext).

#include "inspekt/mock/engine/tls_identity.hpp"

#include <openssl/ssl.h>

namespace inspekt::mock::detail {

// TLS 1.2 or newer, no compression or renegotiation, the identity's chain and key.
// False when OpenSSL refuses any of it (load_tls_identity checked it already).
bool configure_server_context(SSL_CTX &context, const TlsIdentity &identity);

} // namespace inspekt::mock::detail
