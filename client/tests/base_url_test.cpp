#include "inspekt/client/base_url.hpp"
#include "inspekt/core/endpoint.hpp"
#include "inspekt/core/text.hpp"

#include <catch2/catch.hpp>

using namespace inspekt;

namespace {

struct GoodUrl {
  const char *text;
  UrlScheme scheme;
  const char *host;
  int port;
  const char *prefix;
  const char *canonical;
};

struct BadUrl {
  const char *text;
  const char *id; // the stable prefix the message starts with
};

} // namespace

TEST_CASE("base URLs that name a server parse into their parts", "[url]") {
  const auto row = GENERATE(values<GoodUrl>({
      {"https://reports.inspektlabs.com", UrlScheme::https, "reports.inspektlabs.com", 443, "",
       "https://reports.inspektlabs.com"},
      {"https://reports.inspektlabs.com/", UrlScheme::https, "reports.inspektlabs.com", 443, "",
       "https://reports.inspektlabs.com"},
      {"http://127.0.0.1:8080", UrlScheme::http, "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
      {"HTTP://LocalHost:80/", UrlScheme::http, "localhost", 80, "", "http://localhost"},
      {"http://[::1]:8080", UrlScheme::http, "::1", 8080, "", "http://[::1]:8080"},
      {"https://[2001:DB8::1]", UrlScheme::https, "2001:db8::1", 443, "", "https://[2001:db8::1]"},
      {"https://gw.example.com:8443/inspekt/v1/", UrlScheme::https, "gw.example.com", 8443,
       "/inspekt/v1", "https://gw.example.com:8443/inspekt/v1"},
      {"http://h:1/a%20b", UrlScheme::http, "h", 1, "/a%20b", "http://h:1/a%20b"},
      {"http://h:65535", UrlScheme::http, "h", 65535, "", "http://h:65535"},
  }));
  DYNAMIC_SECTION(row.text) {
    const auto parsed = parse_base_url(row.text);
    REQUIRE(parsed);
    CHECK(parsed.error.empty());
    CHECK(parsed.url->scheme == row.scheme);
    CHECK(parsed.url->host == row.host);
    CHECK(parsed.url->port == row.port);
    CHECK(parsed.url->path_prefix == row.prefix);
    CHECK(parsed.url->to_string() == row.canonical);
    // Canonical means stable: parsing the canonical text gives the same value.
    const auto again = parse_base_url(parsed.url->to_string());
    REQUIRE(again);
    CHECK(*again.url == *parsed.url);
  }
}

TEST_CASE("base URLs that are wrong are refused with a stable id", "[url]") {
  const auto row = GENERATE(values<BadUrl>({
      {"", "[url.empty]"},
      {"reports.inspektlabs.com", "[url.scheme]"},
      {"ftp://reports.inspektlabs.com", "[url.scheme]"},
      {"://host", "[url.scheme]"},
      {"https://", "[url.host]"},
      {"https:///api", "[url.host]"},
      {"https://:8080", "[url.host]"},
      {"https://user:secret-password@host", "[url.userinfo]"},
      {"https://host?x=1", "[url.query]"},
      {"https://host/path?x=1", "[url.query]"},
      {"https://host/#top", "[url.fragment]"},
      {"https://host:0", "[url.port]"},
      {"https://host:65536", "[url.port]"},
      {"https://host:", "[url.port]"},
      {"https://host:80a", "[url.port]"},
      {"https://host:-1", "[url.port]"},
      {"https://host:123456", "[url.port]"},
      {"http://::1:8080", "[url.host]"},
      {"http://[::1", "[url.host]"},
      {"http://[not-ipv6]:80", "[url.host]"},
      {"http://[::1]x", "[url.host]"},
      {"http://ho$t", "[url.host]"},
      {"http://-host", "[url.host]"},
      {"http://a..b", "[url.host]"},
      {"http://host./", "[url.host]"},
      {"http://host/a b", "[url.character]"},
      {"http://host\n", "[url.character]"},
      {"http://h\xc3\xa9st", "[url.character]"},
      {"http://host/a/../b", "[url.path]"},
      {"http://host//a", "[url.path]"},
      {"http://host/a%2", "[url.path]"},
      {"http://host/a\"b", "[url.path]"},
  }));
  DYNAMIC_SECTION(row.text) {
    const auto parsed = parse_base_url(row.text);
    CHECK_FALSE(parsed);
    CHECK_THAT(parsed.error, Catch::StartsWith(row.id));
  }
}

TEST_CASE("a refused URL's message does not repeat its user information", "[url][secrets]") {
  const auto parsed = parse_base_url("https://alice:k3y-DO-NOT-LEAK-7f3a9c@example.com");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error.find("k3y-DO-NOT-LEAK-7f3a9c") == std::string::npos);
  CHECK(parsed.error.find("alice") == std::string::npos);
}

TEST_CASE("Host header and request target follow the URL", "[url]") {
  CHECK(parse_base_url("https://[::1]").url->host_header() == "[::1]");
  CHECK(parse_base_url("http://[::1]:8080").url->host_header() == "[::1]:8080");
  CHECK(parse_base_url("http://example.com:80").url->host_header() == "example.com");
  CHECK(parse_base_url("https://example.com:80").url->host_header() == "example.com:80");
  CHECK(parse_base_url("https://h/v1").url->target("/api/authenticate") == "/v1/api/authenticate");
  CHECK(parse_base_url("https://h").url->target("/api/authenticate") == "/api/authenticate");
}

TEST_CASE("hosts are bracketed in URLs only when they are IPv6 addresses", "[url]") {
  CHECK(inspekt::host_in_url("::1") == "[::1]");
  CHECK(inspekt::host_in_url("fe80::1%eth0") == "[fe80::1%eth0]");
  CHECK(inspekt::host_in_url("127.0.0.1") == "127.0.0.1");
  CHECK(inspekt::host_in_url("reports.inspektlabs.com") == "reports.inspektlabs.com");
}

TEST_CASE("replace_all replaces every occurrence and never its own output", "[text]") {
  std::string text = "<k> and <k>";
  inspekt::replace_all(text, "<k>", "<k><k>");
  CHECK(text == "<k><k> and <k><k>");
  inspekt::replace_all(text, "", "x"); // nothing to look for: unchanged
  CHECK(text == "<k><k> and <k><k>");
}
