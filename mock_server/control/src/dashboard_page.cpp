#include "inspekt/mock/control/dashboard_page.hpp"

#include "dashboard_html.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>

namespace inspekt::mock {
namespace {

// "'sha256-BASE64'": the hash-source of CSP Level 3 (section 2.3.1), standard base64.
std::string hash_source(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char *>(text.data()), text.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1> encoded{};
  const int length = EVP_EncodeBlock(encoded.data(), digest.data(), SHA256_DIGEST_LENGTH);
  return "'sha256-" +
         std::string(reinterpret_cast<const char *>(encoded.data()),
                     static_cast<std::size_t>(length)) +
         "'";
}

// The hash-sources of every `<tag>...</tag>` element's text in `html`.
std::string hashes_of(std::string_view html, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  std::string sources;
  for (std::size_t at = html.find(open); at != std::string_view::npos; at = html.find(open, at)) {
    const std::size_t begin = at + open.size();
    const std::size_t end = html.find(close, begin);
    if (end == std::string_view::npos) {
      break;
    }
    sources += " " + hash_source(html.substr(begin, end - begin));
    at = end + close.size();
  }
  return sources.empty() ? " 'none'" : sources;
}

} // namespace

namespace detail {

std::string content_security_policy_for(std::string_view html) {
  // img-src data: for the page's empty icon (else the browser asks the mock for
  // /favicon.ico, and the journal shows a request the app never sent).
  return "default-src 'none'; script-src" + hashes_of(html, "script") + "; style-src" +
         hashes_of(html, "style") +
         "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

} // namespace detail

const DashboardPage &dashboard_page() {
  static const DashboardPage page = [] {
    const std::string_view html(detail::dashboard_html, sizeof detail::dashboard_html);
    return DashboardPage{html, detail::content_security_policy_for(html)};
  }();
  return page;
}

} // namespace inspekt::mock
