// The mock's TLS identities: made in memory for the listen host, or loaded from PEM
// files with every mistake named by a stable id.

#include "inspekt/mock/engine/tls_identity.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace inspekt::mock;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/inspekt-tls-XXXXXX";
    path = ::mkdtemp(name);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string &name, const std::string &contents) const {
    const auto at = path / name;
    std::ofstream(at, std::ios::binary) << contents;
    return at.string();
  }
};

std::string read(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct HostRow {
  const char *host;
  std::vector<std::string> names;
};

} // namespace

TEST_CASE("a self-signed identity names the listen host and loopback in subjectAltName", "[tls]") {
  // The host given, then every name a client on this machine may use for it: a user
  // who starts the mock on 127.0.0.1 and opens https://localhost:PORT is verified too.
  const auto row = GENERATE(values<HostRow>({
      {"127.0.0.1", {"IP:127.0.0.1", "IP:::1", "DNS:localhost"}},
      {"::1", {"IP:::1", "IP:127.0.0.1", "DNS:localhost"}},
      {"localhost", {"DNS:localhost", "IP:127.0.0.1", "IP:::1"}},
      {"mock.internal", {"DNS:mock.internal", "IP:127.0.0.1", "IP:::1", "DNS:localhost"}},
      {"10.1.2.3", {"IP:10.1.2.3", "IP:127.0.0.1", "IP:::1", "DNS:localhost"}},
      {"0.0.0.0", {"IP:127.0.0.1", "IP:::1", "DNS:localhost"}},
      {"::", {"IP:127.0.0.1", "IP:::1", "DNS:localhost"}},
  }));
  DYNAMIC_SECTION(row.host) {
    const auto identity = make_self_signed_identity(row.host);
    CHECK(identity.names == row.names);
    CHECK_THAT(identity.certificate_chain_pem, Catch::StartsWith("-----BEGIN CERTIFICATE-----"));
    CHECK_THAT(identity.private_key_pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
  }
}

TEST_CASE("every start makes a new key", "[tls]") {
  CHECK(make_self_signed_identity("127.0.0.1").private_key_pem !=
        make_self_signed_identity("127.0.0.1").private_key_pem);
}

TEST_CASE("a host no certificate can name is refused, not smuggled in", "[tls]") {
  for (const char *host : {"a,DNS:evil.example", "host name", "bad..host", ".host"}) {
    INFO(host);
    CHECK_THROWS_WITH(make_self_signed_identity(host), Catch::StartsWith("[tls.host]"));
  }
}

TEST_CASE("an identity written to files loads back", "[tls]") {
  TempDir dir;
  const auto made = make_self_signed_identity("localhost");
  const auto loaded = load_tls_identity(dir.file("cert.pem", made.certificate_chain_pem),
                                        dir.file("key.pem", made.private_key_pem));
  CHECK(loaded.names == made.names);
  CHECK(loaded.certificate_chain_pem == made.certificate_chain_pem);
}

TEST_CASE("bad certificate and key files are refused with a stable id", "[tls]") {
  TempDir dir;
  const auto one = make_self_signed_identity("127.0.0.1");
  const auto other = make_self_signed_identity("127.0.0.1");
  const auto cert = dir.file("cert.pem", one.certificate_chain_pem);
  const auto key = dir.file("key.pem", one.private_key_pem);
  const auto other_key = dir.file("other-key.pem", other.private_key_pem);
  const auto garbage = dir.file("garbage.pem", "not PEM at all\n");
  const auto missing = (dir.path / "missing.pem").string();

  CHECK_THROWS_WITH(load_tls_identity(missing, key),
                    Catch::StartsWith("[tls.cert-file]") && Catch::Contains("missing.pem"));
  CHECK_THROWS_WITH(load_tls_identity(cert, missing), Catch::StartsWith("[tls.key-file]"));
  CHECK_THROWS_WITH(load_tls_identity(garbage, key), Catch::StartsWith("[tls.cert-parse]"));
  CHECK_THROWS_WITH(load_tls_identity(cert, garbage), Catch::StartsWith("[tls.key-parse]"));
  // A certificate where the key should be, and the other way round.
  CHECK_THROWS_WITH(load_tls_identity(cert, cert), Catch::StartsWith("[tls.key-parse]"));
  CHECK_THROWS_WITH(load_tls_identity(key, key), Catch::StartsWith("[tls.cert-parse]"));
  CHECK_THROWS_WITH(load_tls_identity(cert, other_key), Catch::StartsWith("[tls.key-mismatch]"));
}

TEST_CASE("the CA file is written whole, readable by all, with no temporary left", "[tls]") {
  TempDir dir;
  const auto identity = make_self_signed_identity("127.0.0.1");
  const auto target = dir.path / "ca.pem";
  dir.file("ca.pem", "an older certificate");
  write_certificate_file(target.string(), identity);
  CHECK(read(target) == identity.certificate_chain_pem);
  struct stat info {};
  REQUIRE(::stat(target.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

  CHECK_THROWS_WITH(
      write_certificate_file((dir.path / "no-such-dir" / "ca.pem").string(), identity),
      Catch::StartsWith("[tls.write-ca]"));
}
