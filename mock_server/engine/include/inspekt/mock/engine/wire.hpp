#pragma once
// The values the engine carries: a request as read from the wire, and an answer to put
// on it. Whatever answers requests (a Responder, responder.hpp) works on these alone,
// so the vendor's rules can be tested without sockets.

#include "inspekt/mock/engine/body_sink.hpp"
#include "inspekt/mock/engine/fault.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace inspekt::mock {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string path;
  std::optional<std::string> content_type; // absent when the header is missing
  std::string body;
  bool body_too_large = false; // the transport stopped reading at the limit
  // The Prefer header's value (several field lines joined with ", "), when sent.
  std::optional<std::string> prefer;
  // The Authorization header's value, when sent (the admin API's Bearer token). Never
  // logged or recorded.
  std::optional<std::string> authorization;
  std::string query; // the target's part after '?' (before any '#'), as sent
  // The Host and Origin headers' values, when sent: a tokenless admin API on a loopback
  // host answers only a loopback Host and Origin (a web page's requests name another).
  std::optional<std::string> host = std::nullopt;
  std::optional<std::string> origin = std::nullopt;
  // How the body came (RFC 9112 sections 6.1, 7.1.1 and 7.1.2; RFC 9110 section
  // 10.1.1). The mock's handler reads the body alone, however it came; a responder that
  // misbehaves for one way of framing (the conformance suite's planted bugs) reads these.
  bool chunked = false;
  bool chunk_extensions = false; // a chunk extension or a trailer field
  bool expected_continue = false;
  // Where the body went instead of `body`, when the responder opened a sink for it
  // (Responder::open_body): `body` is then empty.
  std::shared_ptr<BodySink> body_sink{};
};

class DeferredAnswer;

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Applied by the engine: the answer leaves after `delay` (a timer on the event loop,
  // never a sleep), and misbehaves on the wire as `fault` says. SLOW_BODY trickles the
  // body out over `delay` instead.
  std::chrono::milliseconds delay{0};
  std::optional<Fault> fault;
  // An answer that another thread computes (the admin API's calls, which may read a
  // whole fixture set): when set, everything above is ignored and the engine sends what
  // `deferred` is given once it is given. The connection's later requests wait, as
  // behind a delay; the event loop goes on serving every other connection meanwhile.
  std::shared_ptr<DeferredAnswer> deferred;
};

// Where a thread leaves an answer for the event loop that holds the request (it looks
// every deferred_poll_interval, on its timer). Thread-safe; give() counts once.
class DeferredAnswer {
public:
  void give(HttpResponse response) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!given_) {
      given_ = true;
      answer_ = std::move(response);
    }
  }
  std::optional<HttpResponse> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<HttpResponse> taken = std::move(answer_);
    answer_.reset();
    return taken;
  }

private:
  std::mutex mutex_;
  bool given_ = false;
  std::optional<HttpResponse> answer_;
};

inline constexpr std::chrono::milliseconds deferred_poll_interval{1};

} // namespace inspekt::mock
