#include "inspekt/client/peer_name.hpp"

#include <catch2/catch.hpp>
#include <openssl/crypto.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

using inspekt::expect_peer_name;

namespace {

struct Param {
  std::unique_ptr<X509_VERIFY_PARAM, decltype(&X509_VERIFY_PARAM_free)> p{X509_VERIFY_PARAM_new(),
                                                                          &X509_VERIFY_PARAM_free};
};

std::string ip_of(X509_VERIFY_PARAM *param) {
  char *text = X509_VERIFY_PARAM_get1_ip_asc(param);
  const std::string out = text == nullptr ? "" : text;
  OPENSSL_free(text);
  return out;
}

} // namespace

TEST_CASE("a certificate is checked for the URL's own name: a DNS name or an IP address",
          "[client][tls]") {
  SECTION("an IPv4 literal is an iPAddress to match, not a name") {
    Param param;
    REQUIRE(expect_peer_name(param.p.get(), "127.0.0.2"));
    CHECK(ip_of(param.p.get()) == "127.0.0.2");
    CHECK(X509_VERIFY_PARAM_get0_host(param.p.get(), 0) == nullptr);
  }
  SECTION("an IPv6 literal likewise") {
    Param param;
    REQUIRE(expect_peer_name(param.p.get(), "::1"));
    CHECK(ip_of(param.p.get()) == "0:0:0:0:0:0:0:1");
  }
  SECTION("a name is a dNSName to match") {
    Param param;
    REQUIRE(expect_peer_name(param.p.get(), "api.example.com"));
    CHECK(std::string(X509_VERIFY_PARAM_get0_host(param.p.get(), 0)) == "api.example.com");
    CHECK(ip_of(param.p.get()).empty());
  }
}
