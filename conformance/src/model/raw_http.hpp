#pragma once
// A small HTTP/1.1 client over a TCP (or TLS) socket that sends a request exactly as the
// model renders it: any method token, Content-Length or chunked framing (with chunk
// extensions and trailers, which cpp-httplib cannot send), and Expect: 100-continue,
// waiting for the interim answer before the body (RFC 9110 section 10.1.1). One
// connection is kept alive between requests and opened again when the server closes it.

#include "inspekt/client/base_url.hpp"
#include "inspekt/core/exchange.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace inspekt::conformance::model {

enum class Framing { content_length, chunked, chunked_extensions_trailers, expect_continue };

struct WireRequest {
  std::string method = "POST";
  std::vector<std::pair<std::string, std::string>> headers; // besides Host and framing
  std::string body;
  Framing framing = Framing::content_length;
};

// The bytes of `request` up to the body (head) and the body as framed; Host comes from
// `host`. Exposed for the curl line and for tests.
std::string wire_head(const WireRequest &request, const std::string &host,
                      const std::string &target);
std::string wire_body(const WireRequest &request);

struct WireOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  // How long to wait for "100 Continue" before sending the body anyway (RFC 9110
  // section 10.1.1 lets a client send it after a while).
  std::chrono::milliseconds continue_timeout{1000};
  std::string ca_file; // https: PEM of the CAs to trust; empty: the system store
  // Close with a reset (SO_LINGER 0) rather than a FIN: no TIME_WAIT left behind, so
  // that 100,000 explored requests against a loopback mock that closes after some
  // answers do not run out of local ports. Never for a live target.
  bool reset_on_close = false;
};

struct WireResult {
  std::optional<Exchange> exchange;
  std::string error;             // why no answer came
  bool interim_continue = false; // a 100 Continue came first
};

class WireClient {
public:
  WireClient(BaseUrl url, WireOptions options);
  ~WireClient();
  WireClient(const WireClient &) = delete;
  WireClient &operator=(const WireClient &) = delete;

  WireResult send(const WireRequest &request);

private:
  struct Connection;
  bool connect(std::string &error);
  void close();

  BaseUrl url_;
  WireOptions options_;
  std::unique_ptr<Connection> connection_;
};

} // namespace inspekt::conformance::model
