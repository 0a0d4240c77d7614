#pragma once
// Where the Authentication API lives: "https://reports.inspektlabs.com" by default, the
// mock's "http://127.0.0.1:8080" offline. The endpoint path is appended to the prefix.

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace inspekt {

enum class UrlScheme { http, https };

std::string_view to_string(UrlScheme scheme);
std::ostream &operator<<(std::ostream &os, UrlScheme scheme);

struct BaseUrl {
  UrlScheme scheme = UrlScheme::https;
  std::string host; // lower case; an IPv6 address without its brackets
  int port = 443;
  std::string path_prefix; // "" or "/a/b", never with a trailing '/'

  bool host_is_ipv6() const;
  bool has_default_port() const;
  // The Host header's value: brackets for IPv6, the port only when not the default.
  std::string host_header() const;
  // "https://host[:port]/prefix", canonical: parse_base_url(to_string()) is the same.
  std::string to_string() const;
  // The request target for an endpoint path ("/api/authenticate"): prefix + path.
  std::string target(std::string_view path) const;

  friend bool operator==(const BaseUrl &a, const BaseUrl &b) {
    return a.scheme == b.scheme && a.host == b.host && a.port == b.port &&
           a.path_prefix == b.path_prefix;
  }
};

// Errors: the stable ids [url.empty], [url.character], [url.scheme], [url.userinfo],
// [url.host], [url.port], [url.query], [url.fragment], [url.path]. The message never
// repeats user information (it may hold a password).
struct BaseUrlParse {
  std::optional<BaseUrl> url;
  std::string error;

  explicit operator bool() const { return url.has_value(); }
};

// Strict: "http" or "https", a host name, IPv4 address or bracketed IPv6 address, an
// optional port 1..65535, an optional path. Anything else is refused, not guessed at.
BaseUrlParse parse_base_url(std::string_view text);

// When the prefix already ends with the endpoint path (a URL copied whole from the
// vendor's page), the request would go to .../api/authenticate/api/authenticate: a hint
// naming the base URL to use instead. None otherwise.
std::optional<std::string> endpoint_in_base_url_hint(const BaseUrl &url, std::string_view endpoint);

} // namespace inspekt
