#include "inspekt/client/base_url.hpp"
#include "inspekt/core/endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace inspekt {
namespace {

BaseUrlParse fail(std::string message) {
  return {std::nullopt, std::move(message)};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// RFC 3986 section 3.3: unreserved, sub-delims, ':' and '@', or a %XX escape.
bool is_path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-._~!$&'()*+,;=:@", c);
}

// A DNS name or an IPv4 address: dot-separated labels of letters, digits and '-', no
// label empty or starting or ending with '-'.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = std::min(host.find('.', start), host.size());
    const auto label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        })) {
      return false;
    }
    start = dot + 1;
  }
  return true;
}

std::string check_path(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '/') {
      continue;
    }
    if (c == '%') {
      if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) {
        return "[url.path] a '%' in the path is not followed by two hex digits";
      }
      i += 2;
      continue;
    }
    if (!is_path_char(c)) {
      return std::string("[url.path] the path holds '") + c + "', which must be percent-encoded";
    }
  }
  std::size_t start = 1;
  while (start <= path.size() && !path.empty()) {
    const auto slash = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return "[url.path] the path has an empty, \".\" or \"..\" segment";
    }
    start = slash + 1;
  }
  return {};
}

std::string check_characters(std::string_view text) {
  if (text.empty()) {
    return "[url.empty] the base URL is empty";
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return "[url.character] the base URL holds a space, control character or non-ASCII byte "
             "at offset " +
             std::to_string(i);
    }
  }
  return {};
}

// What follows "scheme://": no user information, no fragment, no query.
std::string check_after_scheme(std::string_view rest, std::string_view authority) {
  if (authority.find('@') != std::string_view::npos) {
    // Not repeated in the message: what precedes '@' may be a password.
    return "[url.userinfo] the base URL holds user information before '@'; credentials do not "
           "belong in the URL (the key goes in the request body)";
  }
  if (rest.find('#') != std::string_view::npos) {
    return "[url.fragment] the base URL has a fragment ('#'); remove it";
  }
  if (rest.find('?') != std::string_view::npos) {
    return "[url.query] the base URL has a query ('?'); remove it";
  }
  return {};
}

// The host of an authority and its port's text, when it has one.
struct Authority {
  std::string_view host;
  std::optional<std::string_view> port;
};

// "[v6]" or "[v6]:port" (RFC 3986 section 3.2.2: an IPv6 address in brackets).
std::string split_bracketed(std::string_view authority, Authority &parts) {
  const auto close = authority.find(']');
  if (close == std::string_view::npos) {
    return "[url.host] an IPv6 address has '[' but no ']'";
  }
  parts.host = authority.substr(1, close - 1);
  const auto after = authority.substr(close + 1);
  if (!after.empty()) {
    if (after.front() != ':') {
      return "[url.host] only ':' and a port may follow the ']' of an IPv6 address";
    }
    parts.port = after.substr(1);
  }
  in6_addr address{};
  if (::inet_pton(AF_INET6, std::string(parts.host).c_str(), &address) != 1) {
    return "[url.host] \"" + std::string(parts.host) + "\" is not an IPv6 address";
  }
  return {};
}

// "host" or "host:port": a DNS name or an IPv4 address.
std::string split_authority(std::string_view authority, Authority &parts) {
  if (!authority.empty() && authority.front() == '[') {
    return split_bracketed(authority, parts);
  }
  const auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
    return "[url.host] an IPv6 address must be written in brackets, e.g. http://[::1]:8080";
  }
  parts.host = authority.substr(0, colon);
  if (colon != std::string_view::npos) {
    parts.port = authority.substr(colon + 1);
  }
  if (parts.host.empty()) {
    return "[url.host] the base URL has no host";
  }
  if (!is_host_name(parts.host)) {
    return "[url.host] \"" + std::string(parts.host) + "\" is not a host name or address";
  }
  return {};
}

std::string parse_port(std::string_view text, int &port) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return "[url.port] the port \"" + std::string(text) + "\" is not a number 1..65535";
  }
  port = std::stoi(std::string(text));
  if (port < 1 || port > 65535) {
    return "[url.port] the port " + std::string(text) + " is outside 1..65535";
  }
  return {};
}

} // namespace

std::string_view to_string(UrlScheme scheme) {
  return scheme == UrlScheme::https ? "https" : "http";
}

std::ostream &operator<<(std::ostream &os, UrlScheme scheme) {
  return os << to_string(scheme);
}

bool BaseUrl::host_is_ipv6() const {
  return host.find(':') != std::string::npos;
}

bool BaseUrl::has_default_port() const {
  return port == (scheme == UrlScheme::https ? 443 : 80);
}

std::string BaseUrl::host_header() const {
  std::string out = host_in_url(host);
  if (!has_default_port()) {
    out += ":" + std::to_string(port);
  }
  return out;
}

std::string BaseUrl::to_string() const {
  return std::string(inspekt::to_string(scheme)) + "://" + host_header() + path_prefix;
}

std::string BaseUrl::target(std::string_view path) const {
  return path_prefix + std::string(path);
}

BaseUrlParse parse_base_url(std::string_view text) {
  if (auto problem = check_characters(text); !problem.empty()) {
    return fail(std::move(problem));
  }
  const auto separator = text.find("://");
  if (separator == std::string_view::npos) {
    return fail("[url.scheme] the base URL has no scheme; write http:// or https://");
  }
  BaseUrl url;
  const std::string scheme = lower(text.substr(0, separator));
  if (scheme == "https") {
    url.scheme = UrlScheme::https;
  } else if (scheme == "http") {
    url.scheme = UrlScheme::http;
  } else {
    return fail("[url.scheme] the scheme is not http or https");
  }
  const auto rest = text.substr(separator + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const auto authority = rest.substr(0, authority_end);
  if (auto problem = check_after_scheme(rest, authority); !problem.empty()) {
    return fail(std::move(problem));
  }
  Authority parts;
  if (auto problem = split_authority(authority, parts); !problem.empty()) {
    return fail(std::move(problem));
  }
  url.host = lower(parts.host);
  url.port = url.scheme == UrlScheme::https ? 443 : 80;
  if (parts.port) {
    if (auto problem = parse_port(*parts.port, url.port); !problem.empty()) {
      return fail(std::move(problem));
    }
  }
  auto path = rest.substr(authority_end);
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  if (auto problem = check_path(path); !problem.empty()) {
    return fail(std::move(problem));
  }
  url.path_prefix = std::string(path);
  return {std::move(url), {}};
}

std::optional<std::string> endpoint_in_base_url_hint(const BaseUrl &url,
                                                     std::string_view endpoint) {
  const std::string &prefix = url.path_prefix;
  if (prefix.size() < endpoint.size() ||
      prefix.compare(prefix.size() - endpoint.size(), endpoint.size(), endpoint) != 0) {
    return std::nullopt;
  }
  BaseUrl without = url;
  without.path_prefix.resize(prefix.size() - endpoint.size());
  return "the base URL already ends in " + std::string(endpoint) +
         ", which is added to it (the request went to " + url.target(endpoint) +
         "): use --base-url " + without.to_string();
}

} // namespace inspekt
