#pragma once
// The name a server's certificate must carry, handed to OpenSSL's own check (RFC 6125:
// a DNS name against the dNSName entries, an IP literal against the iPAddress ones), so
// a handshake with a certificate for another name fails before any byte of a request.
// cpp-httplib 0.11's own host check compares an IP literal with a structure it never
// fills for the other address family (uninitialised stack memory): it can accept a
// certificate for 127.0.0.1 on 127.0.0.2. OpenSSL's check does not depend on it.

#include <openssl/types.h>

#include <string>

namespace inspekt {

// Sets `param` to expect `host` ("api.example.com", "127.0.0.1", "::1", no brackets).
// False when OpenSSL refused it (a name it cannot check).
bool expect_peer_name(X509_VERIFY_PARAM *param, const std::string &host);

} // namespace inspekt
