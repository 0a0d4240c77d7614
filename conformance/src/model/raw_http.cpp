#include "raw_http.hpp"

#include "inspekt/client/peer_name.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace inspekt::conformance::model {
namespace {

using Clock = std::chrono::steady_clock;

std::string hex(std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[n % 16]);
    n /= 16;
  } while (n != 0);
  return out;
}

bool has_header(const WireRequest &request, std::string_view name) {
  for (const auto &[header, value] : request.headers) {
    if (equals_ignoring_case(header, name)) {
      return true;
    }
  }
  return false;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// A connected socket to the first of `found` that takes the connection by the
// deadline, with Nagle off; -1 when none does.
int connect_first(const addrinfo *found, Clock::time_point deadline) {
  for (const addrinfo *a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      continue;
    }
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int so_error = 0;
      socklen_t len = sizeof so_error;
      rc = ::poll(&p, 1, remaining_ms(deadline)) > 0 &&
                   ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0 && so_error == 0
               ? 0
               : -1;
    }
    if (rc != 0) {
      ::close(fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, flags);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
  return -1;
}

// One answer read: 1xx interim answers are returned as they come (the caller loops).
struct ReadAnswer {
  std::optional<Exchange> exchange;
  bool closed_after = false;
  std::string error;
};

std::optional<std::size_t> parse_size(std::string_view text, int base) {
  std::size_t value = 0;
  bool any = false;
  for (const char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      break;
    }
    if (value > (std::size_t{1} << 40)) {
      return std::nullopt;
    }
    value = value * static_cast<std::size_t>(base) + static_cast<std::size_t>(digit);
    any = true;
  }
  return any ? std::optional<std::size_t>(value) : std::nullopt;
}

// The status line and header fields of an answer's head (without its empty line).
std::optional<Exchange> parse_head(const std::string &head_text) {
  Exchange exchange;
  const auto first_line_end = head_text.find("\r\n");
  const std::string status_line = head_text.substr(0, first_line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
    return std::nullopt;
  }
  exchange.status = static_cast<int>(parse_size(status_line.substr(9, 3), 10).value_or(0));
  std::size_t at = first_line_end == std::string::npos ? head_text.size() : first_line_end + 2;
  while (at < head_text.size()) {
    auto line_end = head_text.find("\r\n", at);
    if (line_end == std::string::npos) {
      line_end = head_text.size();
    }
    const std::string line = head_text.substr(at, line_end - at);
    at = line_end + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      continue;
    }
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.erase(0, 1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
      value.pop_back();
    }
    exchange.headers.emplace(line.substr(0, colon), value);
  }
  return exchange;
}

} // namespace

std::string wire_head(const WireRequest &request, const std::string &host,
                      const std::string &target) {
  std::string head = request.method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
  for (const auto &[name, value] : request.headers) {
    head += name + ": " + value + "\r\n";
  }
  switch (request.framing) {
  case Framing::content_length:
  case Framing::expect_continue:
    // A request without a body and a method that needs none says nothing of its length.
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    if (request.framing == Framing::expect_continue && !has_header(request, "Expect")) {
      head += "Expect: 100-continue\r\n";
    }
    break;
  case Framing::chunked:
  case Framing::chunked_extensions_trailers:
    head += "Transfer-Encoding: chunked\r\n";
    break;
  }
  return head + "\r\n";
}

std::string wire_body(const WireRequest &request) {
  if (request.framing != Framing::chunked &&
      request.framing != Framing::chunked_extensions_trailers) {
    return request.body;
  }
  // Two chunks (so that a server must join them), the second with an extension, and a
  // trailer field: RFC 9112 section 7.1.1 (a recipient MUST ignore unrecognized chunk
  // extensions) and 7.1.2 (trailers).
  const bool extended = request.framing == Framing::chunked_extensions_trailers;
  const std::size_t half = request.body.size() / 2;
  std::string out;
  for (const auto &part : {request.body.substr(0, half), request.body.substr(half)}) {
    if (part.empty()) {
      continue;
    }
    out += hex(part.size()) + (extended ? ";inspekt=\"ext\"" : "") + "\r\n" + part + "\r\n";
  }
  out += extended ? "0;last\r\nX-Inspekt-Trailer: 1\r\n\r\n" : "0\r\n\r\n";
  return out;
}

struct WireClient::Connection {
  int fd = -1;
  bool reset_on_close = false;
  SSL_CTX *ctx = nullptr;
  SSL *ssl = nullptr;
  std::string buffer; // read and not yet used

  ~Connection() {
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (ctx != nullptr) {
      SSL_CTX_free(ctx);
    }
    if (fd >= 0) {
      if (reset_on_close) {
        const linger abort{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      }
      ::close(fd);
    }
  }

  // The TLS handshake on the connected socket, the certificate checked against `host`
  // (a name, or an address) and the CAs of `ca_file` (empty: the system store). Empty
  // when it holds, else why not.
  std::string start_tls(const std::string &host, const std::string &ca_file) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const bool trusted = ca_file.empty()
                             ? SSL_CTX_set_default_verify_paths(ctx) == 1
                             : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1;
    ssl = trusted ? SSL_new(ctx) : nullptr;
    if (ssl == nullptr) {
      return "TLS: cannot load the CA file " + ca_file;
    }
    SSL_set_fd(ssl, fd);
    in6_addr ip{};
    if (::inet_pton(AF_INET, host.c_str(), &ip) != 1 &&
        ::inet_pton(AF_INET6, host.c_str(), &ip) != 1) {
      SSL_set_tlsext_host_name(ssl, host.c_str()); // SNI carries names, never addresses
    }
    expect_peer_name(SSL_get0_param(ssl), host);
    if (SSL_connect(ssl) != 1) {
      ERR_clear_error();
      return "TLS certificate of " + host + " not trusted, or the handshake failed";
    }
    return {};
  }

  bool write_all(const std::string &bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const auto left = bytes.size() - done;
      long n;
      if (ssl != nullptr) {
        n = SSL_write(ssl, bytes.data() + done, static_cast<int>(left));
      } else {
        n = ::send(fd, bytes.data() + done, left, MSG_NOSIGNAL);
      }
      if (n <= 0) {
        if (ssl == nullptr && n < 0 && errno == EINTR) {
          continue;
        }
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Waits until bytes can be read, or the deadline.
  bool readable(Clock::time_point deadline) {
    if (!buffer.empty() || (ssl != nullptr && SSL_pending(ssl) > 0)) {
      return true;
    }
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, remaining_ms(deadline)) > 0;
  }

  // Appends what arrives to the buffer: >0 bytes read, 0 closed, -1 timeout or error.
  int fill(Clock::time_point deadline) {
    if (ssl == nullptr || SSL_pending(ssl) == 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) {
        return -1;
      }
    }
    char chunk[16384];
    long n =
        ssl != nullptr ? SSL_read(ssl, chunk, sizeof chunk) : ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return 0;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    return 1;
  }

  // Reads until the buffer holds `n` bytes; false when the connection ends first.
  bool need(std::size_t n, Clock::time_point deadline) {
    while (buffer.size() < n) {
      if (fill(deadline) <= 0) {
        return false;
      }
    }
    return true;
  }

  // The next line (without its CRLF), taken from the buffer; nothing when the connection
  // ends first.
  std::optional<std::string> take_line(Clock::time_point deadline) {
    std::size_t end;
    while ((end = buffer.find("\r\n")) == std::string::npos) {
      if (fill(deadline) <= 0) {
        return std::nullopt;
      }
    }
    std::string line = buffer.substr(0, end);
    buffer.erase(0, end + 2);
    return line;
  }

  // A chunked body (RFC 9112 section 7.1) into `body`: chunks up to the last, then its
  // trailer fields up to the empty line. Empty when whole, else why not.
  std::string read_chunked(std::string &body, Clock::time_point deadline) {
    for (;;) {
      const auto size_line = take_line(deadline);
      if (!size_line) {
        return "the chunked answer broke off";
      }
      const auto size = parse_size(*size_line, 16);
      if (!size) {
        return "the chunked answer is broken";
      }
      if (*size == 0) {
        for (auto trailer = take_line(deadline); trailer; trailer = take_line(deadline)) {
          if (trailer->empty()) {
            return {};
          }
        }
        return "the chunked answer broke off";
      }
      if (!need(*size + 2, deadline)) {
        return "the chunked answer broke off";
      }
      body += buffer.substr(0, *size);
      buffer.erase(0, *size + 2);
    }
  }

  // The body of `exchange`, framed as its head says (RFC 9112 section 6.3).
  ReadAnswer read_body(Exchange exchange, const std::string &method, Clock::time_point deadline) {
    ReadAnswer out;
    const bool no_body = method == "HEAD" || exchange.status == 204 || exchange.status == 304;
    if (no_body) {
    } else if (equals_ignoring_case(exchange.header("Transfer-Encoding"), "chunked")) {
      out.error = read_chunked(exchange.body, deadline);
      if (!out.error.empty()) {
        return out;
      }
    } else if (const auto length = exchange.header("Content-Length"); !length.empty()) {
      const auto n = parse_size(length, 10).value_or(0);
      if (!need(n, deadline)) {
        out.error = "truncated body: Content-Length promised " + length + " bytes";
        return out;
      }
      exchange.body = buffer.substr(0, n);
      buffer.erase(0, n);
    } else {
      while (fill(deadline) > 0) {
      }
      exchange.body = std::move(buffer);
      buffer.clear();
      out.closed_after = true;
    }
    out.closed_after =
        out.closed_after || equals_ignoring_case(exchange.header("Connection"), "close");
    out.exchange = std::move(exchange);
    return out;
  }

  // One answer to a request of `method`: its head, then (unless interim) its body.
  ReadAnswer read_answer(const std::string &method, Clock::time_point deadline) {
    ReadAnswer out;
    std::size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const int got = fill(deadline);
      if (got <= 0) {
        out.error = got == 0 ? "the server closed the connection without an answer"
                             : "no answer within the read timeout";
        return out;
      }
    }
    const std::string head_text = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    auto exchange = parse_head(head_text);
    if (!exchange) {
      out.error = "not an HTTP answer";
      return out;
    }
    if (exchange->status >= 100 && exchange->status < 200) {
      out.exchange = std::move(exchange);
      return out;
    }
    return read_body(std::move(*exchange), method, deadline);
  }
};

WireClient::WireClient(BaseUrl url, WireOptions options)
    : url_(std::move(url)), options_(std::move(options)) {}

WireClient::~WireClient() = default;

void WireClient::close() {
  connection_.reset();
}

bool WireClient::connect(std::string &error) {
  close();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  const std::string port = std::to_string(url_.port);
  if (const int rc = ::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = "cannot resolve " + url_.host + ": " + ::gai_strerror(rc);
    return false;
  }
  auto connection = std::make_unique<Connection>();
  connection->reset_on_close = options_.reset_on_close;
  connection->fd = connect_first(found, Clock::now() + options_.connect_timeout);
  ::freeaddrinfo(found);
  if (connection->fd < 0) {
    error = "cannot connect to " + url_.host + ":" + port;
    return false;
  }
  if (url_.scheme == UrlScheme::https) {
    if (auto problem = connection->start_tls(url_.host, options_.ca_file); !problem.empty()) {
      error = std::move(problem);
      return false;
    }
  }
  connection_ = std::move(connection);
  return true;
}

WireResult WireClient::send(const WireRequest &request) {
  WireResult result;
  const auto start = Clock::now();
  // A kept connection the server has closed since shows as readable (EOF): open anew.
  if (connection_) {
    pollfd p{connection_->fd, POLLIN, 0};
    if (!connection_->buffer.empty() || ::poll(&p, 1, 0) != 0) {
      close();
    }
  }
  if (!connection_ && !connect(result.error)) {
    return result;
  }
  Connection &c = *connection_;
  const std::string head = wire_head(request, url_.host_header(), url_.target(authenticate_path));
  const std::string body = wire_body(request);
  const bool expect = request.framing == Framing::expect_continue;
  if (!c.write_all(expect ? head : head + body)) {
    close();
    result.error = "the connection broke while sending";
    return result;
  }
  bool body_sent = !expect;
  if (expect) {
    const auto wait_until = Clock::now() + options_.continue_timeout;
    if (!c.readable(wait_until)) {
      body_sent = c.write_all(body); // no interim answer came: send it anyway
    }
  }
  const auto deadline = Clock::now() + options_.read_timeout;
  for (;;) {
    auto answer = c.read_answer(request.method, deadline);
    if (!answer.exchange) {
      close();
      result.error = answer.error;
      return result;
    }
    if (answer.exchange->status >= 100 && answer.exchange->status < 200) {
      if (answer.exchange->status == 100 && !body_sent) {
        result.interim_continue = true;
        body_sent = c.write_all(body);
      }
      continue;
    }
    answer.exchange->elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    result.exchange = std::move(answer.exchange);
    // A final answer before the body was sent leaves the connection in doubt: close it.
    if (answer.closed_after || !body_sent) {
      close();
    }
    return result;
  }
}

} // namespace inspekt::conformance::model
