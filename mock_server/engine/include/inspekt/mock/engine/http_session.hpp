#pragma once
// One HTTP/1.1 connection without its socket: bytes in, answers out. The event-loop
// transport (event_loop_transport.cpp) owns the socket and feeds this; tests and the fuzzer feed
// it directly. Requests are framed by http-parser (Debian's libhttp-parser: request
// line, headers, Content-Length and chunked bodies, the checks against request
// smuggling) and answered by a Responder in order, one answer per request, so
// pipelined requests work. Each answer, once delivered, goes to the observers.

#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/engine/responder.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  std::string &output() { return output_; }
  // Once output() is written, the connection is over.
  bool finished() const { return finished_; }
  // No part of a request has arrived since the last answer (or since the start).
  bool idle() const;
  // Parsing waits for output() to shrink, or for a timed answer to leave.
  bool paused() const { return paused_; }
  // An answer is still due at wake_time(): the connection is busy, not idle.
  bool waiting() const { return !timed_.empty(); }
  // Once finished() and output() is written, end the connection with a TCP reset (the
  // CONNECTION_RESET_BY_PEER fault), not a close.
  bool reset_requested() const { return reset_requested_; }
  std::size_t requests_answered() const { return answered_; }

private:
  struct Parser;
  friend struct Parser;

  void parse(std::string_view data);
  void start_request();
  int url(const char *at, std::size_t length);
  void commit_header();
  // RFC 9112's rules on a head that http-parser does not enforce (see http_session.cpp).
  void head_piece(const char *at, std::size_t length);
  bool look_at_head(const char *from, const char *to);
  void refuse_head(int status);
  const char *check_chunk_framing(const char *from, const char *to);
  int headers_complete();
  int body(std::string_view chunk);
  int message_complete();
  // `noted`: the responder ran and filled note_.
  void answer(HttpResponse response, bool head_only, bool noted);
  // The status line, headers and (unless head_only) body of an answer, appended to `out`.
  void render(const HttpResponse &response, bool head_only, std::string &out) const;
  // An answer with a delay or a fault: its bytes, and how the connection goes on, timed.
  void hold(const HttpResponse &response, bool head_only);
  void defer(std::shared_ptr<DeferredAnswer> deferred, bool head_only);
  // Moves the timed bytes that are due by `now` to output().
  void release(std::chrono::steady_clock::time_point now);
  void refuse(int status);
  void fail(const std::string &what); // a callback threw: 500, and the connection ends
  bool head_request() const;          // the request being answered is a HEAD
  // What the observers hear of the answer now leaving: begun when it is given, told
  // once its last byte is in output() or its fault is done.
  void begin_delivery(const HttpResponse &response, bool noted);
  // `now`: when the last byte went to output() (the time advance() was given).
  void end_delivery(std::chrono::steady_clock::time_point now);
  void note_event(std::string_view event, std::string_view detail) const;

  const Responder &handler_;
  HttpLimits limits_;
  std::vector<DeliveryObserver *> observers_;
  std::unique_ptr<AnswerNote> note_;
  std::string remote_;
  std::unique_ptr<Parser> parser_;

  std::string output_;
  std::string unparsed_; // received while paused
  bool finished_ = false;
  bool paused_ = false;
  bool close_requested_ = false;
  bool reset_requested_ = false;
  // Bytes due later (delays, faults, a slow body), in order, and what happens after
  // the last of them: the connection goes on, closes, or is reset.
  struct Timed {
    Timed(std::chrono::steady_clock::time_point at, std::string piece)
        : due(at), bytes(std::move(piece)) {}
    Timed(std::chrono::steady_clock::time_point at, HttpResponse whole, bool head)
        : due(at), answer(std::move(whole)), head_only(head) {}
    std::chrono::steady_clock::time_point due;
    std::string bytes;
    std::optional<HttpResponse> answer; // a whole delayed answer, rendered when it leaves
    bool head_only = false;
    // An answer another thread gives (HttpResponse::deferred), rendered when given.
    std::shared_ptr<DeferredAnswer> deferred;
  };
  // The answer whose bytes are leaving, as the observers will hear of it.
  struct Sending {
    bool active = false;
    bool current = false;      // it answers the request being read (request_, target_)
    bool noted = false;        // the responder filled note_
    std::optional<int> status; // the status its head carries, when it has a head
    std::optional<Fault> fault;
    std::size_t bytes = 0;
    std::optional<std::chrono::steady_clock::time_point> started;
  };
  Sending sending_;
  enum class Ending { keep_alive, close, reset };
  std::deque<Timed> timed_;
  Ending ending_ = Ending::keep_alive;
  bool input_ended_ = false;         // the client closed its side while parsing paused
  std::optional<std::string> fault_; // what a callback threw
  bool in_request_ = false;
  std::size_t answered_ = 0;

  // The request being read.
  HttpRequest request_;
  std::string target_;
  std::string header_field_;
  std::string header_value_;
  bool reading_value_ = false;
  bool headers_done_ = false; // later header callbacks are trailers
  bool expects_continue_ = false;
  bool target_too_long_ = false;
  // The bytes between the parser's callbacks in a head, looked at for what RFC 9112
  // forbids: head_cursor_ is the first of the current input not yet looked at (null
  // before the request's target), after_line_feed_ whether the last byte ended a line.
  bool scanning_head_ = false;
  const char *head_cursor_ = nullptr;
  bool after_line_feed_ = false;
  bool after_carriage_return_ = false; // the last byte looked at was a CR
  const char *body_start_ = nullptr;   // just past the head's empty line, once seen
  int hosts_ = 0;
  bool chunked_seen_ = false;
  int head_refusal_ = 0; // the status a head RFC 9112 forbids gets; 0 for none
  // A chunked body's framing (RFC 9112 section 7.1), checked ahead of http-parser, which
  // takes any byte after a CR for its LF: where in the framing the next byte is, and
  // what is left of the chunk's data.
  enum class ChunkStep : std::uint8_t {
    off, // no chunked body being read
    size,
    extension,
    size_line_feed,
    data,
    data_carriage_return,
    data_line_feed,
    trailer_line_start,
    trailer_line,
    trailer_line_feed,
    end_line_feed,
  };
  ChunkStep chunk_step_ = ChunkStep::off;
  bool body_check_pending_ = false; // parse() checks from body_start_ on before parsing on
  std::uint64_t chunk_left_ = 0;
  std::size_t dropped_body_bytes_ = 0;
  std::uint64_t streamed_body_bytes_ = 0; // given to request_.body_sink so far
  std::chrono::steady_clock::time_point started_;
};

// The HTTP reason phrase for a status code ("Unknown" for codes without one).
std::string_view reason_phrase(int status);

} // namespace inspekt::mock
