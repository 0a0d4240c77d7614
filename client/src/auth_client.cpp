#include "inspekt/client/auth_client.hpp"
#include "inspekt/client/peer_name.hpp"

#include "inspekt/core/endpoint.hpp"
#include "inspekt/core/secrets.hpp"
#include "inspekt/core/version.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <netdb.h>

#include <cerrno>

#include <fstream>
#include <memory>

namespace inspekt {
namespace {

using std::chrono::milliseconds;

AuthError transport_error(std::string description) {
  return AuthError{ErrorKind::transport, std::nullopt, {}, std::move(description), {}};
}

std::string ms(std::chrono::microseconds duration) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(duration).count()) + " ms";
}

bool has_header(const std::vector<std::pair<std::string, std::string>> &headers,
                std::string_view name) {
  const CaseInsensitiveLess less;
  for (const auto &header : headers) {
    if (!less(header.first, name) && !less(name, header.first)) {
      return true;
    }
  }
  return false;
}

// httplib reports a failed connect as one code; the resolver says whether the name was
// the problem.
std::string connect_failure(const BaseUrl &url) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  const int rc = ::getaddrinfo(url.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return "cannot resolve host \"" + url.host + "\": " + ::gai_strerror(rc);
  }
  ::freeaddrinfo(found);
  return "cannot connect to " + host_in_url(url.host) + ":" + std::to_string(url.port) +
         ": connection refused or host unreachable";
}

// The reason OpenSSL left on this thread's error queue, if any.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  const char *reason = code == 0 ? nullptr : ERR_reason_error_string(code);
  ERR_clear_error();
  return reason == nullptr ? std::string("no detail from OpenSSL") : std::string(reason);
}

// What a connection that ended without a whole answer says about the server: a reset,
// a head whose chunked body broke, a body shorter than its Content-Length, or no answer
// at all (nothing, or bytes that are not HTTP). httplib fills the status and headers
// as it reads them, so they tell how far the answer got.
std::string broken_answer(const std::string &peer, const httplib::Response &res, int socket_error) {
  if (res.status > 0) {
    const std::string head =
        "the answer from " + peer + " (status " + std::to_string(res.status) + ") broke off: ";
    if (res.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos) {
      return head + "malformed answer: its chunked body is broken";
    }
    if (res.has_header("Content-Length")) {
      return head + "truncated body: Content-Length promised " +
             res.get_header_value("Content-Length") + " bytes, the connection closed first";
    }
    return head + "the connection closed inside the answer";
  }
  if (socket_error == ECONNRESET || socket_error == ENOTCONN) {
    return peer + " reset the connection (TCP reset) instead of answering";
  }
  return peer + " closed the connection without an HTTP answer: an empty answer, or " +
         "a malformed one (bytes that are not HTTP)";
}

// At least one PEM certificate in the file: OpenSSL would otherwise load an empty or
// foreign file without complaint and fail only at the handshake, as a transport error.
bool holds_pem_certificate(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
  X509 *certificate = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  ERR_clear_error();
  X509_free(certificate);
  return certificate != nullptr;
}

// The HTTP client for one request, set as the options say; `tls` points at it over https.
std::unique_ptr<httplib::ClientImpl>
make_http_client(const BaseUrl &url, const ClientOptions &options, httplib::SSLClient *&tls) {
  std::unique_ptr<httplib::ClientImpl> http;
  if (url.scheme == UrlScheme::https) {
    auto client = std::make_unique<httplib::SSLClient>(url.host, url.port);
    if (!options.ca_file.empty()) {
      client->set_ca_cert_path(options.ca_file);
    }
    client->enable_server_certificate_verification(options.verify_tls);
    if (options.verify_tls) {
      expect_peer_name(SSL_CTX_get0_param(client->ssl_context()), url.host);
    }
    tls = client.get();
    http = std::move(client);
  } else {
    http = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  http->set_connection_timeout(options.connect_timeout);
  http->set_read_timeout(options.read_timeout);
  http->set_write_timeout(options.read_timeout);
  http->set_keep_alive(false);
  // Headers and body go out in separate writes; with Nagle the body would wait for a
  // delayed ACK (40 ms on Linux).
  http->set_tcp_nodelay(true);
  http->set_follow_location(false);
  http->set_url_encode(false); // the path goes out as given, odd bytes included
  return http;
}

// The request as httplib takes it: the caller's headers as given, Host, User-Agent and
// Content-Type added only where the caller left them out.
httplib::Request to_httplib_request(const RawRequest &request, const BaseUrl &url,
                                    const ClientOptions &options) {
  httplib::Request req;
  req.method = request.method;
  req.path = url.target(request.path);
  for (const auto &[name, value] : request.headers) {
    req.headers.emplace(name, value);
  }
  if (!has_header(request.headers, "Host")) {
    // httplib would write an IPv6 host without brackets when the port is the default.
    req.headers.emplace("Host", url.host_header());
  }
  if (!has_header(request.headers, "User-Agent")) {
    req.headers.emplace("User-Agent", options.user_agent.empty()
                                          ? "inspekt-client/" + std::string(version())
                                          : options.user_agent);
  }
  if (request.content_type && !has_header(request.headers, "Content-Type")) {
    req.headers.emplace("Content-Type", *request.content_type);
  }
  const bool body_method =
      request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  if (request.body && !request.body->empty()) {
    // Through a content provider, because httplib adds "Content-Type: text/plain" to a
    // plain body that has none, and a request without Content-Type must stay without.
    req.content_length_ = request.body->size();
    req.content_provider_ = [body = *request.body](std::size_t offset, std::size_t length,
                                                   httplib::DataSink &sink) {
      return sink.write(body.data() + offset, length);
    };
  } else if (request.body && !body_method && !has_header(request.headers, "Content-Length")) {
    req.headers.emplace("Content-Length", "0"); // httplib adds it for POST, PUT, PATCH only
  }
  return req;
}

// One request sent, as httplib and the socket left it.
struct Attempt {
  bool answered = false;
  httplib::Error failure = httplib::Error::Success;
  httplib::Response res;
  int socket_error = 0;
  std::chrono::microseconds elapsed{};
};

Attempt send_once(httplib::ClientImpl &http, httplib::Request &req) {
  Attempt attempt;
  ERR_clear_error();
  const auto start = std::chrono::steady_clock::now();
  errno = 0;
  attempt.answered = http.send(req, attempt.res, attempt.failure);
  // What the socket said last: httplib 0.11 shuts a failed socket down before returning,
  // and shutdown() on a connection the peer reset fails with ENOTCONN (on one it closed
  // with a FIN, it succeeds), so that, or the read's own ECONNRESET, means a reset.
  attempt.socket_error = errno;
  attempt.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return attempt;
}

// The transport error for a request that got no whole answer, from what httplib, the
// socket and OpenSSL said.
SendResult failed_send(const Attempt &attempt, const httplib::SSLClient *tls, const BaseUrl &url,
                       const ClientOptions &options) {
  const std::string peer = host_in_url(url.host) + ":" + std::to_string(url.port);
  const auto elapsed = attempt.elapsed;
  switch (attempt.failure) {
  case httplib::Error::Connection:
    return {std::nullopt, transport_error(connect_failure(url))};
  case httplib::Error::ConnectionTimeout:
    return {std::nullopt, transport_error("connecting to " + peer + " timed out after " +
                                          ms(elapsed) + " (connect timeout)")};
  case httplib::Error::Read:
    // httplib names a wait that ran out and a connection closed early the same way.
    if (elapsed + milliseconds(20) >= options.read_timeout) {
      return {std::nullopt,
              transport_error("timed out after " + ms(elapsed) + " waiting for an answer from " +
                              peer + " (read timeout)"),
              true};
    }
    return {std::nullopt, transport_error(broken_answer(peer, attempt.res, attempt.socket_error)),
            true};
  case httplib::Error::Write:
    return {std::nullopt, transport_error("sending the request to " + peer + " failed"), true};
  case httplib::Error::SSLConnection:
    if (elapsed + milliseconds(20) >= options.connect_timeout) {
      return {std::nullopt, transport_error("TLS problem: the handshake with " + peer +
                                            " timed out after " + ms(elapsed))};
    }
    return {std::nullopt, transport_error("TLS problem: the handshake with " + peer + " failed (" +
                                          openssl_reason() + "); is it an HTTPS server?")};
  case httplib::Error::SSLLoadingCerts:
    return {std::nullopt,
            transport_error("TLS certificate problem: cannot load the trusted CAs from " +
                            (options.ca_file.empty() ? std::string("the system trust store")
                                                     : "\"" + options.ca_file + "\""))};
  case httplib::Error::SSLServerVerification: {
    const long verdict = tls != nullptr ? tls->get_openssl_verify_result() : X509_V_OK;
    const bool other_name =
        verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH;
    if (verdict != X509_V_OK && !other_name) {
      return {std::nullopt,
              transport_error("TLS certificate problem: the certificate of " + peer +
                              " is not trusted (" + X509_verify_cert_error_string(verdict) +
                              "); for a private CA, trust its certificate with --ca-file FILE")};
    }
    return {std::nullopt, transport_error("TLS certificate problem: the certificate of " + peer +
                                          " is not valid for the host \"" + url.host + "\"")};
  }
  default:
    return {std::nullopt,
            transport_error("the request to " + peer +
                            " failed: " + httplib::to_string(attempt.failure)),
            true};
  }
}
} // namespace

std::optional<std::string> authenticate_body(std::string_view key,
                                             const std::optional<std::string> &client_id) {
  nlohmann::json body{{"key", std::string(key)}};
  if (client_id) {
    body["client_id"] = *client_id;
  }
  try {
    return body.dump();
  } catch (const nlohmann::json::type_error &) {
    return std::nullopt; // not UTF-8: sending a repaired key would send another key
  }
}

AuthClient::AuthClient(ClientOptions options) : options_(std::move(options)) {
  auto parsed = parse_base_url(options_.base_url);
  if (!parsed) {
    error_ = transport_error(parsed.error);
    return;
  }
  url_ = std::move(*parsed.url);
  if (options_.connect_timeout.count() <= 0 || options_.read_timeout.count() <= 0) {
    error_ = transport_error("[options.timeout] timeouts must be positive");
    return;
  }
  if (url_.scheme == UrlScheme::https && !options_.ca_file.empty()) {
    if (!std::ifstream(options_.ca_file).good()) {
      error_ =
          transport_error("[tls.ca-file] cannot read the CA file \"" + options_.ca_file + "\"");
    } else if (!holds_pem_certificate(options_.ca_file)) {
      error_ = transport_error("[tls.ca-file] the CA file \"" + options_.ca_file +
                               "\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
  }
}

SendResult AuthClient::send(const RawRequest &request) const {
  if (error_) {
    return {std::nullopt, error_};
  }
  httplib::SSLClient *tls = nullptr;
  const auto http = make_http_client(url_, options_, tls);
  httplib::Request req = to_httplib_request(request, url_, options_);
  Attempt attempt = send_once(*http, req);
  if (!attempt.answered) {
    return failed_send(attempt, tls, url_, options_);
  }
  Exchange exchange;
  exchange.status = attempt.res.status;
  for (auto &[name, value] : attempt.res.headers) {
    exchange.headers.emplace(name, value);
  }
  exchange.body = std::move(attempt.res.body);
  exchange.elapsed = attempt.elapsed;
  return {std::move(exchange), std::nullopt, true};
}

AuthResult AuthClient::authenticate(std::string_view key,
                                    std::optional<std::string> client_id) const {
  if (error_) {
    return {std::nullopt, error_, std::nullopt};
  }
  auto body = authenticate_body(key, client_id);
  if (!body) {
    return {std::nullopt,
            AuthError{ErrorKind::invalid_request,
                      std::nullopt,
                      {},
                      "[request.not-utf8] the key or client_id is not valid UTF-8; nothing "
                      "was sent",
                      {}},
            std::nullopt};
  }
  RawRequest request;
  request.body = std::move(body);
  auto sent = send(request);
  if (!sent) {
    redact(*sent.error, key);
    return {std::nullopt, std::move(sent.error), std::nullopt};
  }
  auto result = classify(*sent.exchange);
  if (result.error) {
    // The description quotes the start of the body; cut there, a key the server echoed
    // would survive redaction in part. So the error is described from a body with the
    // key masked, while the exchange stays the server's own words.
    Exchange masked = *sent.exchange;
    masked.body = redacted(std::move(masked.body), key);
    result.error = std::move(classify(masked).error);
    redact(*result.error, key);
  }
  return result;
}

} // namespace inspekt
