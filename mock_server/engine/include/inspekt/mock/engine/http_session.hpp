#pragma once
// One HTTP/1.1 connection without its socket: bytes in, answers out. The event-loop
// transport (event_loop_transport.cpp) owns the socket and feeds this; tests and the fuzzer
// feed it directly. A RequestReader (engine/src/request_reader.hpp) frames requests with
// http-parser and enforces the limits and RFC 9112's rules; each request it reads is
// answered by the Responder, in order, one answer per request, so pipelined requests
// work; the answers go through an AnswerQueue (engine/src/answer_queue.hpp), which times
// delays and faults, ends the connection as they say, and tells the observers of each
// answer once delivered (docs/architecture.md, "One connection: HttpSession").

#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/engine/responder.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock {

struct HttpLimits {
  std::size_t max_body_bytes = 64 * 1024; // larger bodies: 413
  // A body over the limit is read and dropped up to this many bytes, so the connection
  // stays usable; past it (or when the client awaits 100 Continue) the 413 goes out at
  // once and the connection closes.
  std::size_t max_drained_body_bytes = 16 * 64 * 1024;
  std::size_t max_target_bytes = 8 * 1024; // longer request targets: 414
  std::size_t keep_alive_max_requests = 1000;
  // Parsing pauses while this much output waits for a client that does not read.
  std::size_t max_pending_output = 256 * 1024;
};

// http-parser's bound on the request line plus headers (431 beyond). It is one setting
// for the whole process; HttpSession applies it on first use.
inline constexpr std::size_t max_request_head_bytes = 16 * 1024;

namespace detail {
class RequestReader;
class AnswerQueue;
} // namespace detail

class HttpSession {
public:
  // `observer` may be null (the responder's own is told too); `remote` ("address:port")
  // is only passed on to them.
  HttpSession(const Responder &handler, const HttpLimits &limits, DeliveryObserver *observer,
              std::string remote);
  ~HttpSession();
  HttpSession(const HttpSession &) = delete;
  HttpSession &operator=(const HttpSession &) = delete;

  // Reads what the client sent and appends the answers of complete requests to
  // output(). While parsing is paused (too much unsent output) the bytes are kept.
  void receive(std::string_view data);
  // The client closed its side: a request cut short gets no answer.
  void receive_end();
  // Call after writing some output: parsing paused by a full output resumes.
  void resume();
  // Delays and faults (HttpResponse::delay, ::fault) are timed: an answer, or a piece
  // of it, leaves once its time has come. The transport calls advance() at wake_time()
  // (and may call it any time later); meanwhile the session reads nothing more. A
  // deferred answer (HttpResponse::deferred) is looked for every deferred_poll_interval
  // the same way.
  std::optional<std::chrono::steady_clock::time_point> wake_time() const;
  void advance(std::chrono::steady_clock::time_point now);
  // Every later answer says "Connection: close" and ends the connection (shutdown).
  void close_after_next_answer();

  // Bytes to send, in order; the transport erases what it has written.
  std::string &output();
  // Once output() is written, the connection is over.
  bool finished() const { return state_ == Connection::finished; }
  // No part of a request has arrived since the last answer (or since the start).
  bool idle() const;
  // Parsing waits for output() to shrink, or for a timed answer to leave (and stays so
  // once the connection is finished).
  bool paused() const;
  // An answer is still due at wake_time(): the connection is busy, not idle.
  bool waiting() const;
  // Once finished() and output() is written, end the connection with a TCP reset (the
  // CONNECTION_RESET_BY_PEER fault), not a close.
  bool reset_requested() const;
  std::size_t requests_answered() const;

private:
  class Events;

  enum class Connection : std::uint8_t {
    open,
    input_ended, // the client closed its side while parsing paused: finish once resumed
    finished,
  };

  void finish();
  // An answer to the request being read (or to bytes that began none). `noted`: the
  // responder ran and filled note_.
  void answer(HttpResponse response, bool head_only, bool noted);
  void refuse(int status);
  void fail(const std::string &what); // a callback threw: 500, and the connection ends

  const Responder &handler_;
  HttpLimits limits_;
  Connection state_ = Connection::open;
  std::unique_ptr<AnswerNote> note_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<detail::RequestReader> reader_;
  // Destroyed before reader_: an answer cut short tells the observers of its request.
  std::unique_ptr<detail::AnswerQueue> queue_;
};

// The HTTP reason phrase for a status code ("Unknown" for codes without one).
std::string_view reason_phrase(int status);

} // namespace inspekt::mock
