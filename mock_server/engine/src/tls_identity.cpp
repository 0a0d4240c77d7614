#include "inspekt/mock/engine/tls_identity.hpp"

#include "tls_context.hpp"

#include "inspekt/core/file_output.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace inspekt::mock {
namespace {

template <auto free_function> struct Free {
  template <class T> void operator()(T *pointer) const { free_function(pointer); }
};
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES_free>>;

// A password callback that refuses: OpenSSL's default would prompt on the terminal.
int no_password(char *, int, int, void *) {
  return 0;
}

BioPtr memory_reader(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::string read_file(const std::string &path, const char *id) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw TlsError(std::string("[") + id + "] cannot read \"" + path +
                   "\": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<X509Ptr> parse_certificates(std::string_view pem) {
  std::vector<X509Ptr> certificates;
  auto bio = memory_reader(pem);
  while (X509 *certificate = PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr)) {
    certificates.emplace_back(certificate);
  }
  ERR_clear_error(); // the read that ended the loop left "no start line"
  return certificates;
}

KeyPtr parse_private_key(std::string_view pem) {
  auto bio = memory_reader(pem);
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  ERR_clear_error();
  return key;
}

std::string to_pem(X509 *certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  char *data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string to_pem(EVP_PKEY *key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char *data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// "DNS:name" and "IP:address" for each subjectAltName, for the start-up log line.
std::vector<std::string> alt_names(X509 *certificate) {
  std::vector<std::string> out;
  NamesPtr names(static_cast<GENERAL_NAMES *>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    return out;
  }
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME *name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const auto *text = reinterpret_cast<const char *>(ASN1_STRING_get0_data(name->d.dNSName));
      out.push_back("DNS:" + std::string(text, static_cast<std::size_t>(
                                                   ASN1_STRING_length(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      if ((length == 4 || length == 16) &&
          ::inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress),
                      text, sizeof text) != nullptr) {
        out.push_back(std::string("IP:") + text);
      }
    }
  }
  return out;
}

bool is_ip_address(const std::string &host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool is_dns_name(const std::string &host) {
  return !host.empty() && host.size() <= 253 && host.front() != '.' && host.back() != '.' &&
         host.find("..") == std::string::npos && std::all_of(host.begin(), host.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
         });
}

// Built as values, not from a "DNS:...,IP:..." config string, so that no host name can
// smuggle in a second entry.
NamesPtr names_for(const std::string &host) {
  struct Entry {
    int type;
    std::string value;
  };
  std::vector<Entry> entries;
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    // Every address: the names of this machine's loopback, below.
  } else if (is_ip_address(host)) {
    entries = {{GEN_IPADD, host}};
  } else if (is_dns_name(host)) {
    entries = {{GEN_DNS, host}};
  } else {
    throw TlsError("[tls.host] \"" + host +
                   "\" is neither an IP address nor a DNS name; a "
                   "certificate cannot name it");
  }
  // Then the names a client on this machine may use whatever the host: a mock on
  // 127.0.0.1 is verified at https://localhost:PORT as well.
  for (Entry loopback :
       {Entry{GEN_IPADD, "127.0.0.1"}, Entry{GEN_IPADD, "::1"}, Entry{GEN_DNS, "localhost"}}) {
    if (std::none_of(entries.begin(), entries.end(), [&loopback](const Entry &e) {
          return e.type == loopback.type && e.value == loopback.value;
        })) {
      entries.push_back(std::move(loopback));
    }
  }
  NamesPtr names(sk_GENERAL_NAME_new_null());
  for (const auto &entry : entries) {
    GENERAL_NAME *name = GENERAL_NAME_new();
    if (entry.type == GEN_IPADD) {
      ASN1_OCTET_STRING *address = a2i_IPADDRESS(entry.value.c_str());
      GENERAL_NAME_set0_value(name, GEN_IPADD, address);
    } else {
      ASN1_IA5STRING *text = ASN1_IA5STRING_new();
      ASN1_STRING_set(text, entry.value.data(), static_cast<int>(entry.value.size()));
      GENERAL_NAME_set0_value(name, GEN_DNS, text);
    }
    sk_GENERAL_NAME_push(names.get(), name);
  }
  return names;
}

void check(bool ok, const char *step) {
  if (!ok) {
    const unsigned long code = ERR_get_error();
    char reason[256] = "no detail";
    if (code != 0) {
      ERR_error_string_n(code, reason, sizeof reason);
    }
    ERR_clear_error();
    throw TlsError(std::string("[tls.generate] making the self-signed certificate failed at ") +
                   step + ": " + reason);
  }
}

} // namespace

TlsIdentity load_tls_identity(const std::string &certificate_file, const std::string &key_file) {
  TlsIdentity identity;
  identity.certificate_chain_pem = read_file(certificate_file, "tls.cert-file");
  identity.private_key_pem = read_file(key_file, "tls.key-file");
  const auto certificates = parse_certificates(identity.certificate_chain_pem);
  if (certificates.empty()) {
    throw TlsError("[tls.cert-parse] \"" + certificate_file +
                   "\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  const auto key = parse_private_key(identity.private_key_pem);
  if (!key) {
    throw TlsError("[tls.key-parse] \"" + key_file +
                   "\" is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
  if (X509_check_private_key(certificates.front().get(), key.get()) != 1) {
    ERR_clear_error();
    throw TlsError("[tls.key-mismatch] the key in \"" + key_file +
                   "\" does not belong to the first certificate in \"" + certificate_file + "\"");
  }
  identity.names = alt_names(certificates.front().get());
  return identity;
}

TlsIdentity make_self_signed_identity(const std::string &host) {
  NamesPtr names = names_for(host);
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "key generation");
  X509Ptr certificate(X509_new());
  X509 *x = certificate.get();
  check(X509_set_version(x, X509_VERSION_3) == 1, "version");

  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "serial number");
  serial_bytes[0] &= 0x7f; // a positive serial (RFC 5280 section 4.1.2.2)
  BignumPtr serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  check(serial && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x)) != nullptr,
        "serial number");

  // An hour of slack for clocks behind ours.
  check(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr, "validity");
  check(X509_gmtime_adj(X509_getm_notAfter(x), 90L * 24 * 3600) != nullptr, "validity");

  X509_NAME *subject = X509_get_subject_name(x);
  const std::string common_name =
      host.empty() || host == "0.0.0.0" || host == "::" || host.size() > 64 ? "inspekt-mock" : host;
  check(X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("inspekt-mock"), -1, -1,
                                   0) == 1 &&
            X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char *>(common_name.c_str()),
                                       -1, -1, 0) == 1,
        "subject");
  check(X509_set_issuer_name(x, subject) == 1, "issuer");
  check(X509_set_pubkey(x, key.get()) == 1, "public key");

  check(X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "subjectAltName");
  X509V3_CTX context;
  X509V3_set_ctx(&context, x, x, nullptr, nullptr, 0);
  const std::pair<int, const char *> extensions[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
  };
  for (const auto &[nid, value] : extensions) {
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value));
    check(extension && X509_add_ext(x, extension.get(), -1) == 1, "extensions");
  }
  check(X509_sign(x, key.get(), EVP_sha256()) > 0, "signature");

  TlsIdentity identity;
  identity.certificate_chain_pem = to_pem(x);
  identity.private_key_pem = to_pem(key.get());
  identity.names = alt_names(x);
  return identity;
}

void write_certificate_file(const std::string &path, const TlsIdentity &identity) {
  // Mode 0644: a certificate is public.
  if (const auto problem = write_file_whole(path, identity.certificate_chain_pem, 0644)) {
    throw TlsError("[tls.write-ca] " + *problem);
  }
}

namespace detail {

bool configure_server_context(SSL_CTX &context, const TlsIdentity &identity) {
  SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // TLS 1.2: the AEAD ciphers of Mozilla's "intermediate" profile, ECDHE only (no DH
  // parameters are set, so its DHE ciphers could not be chosen anyway). CBC ciphers
  // with SHA-1 or SHA-2 MACs are not offered. TLS 1.3's suites stay OpenSSL's default.
  if (SSL_CTX_set_cipher_list(&context, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                        "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                        "ECDHE-RSA-CHACHA20-POLY1305") != 1) {
    return false;
  }
  auto certificates = parse_certificates(identity.certificate_chain_pem);
  const auto key = parse_private_key(identity.private_key_pem);
  if (certificates.empty() || !key ||
      SSL_CTX_use_certificate(&context, certificates.front().get()) != 1) {
    return false;
  }
  for (std::size_t i = 1; i < certificates.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(&context, certificates[i].get()) != 1) {
      return false;
    }
  }
  return SSL_CTX_use_PrivateKey(&context, key.get()) == 1 &&
         SSL_CTX_check_private_key(&context) == 1;
}

} // namespace detail
} // namespace inspekt::mock
