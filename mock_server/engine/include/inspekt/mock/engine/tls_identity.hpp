#pragma once
// What the mock serves HTTPS with: a certificate chain and its private key, loaded from
// PEM files (--tls-cert, --tls-key) or made in memory at start (--tls-self-signed).

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

struct TlsIdentity {
  std::string certificate_chain_pem; // the server's certificate first, then any chain
  std::string private_key_pem;       // never logged
  std::vector<std::string> names;    // subjectAltNames of the server's certificate
};

// A TLS set-up the mock refuses, with a stable id: [tls.cert-file], [tls.key-file],
// [tls.cert-parse], [tls.key-parse], [tls.key-mismatch], [tls.host], [tls.generate],
// [tls.write-ca].
class TlsError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Reads and checks both files: PEM certificates, a PEM private key, and the key
// belonging to the first certificate. Throws TlsError naming the file and the problem.
TlsIdentity load_tls_identity(const std::string &certificate_file, const std::string &key_file);

// An EC P-256 key and a self-signed certificate for the host the mock listens on: an IP
// address or DNS name goes into subjectAltName; a wildcard address (0.0.0.0, ::) gets
// 127.0.0.1, ::1 and localhost. The certificate is an end-entity one (CA:FALSE), so
// trusting it trusts this server and nothing it could sign. Valid from an hour ago for
// 90 days; a new one at every start.
TlsIdentity make_self_signed_identity(const std::string &host);

// Writes the certificate chain in PEM, for clients to trust (--tls-write-ca). A reader
// sees the old file or the whole new one, never a part: a temporary file in the same
// directory, then rename(). Mode 0644: a certificate is public. Throws TlsError.
void write_certificate_file(const std::string &path, const TlsIdentity &identity);

} // namespace inspekt::mock
