#pragma once
// The reading half of HttpSession (docs/architecture.md, "One connection: HttpSession"): bytes in,
// requests out. http-parser (Debian's libhttp-parser, built non-strict) frames requests:
// request line, headers, Content-Length and chunked bodies, the checks against request
// smuggling. The reader adds what RFC 9112 asks of a head and of a chunked body's
// framing that http-parser lets through, the limits (413, 414, 431), Expect:
// 100-continue, and streaming a body to the responder's BodySink. Each request read
// whole, and each refusal, goes to the session (ReadEvents), which answers it.

#include "inspekt/mock/engine/http_session.hpp"
#include "inspekt/mock/engine/responder.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace inspekt::mock::detail {

// What the reader hands on while it reads; HttpSession answers. Each is called from
// within RequestReader::receive() or resume().
class ReadEvents {
public:
  virtual ~ReadEvents() = default;
  // The client awaits a 100 Continue before it sends the body.
  virtual void continue_expected() = 0;
  // The body is over its limit and is not read on: a 413 now, and the connection closes.
  virtual void body_too_large() = 0;
  // request() is read whole. `keep_alive`: the client lets the connection go on after.
  virtual void request_read(bool keep_alive, bool head_only) = 0;
  // Bytes that are no request the mock reads: a 400, 414, 431 or 501, then the close.
  virtual void refused(int status) = 0;
  // A callback threw `what` (a fault in the responder, memory running out): a 500.
  virtual void failed(const std::string &what) = 0;
  // The connection is over: nothing more is read.
  virtual bool stopped() const = 0;
};

// The path of a request target, %XX decoded, into `path`, and its query as sent into
// `query` (request_reader.cpp).
void path_of(std::string_view target, std::string &path, std::string &query);

class RequestReader {
public:
  // `timed`: note when each request begins (started()), for the observers.
  RequestReader(const Responder &responder, const HttpLimits &limits, ReadEvents &events,
                bool timed);
  ~RequestReader();
  RequestReader(const RequestReader &) = delete;
  RequestReader &operator=(const RequestReader &) = delete;

  // Reads `data`, or keeps it while paused.
  void receive(std::string_view data);
  // Reading waits (too much output, a timed answer): what arrives meanwhile is kept.
  void pause();
  // Reads on, starting with what was kept.
  void resume();
  bool paused() const { return paused_; }
  // Drops what was kept: the connection is over.
  void discard_input() { unparsed_.clear(); }

  // No byte of a request since the last answer, and none kept.
  bool idle() const { return phase_ == Phase::between_requests && unparsed_.empty(); }
  // The last request begun has not been answered yet.
  bool in_request() const { return phase_ != Phase::between_requests; }
  // The request being answered is a HEAD: only a whole head makes it one.
  bool head_request() const;
  // HTTP/1.0: an answer keeps the connection only when it says so.
  bool http_1_0() const;
  // The request being read (or last read), and its target as sent (up to the limit).
  const HttpRequest &request() const { return request_; }
  const std::string &target() const { return target_; }
  // When the request's first byte came (only when `timed`).
  std::chrono::steady_clock::time_point started() const { return started_; }
  // Hands the request to the session as answered: the next bytes begin another.
  void answered() { phase_ = Phase::between_requests; }

private:
  struct Parser;
  friend struct Parser;

  // Where the request being read is: the head (the request line and each header's
  // name; a header's value), the body, or a body over the limit being read and dropped.
  enum class Phase : std::uint8_t {
    between_requests,
    head,
    head_value, // a header's value: its line is taken at the next name or the head's end
    body,       // the head is whole; trailers after a chunked body are no headers
    draining,   // request_.body_too_large: the body is read and dropped
  };
  // A chunked body's framing (RFC 9112 section 7.1), checked ahead of http-parser, which
  // takes any byte after a CR for its LF: where in the framing the next byte is.
  enum class ChunkStep : std::uint8_t {
    off,           // no chunked body being read
    awaiting_body, // the head is read: the check starts at body_start_
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

  void parse(std::string_view data);
  // The part of `piece` http-parser may read: up to the chunked body's first fault
  // (`framing_fault` then true).
  std::string_view framed_piece(std::string_view piece, bool &framing_fault);
  // The status for http-parser's error `error` (an http_errno).
  int refusal_status(int error) const;
  void start_request();
  int url(const char *at, std::size_t length);
  void header_field(const char *at, std::size_t length);
  void header_value(const char *at, std::size_t length);
  void commit_header();
  void transfer_codings(std::string_view codings);
  // RFC 9112's rules on a head that http-parser does not enforce (request_reader.cpp).
  bool scanning_head() const;
  void head_piece(const char *at, std::size_t length);
  bool look_at_head(const char *from, const char *to);
  void refuse_head(int status);
  const char *check_chunk_framing(const char *from, const char *to);
  const char *check_chunk_trailer(const char *p);
  int headers_complete();
  // The body's limit against what Content-Length announces; -1: refused at once.
  int check_announced_body();
  int body(std::string_view chunk);
  int message_complete();

  const Responder &responder_;
  HttpLimits limits_;
  ReadEvents &events_;
  bool timed_;
  std::unique_ptr<Parser> parser_;
  bool paused_ = false;
  std::string unparsed_;             // received while paused
  std::optional<std::string> fault_; // what a callback threw

  Phase phase_ = Phase::between_requests;
  HttpRequest request_;
  std::string target_;
  std::string header_field_;
  std::string header_value_;
  // The bytes between the parser's callbacks in a head, looked at for what RFC 9112
  // forbids: head_cursor_ is the first of the current input not yet looked at (null
  // before the request's target), after_line_feed_ whether the last byte ended a line.
  const char *head_cursor_ = nullptr;
  bool after_line_feed_ = false;
  bool after_carriage_return_ = false; // the last byte looked at was a CR
  const char *body_start_ = nullptr;   // just past the head's empty line, once seen
  int hosts_ = 0;
  bool chunked_seen_ = false;
  bool expects_continue_ = false; // an Expect: 100-continue field
  int head_refusal_ = 0;          // the status a head RFC 9112 forbids gets; 0 for none
  ChunkStep chunk_step_ = ChunkStep::off;
  std::uint64_t chunk_left_ = 0; // of the chunk's data
  std::size_t dropped_body_bytes_ = 0;
  std::uint64_t streamed_body_bytes_ = 0; // given to request_.body_sink so far
  std::chrono::steady_clock::time_point started_;
};

} // namespace inspekt::mock::detail
