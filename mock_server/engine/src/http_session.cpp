#include "inspekt/mock/engine/http_session.hpp"

#include "inspekt/core/exchange.hpp"
#include "inspekt/core/text.hpp"

#include <nlohmann/json.hpp>

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <mutex>

namespace inspekt::mock {
namespace {

// The path of a request target, %XX decoded ("/api/%61uthenticate" is the endpoint, as
// for any server that routes on decoded paths), into `path`, and its query as sent into
// `query` (both keep their buffers from the request before). The fragment is dropped;
// an absolute-form target ("http://host/api/authenticate") gives its path.
void path_of(std::string_view target, std::string &path, std::string &query) {
  if (!target.empty() && target.front() != '/') {
    http_parser_url url;
    http_parser_url_init(&url);
    if (http_parser_parse_url(target.data(), target.size(), 0, &url) == 0 &&
        (url.field_set & (1 << UF_SCHEMA)) != 0) {
      target = (url.field_set & (1 << UF_PATH)) != 0
                   ? target.substr(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len)
                   : std::string_view("/");
    }
  }
  target = target.substr(0, target.find('#'));
  query.clear();
  if (const auto mark = target.find('?'); mark != std::string_view::npos) {
    query.assign(target.substr(mark + 1));
    target = target.substr(0, mark);
  }
  path.clear();
  for (std::size_t i = 0; i < target.size();) {
    const std::size_t percent = std::min(target.find('%', i), target.size());
    path.append(target.substr(i, percent - i)); // the plain run, in one piece
    i = percent;
    if (i == target.size()) {
      break;
    }
    if (i + 2 < target.size() && inspekt::hex_digit_value(target[i + 1]) >= 0 &&
        inspekt::hex_digit_value(target[i + 2]) >= 0) {
      path += static_cast<char>(inspekt::hex_digit_value(target[i + 1]) * 16 +
                                inspekt::hex_digit_value(target[i + 2]));
      i += 3;
    } else {
      path += '%';
      ++i;
    }
  }
}

// The status a faulted answer's bytes carry in their head; none when the fault sends no
// head at all.
std::optional<int> head_status(const HttpResponse &response) {
  if (!response.fault) {
    return response.status;
  }
  switch (*response.fault) {
  case Fault::connection_reset_by_peer:
  case Fault::empty_response:
  case Fault::random_data_then_close:
    return std::nullopt;
  case Fault::malformed_response_chunk:
    return 200;
  case Fault::slow_body:
  case Fault::truncated_body:
    break;
  }
  return response.status;
}

// Buffers up to this size are kept from one request to the next.
constexpr std::size_t reused_buffer_bytes = 4096;

void append_number(std::string &out, std::size_t value) {
  char digits[24];
  char *end = digits + sizeof digits;
  char *p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(p, static_cast<std::size_t>(end - p));
}

} // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 301:
    return "Moved Permanently";
  case 302:
    return "Found";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Content Too Large";
  case 414:
    return "URI Too Long";
  case 415:
    return "Unsupported Media Type";
  case 422:
    return "Unprocessable Content";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 501:
    return "Not Implemented";
  case 504:
    return "Gateway Timeout";
  default:
    return "Unknown";
  }
}

// http-parser calls back with `data` pointing at the session.
struct HttpSession::Parser {
  http_parser state{};
  const char *end = nullptr; // the end of the bytes given to the running http_parser_execute

  static HttpSession &session(http_parser *p) { return *static_cast<HttpSession *>(p->data); }

  // Every callback runs through this: an exception (a fault in the handler, or memory
  // running out) must not cross http-parser's C frames. It ends the connection with a
  // 500 instead (HttpSession::parse).
  template <class Callback> static int guarded(http_parser *p, Callback &&callback) {
    try {
      return callback(session(p));
    } catch (const std::exception &e) {
      session(p).fault_ = e.what();
      return -1;
    }
  }

  static const http_parser_settings &settings() {
    static const http_parser_settings callbacks = [] {
      http_parser_settings s{};
      http_parser_settings_init(&s);
      s.on_message_begin = [](http_parser *p) {
        return guarded(p, [](HttpSession &self) {
          self.start_request();
          return 0;
        });
      };
      s.on_url = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](HttpSession &self) { return self.url(at, length); });
      };
      s.on_header_field = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](HttpSession &self) {
          if (self.headers_done_) {
            return 0; // a trailer after a chunked body: not a request header
          }
          if (self.reading_value_) {
            self.commit_header();
          }
          self.head_piece(at, length);
          self.header_field_.append(at, length);
          return 0;
        });
      };
      s.on_header_value = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](HttpSession &self) {
          if (!self.headers_done_) {
            self.head_piece(at, length);
            self.reading_value_ = true;
            self.header_value_.append(at, length);
          }
          return 0;
        });
      };
      s.on_headers_complete = [](http_parser *p) {
        return guarded(p, [](HttpSession &self) { return self.headers_complete(); });
      };
      s.on_body = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p,
                       [&](HttpSession &self) { return self.body(std::string_view(at, length)); });
      };
      s.on_message_complete = [](http_parser *p) {
        return guarded(p, [](HttpSession &self) { return self.message_complete(); });
      };
      return s;
    }();
    return callbacks;
  }
};

int HttpSession::url(const char *at, std::size_t length) {
  const std::size_t limit = limits_.max_target_bytes;
  head_piece(at, length);
  if (target_.size() <= limit) { // one byte over the limit is enough to know
    target_.append(at, std::min(length, limit + 1 - target_.size()));
  }
  // A piece that ends with the received bytes is not the whole target: judge the
  // length once the target's end is seen, as when it arrives in one piece, so that a
  // target that turns out invalid further on is a 400 however the bytes arrived.
  if (at + length != parser_->end && target_.size() > limit) {
    target_too_long_ = true;
    return 1;
  }
  return 0;
}

HttpSession::HttpSession(const Responder &handler, const HttpLimits &limits,
                         DeliveryObserver *observer, std::string remote)
    : handler_(handler), limits_(limits), note_(handler.make_note()), remote_(std::move(remote)),
      parser_(std::make_unique<Parser>()) {
  for (DeliveryObserver *each : {observer, handler.observer()}) {
    if (each != nullptr && each->enabled()) {
      observers_.push_back(each);
    }
  }
  static std::once_flag head_limit;
  std::call_once(head_limit, [] {
    http_parser_set_max_header_size(static_cast<uint32_t>(max_request_head_bytes));
  });
  http_parser_init(&parser_->state, HTTP_REQUEST);
  parser_->state.data = this;
}

HttpSession::~HttpSession() {
  if (sending_.active) {
    end_delivery(std::chrono::steady_clock::now()); // cut short: they hear what went out
  }
}

bool HttpSession::idle() const {
  return !in_request_ && unparsed_.empty() && timed_.empty();
}

void HttpSession::receive(std::string_view data) {
  if (finished_ || data.empty()) {
    return;
  }
  if (paused_) {
    unparsed_.append(data);
    return;
  }
  parse(data);
}

void HttpSession::receive_end() {
  if (paused_) {
    input_ended_ = true; // what was received before the end is still answered on resume()
    return;
  }
  if (!finished_) {
    finished_ = true; // a request cut short is dropped: there is nobody to read its answer
    unparsed_.clear();
  }
}

void HttpSession::resume() {
  if (!paused_ || finished_ || waiting() || output_.size() > limits_.max_pending_output) {
    return;
  }
  paused_ = false;
  http_parser_pause(&parser_->state, 0);
  std::string rest = std::move(unparsed_);
  unparsed_.clear();
  parse(rest);
  if (input_ended_ && !paused_) {
    receive_end();
  }
}

void HttpSession::close_after_next_answer() {
  close_requested_ = true;
}

void HttpSession::parse(std::string_view data) {
  auto &state = parser_->state;
  while (!data.empty() && !finished_) {
    // http-parser adds the bytes it skims in one go (a header value) to the head size
    // (nread) only after checking them, so a bad byte past the head limit is a 400 when
    // it comes in the same call and a 431 when it comes in a later one. Calls that never
    // cross the limit give the same answer however the bytes arrive.
    const std::size_t room =
        state.nread < max_request_head_bytes ? max_request_head_bytes - state.nread : 1;
    std::string_view piece = data.substr(0, room);
    // A chunked body's framing is checked ahead of http-parser, which is then given the
    // bytes before the first fault only: what it answers on the way (a 413) comes
    // however the bytes arrive, and it never reads a frame a proxy could read otherwise.
    bool framing_fault = false;
    if (chunk_step_ != ChunkStep::off) {
      const char *const end = piece.data() + piece.size();
      const char *from = piece.data();
      if (body_check_pending_) {
        // The body starts just past the head's last byte, where http-parser paused.
        body_check_pending_ = body_start_ > end;
        from = std::max(body_start_, piece.data());
      }
      if (const char *fault = body_check_pending_ ? nullptr : check_chunk_framing(from, end)) {
        piece = piece.substr(0, static_cast<std::size_t>(fault - piece.data()));
        framing_fault = true;
        if (piece.empty()) {
          refuse(400);
          return;
        }
      }
    }
    parser_->end = piece.data() + piece.size();
    if (scanning_head_ && !target_.empty()) {
      head_cursor_ = piece.data(); // the head, past its target, goes on in these bytes
    }
    const std::size_t consumed =
        http_parser_execute(&state, &Parser::settings(), piece.data(), piece.size());
    if (head_cursor_ != nullptr) {
      look_at_head(head_cursor_, piece.data() + std::min(consumed, piece.size()));
      head_cursor_ = nullptr; // these bytes are gone; the next call sets it again
    }
    data.remove_prefix(std::min(consumed, piece.size()));
    const auto error = HTTP_PARSER_ERRNO(&state);
    if (fault_) {
      fail(*fault_);
      return;
    }
    if (finished_) {
      return; // a callback answered and ended the connection
    }
    if (error == HPE_PAUSED && body_check_pending_) {
      http_parser_pause(&state, 0); // headers_complete() stopped it: check the body first
      continue;
    }
    if (error == HPE_PAUSED) {
      unparsed_.assign(data.data(), data.size());
      return;
    }
    if (framing_fault && error == HPE_OK) {
      refuse(400);
      return;
    }
    if (error != HPE_OK) {
      refuse(target_too_long_                                         ? 414
             : error == HPE_HEADER_OVERFLOW                           ? 431
             : error == HPE_CB_headers_complete && head_refusal_ != 0 ? head_refusal_
                                                                      : 400);
      return;
    }
    if (state.upgrade != 0) {
      // The parser stops after a request asking to switch protocols (Java's h2c, or
      // CONNECT). The mock does not switch: the next bytes are another HTTP/1.1 request.
      state.upgrade = 0;
    } else if (consumed == 0) {
      return;
    }
  }
}

void HttpSession::start_request() {
  in_request_ = true;
  headers_done_ = false;
  // A fresh request, with the buffers of the one before for its path and body when they
  // are small: every field starts over, and the common request allocates nothing for
  // them, while a large body's buffer is not kept for the connection's life.
  HttpRequest fresh;
  for (auto [from, to] : {std::pair{&request_.path, &fresh.path}, {&request_.body, &fresh.body}}) {
    if (from->capacity() <= reused_buffer_bytes) {
      *to = std::move(*from);
      to->clear();
    }
  }
  request_ = std::move(fresh);
  target_.clear();
  header_field_.clear();
  header_value_.clear();
  reading_value_ = false;
  expects_continue_ = false;
  target_too_long_ = false;
  scanning_head_ = true;
  head_cursor_ = nullptr;
  after_line_feed_ = false;
  after_carriage_return_ = false;
  body_start_ = nullptr;
  body_check_pending_ = false;
  chunk_step_ = ChunkStep::off;
  chunk_left_ = 0;
  hosts_ = 0;
  chunked_seen_ = false;
  head_refusal_ = 0;
  dropped_body_bytes_ = 0;
  streamed_body_bytes_ = 0;
  if (!observers_.empty()) {
    started_ = std::chrono::steady_clock::now();
  }
}

// http-parser (built without HTTP_PARSER_STRICT, as Debian ships it) reads a space
// before the colon into the field name, unfolds obs-fold lines into the value and reads
// "gzip, chunked" as plain chunked; RFC 9112 wants all three refused, nginx refuses them,
// and a server and a proxy in front of it that read one head two ways is how requests
// are smuggled. So the session looks at the bytes the parser skips between its
// callbacks (the separators: colons, whitespace, line ends) for a line that starts
// with whitespace, at field names for a space, and at Transfer-Encoding's codings.
void HttpSession::head_piece(const char *at, std::size_t length) {
  if (!scanning_head_) {
    return;
  }
  if (head_cursor_ != nullptr) {
    look_at_head(head_cursor_, at);
  }
  if (length > 0) {
    if (after_line_feed_ && (at[0] == ' ' || at[0] == '\t')) {
      refuse_head(400); // RFC 9112 section 5.2: obs-fold outside message/http
    }
    if (after_carriage_return_) {
      refuse_head(400); // RFC 9112 section 2.2: a bare CR (no callback's bytes start with LF)
    }
    after_line_feed_ = false;
    after_carriage_return_ = false;
  }
  head_cursor_ = at + length;
}

// Looks at head bytes in [from, to) that no callback gave: true at the empty line that
// ends the head (after which nothing is looked at).
bool HttpSession::look_at_head(const char *from, const char *to) {
  for (const char *p = from; p < to && scanning_head_; ++p) {
    if (after_carriage_return_ && *p != '\n') {
      // RFC 9112 section 2.2: a bare CR is invalid. http-parser takes the byte after a CR
      // for its LF after an empty value and at the end of the head: that byte vanishes.
      refuse_head(400);
    }
    after_carriage_return_ = *p == '\r';
    if (after_line_feed_ && (*p == ' ' || *p == '\t')) {
      // A line starting with whitespace: obs-fold (RFC 9112 section 5.2), or a first
      // header line after the request line that starts so (section 2.2).
      refuse_head(400);
    } else if (*p == '\n') {
      if (after_line_feed_) {
        scanning_head_ = false; // the empty line: the body, if any, follows
        body_start_ = p + 1;
        return true;
      }
      after_line_feed_ = true;
    } else if (*p != '\r') {
      after_line_feed_ = false;
    }
  }
  return false;
}

void HttpSession::refuse_head(int status) {
  if (head_refusal_ == 0 || status == 400) {
    head_refusal_ = status; // a 400 (a head that is no valid message) outranks a 501
  }
}

// Follows a chunked body's framing over [from, to), the body's bytes not looked at yet;
// the first byte that breaks it, else null: a CR without its LF (RFC 9112 section 2.2) or
// a chunk's data not followed by CRLF (section 7.1), where http-parser reads on, framing
// the stream as a proxy in front may not. It stops (ChunkStep::off) at the end of the
// trailer section: the bytes after it are the next request's. What it lets through and
// http-parser does not (a bad chunk size) http-parser refuses.
const char *HttpSession::check_chunk_framing(const char *from, const char *to) {
  for (const char *p = from; p < to && chunk_step_ != ChunkStep::off; ++p) {
    const char c = *p;
    switch (chunk_step_) {
    case ChunkStep::off:
      break;
    case ChunkStep::size:
      if (c == '\r') {
        chunk_step_ = ChunkStep::size_line_feed;
      } else if (c == ';' || c == ' ' || c == '\t') {
        request_.chunk_extensions = request_.chunk_extensions || c == ';';
        chunk_step_ = ChunkStep::extension;
      } else if (const int digit = hex_digit_value(c); digit >= 0) {
        // http-parser refuses a size over 2^64: saturating here changes no answer.
        chunk_left_ = chunk_left_ > (UINT64_MAX >> 4)
                          ? UINT64_MAX
                          : chunk_left_ << 4 | static_cast<std::uint64_t>(digit);
      } else {
        return p;
      }
      break;
    case ChunkStep::extension: // http-parser skips everything up to the CR
      if (c == '\r') {
        chunk_step_ = ChunkStep::size_line_feed;
      }
      break;
    case ChunkStep::size_line_feed:
      if (c != '\n') {
        return p;
      }
      chunk_step_ = chunk_left_ == 0 ? ChunkStep::trailer_line_start : ChunkStep::data;
      break;
    case ChunkStep::data: {
      const auto skip = std::min<std::uint64_t>(chunk_left_, static_cast<std::uint64_t>(to - p));
      chunk_left_ -= skip;
      p += skip - 1; // skip is at least 1: a chunk with data left has a size over 0
      if (chunk_left_ == 0) {
        chunk_step_ = ChunkStep::data_carriage_return;
      }
      break;
    }
    case ChunkStep::data_carriage_return:
      if (c != '\r') {
        return p;
      }
      chunk_step_ = ChunkStep::data_line_feed;
      break;
    case ChunkStep::data_line_feed:
      if (c != '\n') {
        return p;
      }
      chunk_step_ = ChunkStep::size;
      break;
    case ChunkStep::trailer_line_start: // http-parser reads trailers as header lines
      chunk_step_ = c == '\r'   ? ChunkStep::end_line_feed
                    : c == '\n' ? ChunkStep::off
                                : ChunkStep::trailer_line;
      request_.chunk_extensions =
          request_.chunk_extensions || chunk_step_ == ChunkStep::trailer_line;
      break;
    case ChunkStep::trailer_line:
      if (c == '\r') {
        chunk_step_ = ChunkStep::trailer_line_feed;
      } else if (c == '\n') {
        chunk_step_ = ChunkStep::trailer_line_start;
      }
      break;
    case ChunkStep::trailer_line_feed:
      if (c != '\n') {
        return p;
      }
      chunk_step_ = ChunkStep::trailer_line_start;
      break;
    case ChunkStep::end_line_feed:
      if (c != '\n') {
        return p;
      }
      chunk_step_ = ChunkStep::off;
      break;
    }
  }
  return nullptr;
}

void HttpSession::commit_header() {
  if (header_field_.find(' ') != std::string::npos) {
    // RFC 9112 section 5.1: "No whitespace is allowed between the field name and colon
    // ... A server MUST reject, with a response status code of 400".
    refuse_head(400);
  }
  if (equals_ignoring_case(header_field_, "host")) {
    ++hosts_;
    request_.host = header_value_;
  } else if (equals_ignoring_case(header_field_, "transfer-encoding")) {
    // RFC 9112 section 6.1: a server that receives a transfer coding it does not
    // understand SHOULD answer 501; chunked, once, is the only one the mock reads.
    std::string_view codings = header_value_;
    while (!codings.empty()) {
      const std::size_t comma = std::min(codings.find(','), codings.size());
      std::string_view coding = codings.substr(0, comma);
      codings.remove_prefix(std::min(comma + 1, codings.size()));
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
        coding.remove_prefix(1);
      }
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
        coding.remove_suffix(1);
      }
      if (coding.empty()) {
        continue; // an empty list element, which RFC 9110 section 5.6.1 lets through
      }
      if (!equals_ignoring_case(coding, "chunked") || chunked_seen_) {
        refuse_head(501);
      }
      chunked_seen_ = chunked_seen_ || equals_ignoring_case(coding, "chunked");
    }
  }
  if (equals_ignoring_case(header_field_, "content-type")) {
    if (!request_.content_type) {
      request_.content_type = header_value_;
    }
  } else if (equals_ignoring_case(header_field_, "prefer")) {
    request_.prefer = request_.prefer ? *request_.prefer + ", " + header_value_ : header_value_;
  } else if (equals_ignoring_case(header_field_, "authorization")) {
    request_.authorization = header_value_;
  } else if (equals_ignoring_case(header_field_, "origin")) {
    request_.origin = header_value_;
  } else if (equals_ignoring_case(header_field_, "expect")) {
    expects_continue_ = equals_ignoring_case(header_value_, "100-continue");
  }
  header_field_.clear();
  header_value_.clear();
  reading_value_ = false;
}

int HttpSession::headers_complete() {
  if (reading_value_) {
    commit_header();
  }
  headers_done_ = true;
  const auto &state = parser_->state;
  request_.method = http_method_str(static_cast<http_method>(state.method));
  path_of(target_, request_.path, request_.query);
  if (head_cursor_ != nullptr) {
    look_at_head(head_cursor_, parser_->end); // up to the empty line, whitespace lines too
  }
  scanning_head_ = false;
  head_cursor_ = nullptr;
  // RFC 9112 section 3.2: "A server MUST respond with a 400 (Bad Request) status code to
  // any HTTP/1.1 request message that lacks a Host header field and to any request
  // message that contains more than one Host header field line". HTTP/1.0 had no Host.
  const bool since_1_1 = state.http_major > 1 || (state.http_major == 1 && state.http_minor >= 1);
  if (hosts_ > 1 || (hosts_ == 0 && since_1_1)) {
    refuse_head(400);
  }
  // RFC 9112 section 6.1: "A server or client that receives an HTTP/1.0 message
  // containing a Transfer-Encoding header field MUST treat the message as if the framing
  // is faulty ... and close the connection" (any other coding than chunked is refused
  // above).
  if (!since_1_1 && chunked_seen_) {
    refuse_head(400);
  }
  request_.chunked = (state.flags & F_CHUNKED) != 0;
  request_.expected_continue = expects_continue_ && state.http_minor >= 1;
  if (head_refusal_ == 0 && (state.flags & F_CHUNKED) != 0 && state.method != HTTP_CONNECT) {
    if (body_start_ == nullptr) {
      refuse_head(400); // unreachable: http-parser ends a head with an LF, which was seen
    } else {
      // parse() checks the body's framing from body_start_ before http-parser goes on.
      chunk_step_ = ChunkStep::size;
      body_check_pending_ = true;
      http_parser_pause(&parser_->state, 1);
    }
  }
  if (head_refusal_ != 0) {
    return -1; // parse() refuses with head_refusal_
  }
  request_.body_sink = handler_.open_body(request_);
  const std::uint64_t body_limit =
      request_.body_sink ? request_.body_sink->max_bytes() : limits_.max_body_bytes;
  const bool announced = (state.flags & F_CHUNKED) == 0 && state.content_length != ULLONG_MAX;
  if (announced && state.content_length > body_limit) {
    request_.body_too_large = true;
    // Expect means nothing in HTTP/1.0 (RFC 9110 section 10.1.1).
    const bool awaits_continue = expects_continue_ && state.http_minor >= 1;
    if (awaits_continue || state.content_length > limits_.max_drained_body_bytes) {
      // Reading megabytes to keep one connection is not worth it: answer now and close.
      close_requested_ = true;
      answer(handler_.refuse(Refusal::payload_too_large), head_request(), false);
      return -1;
    }
  } else if (expects_continue_ && state.http_minor >= 1) {
    output_ += "HTTP/1.1 100 Continue\r\n\r\n";
  }
  return 0;
}

int HttpSession::body(std::string_view chunk) {
  if (request_.body_sink && !request_.body_too_large) {
    // A streamed body: each piece goes to the sink and is not kept. Past its limit the
    // 413 goes out at once and the connection closes: draining megabytes to keep one
    // connection is not worth it.
    streamed_body_bytes_ += chunk.size();
    if (streamed_body_bytes_ > request_.body_sink->max_bytes()) {
      request_.body_too_large = true;
      close_requested_ = true;
      answer(handler_.refuse(Refusal::payload_too_large), head_request(), false);
      return -1;
    }
    request_.body_sink->write(chunk);
    return 0;
  }
  if (!request_.body_too_large && request_.body.size() + chunk.size() <= limits_.max_body_bytes) {
    request_.body.append(chunk);
    return 0;
  }
  if (!request_.body_too_large) {
    request_.body_too_large = true;
    dropped_body_bytes_ = request_.body.size();
    request_.body.clear();
    request_.body.shrink_to_fit();
  }
  dropped_body_bytes_ += chunk.size();
  if (dropped_body_bytes_ > limits_.max_drained_body_bytes) {
    close_requested_ = true;
    answer(handler_.refuse(Refusal::payload_too_large), head_request(), false);
    return -1;
  }
  return 0;
}

int HttpSession::message_complete() {
  auto &state = parser_->state;
  const bool head_only = state.method == HTTP_HEAD;
  if (state.method == HTTP_CONNECT || !http_should_keep_alive(&state) ||
      answered_ + 1 >= limits_.keep_alive_max_requests) {
    close_requested_ = true;
  }
  answer(handler_.answer(request_, note_.get()), head_only, note_ != nullptr);
  if (finished_) {
    return -1;
  }
  if (output_.size() > limits_.max_pending_output) {
    paused_ = true;
    http_parser_pause(&state, 1);
  }
  return 0;
}

void HttpSession::answer(HttpResponse response, bool head_only, bool noted) {
  begin_delivery(response, noted);
  if (response.deferred) {
    defer(std::move(response.deferred), head_only); // told when it leaves
  } else if (response.fault || response.delay.count() > 0) {
    hold(response, head_only); // told when its last piece leaves, or its fault is done
  } else {
    const std::size_t before = output_.size();
    render(response, head_only, output_);
    sending_.bytes = output_.size() - before;
    end_delivery(std::chrono::steady_clock::now());
  }
  ++answered_;
  in_request_ = false;
  if (close_requested_ && timed_.empty()) {
    finished_ = true;
    unparsed_.clear();
  }
}

void HttpSession::render(const HttpResponse &response, bool head_only, std::string &out) const {
  out.reserve(out.size() + response.body.size() + 256);
  out += "HTTP/1.1 ";
  append_number(out, static_cast<std::size_t>(response.status));
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto &[name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  append_number(out, response.body.size());
  if (close_requested_) {
    out += "\r\nConnection: close\r\n\r\n";
  } else if (parser_->state.http_minor == 0) {
    // An HTTP/1.0 client keeps the connection only when the answer says so.
    out += "\r\nConnection: keep-alive\r\n\r\n";
  } else {
    out += "\r\n\r\n";
  }
  if (!head_only) {
    out += response.body;
  }
}

void HttpSession::defer(std::shared_ptr<DeferredAnswer> deferred, bool head_only) {
  const auto now = std::chrono::steady_clock::now();
  ending_ = close_requested_ ? Ending::close : Ending::keep_alive;
  Timed waiting(now, std::string());
  waiting.deferred = std::move(deferred);
  waiting.head_only = head_only;
  timed_.push_back(std::move(waiting));
  release(now); // given already: it goes now
  if (!timed_.empty()) {
    paused_ = true; // later pipelined requests wait for it, as behind a delay
    http_parser_pause(&parser_->state, 1);
  }
}

void HttpSession::hold(const HttpResponse &response, bool head_only) {
  const auto now = std::chrono::steady_clock::now();
  const auto due = now + response.delay;
  ending_ = close_requested_ ? Ending::close : Ending::keep_alive;
  if (!response.fault) {
    // Rendered when it leaves: a stop meanwhile makes it say "Connection: close".
    timed_.push_back({due, response, head_only});
  } else {
    std::string whole;
    render(response, head_only, whole);
    const std::size_t head_size = whole.size() - (head_only ? 0 : response.body.size());
    // What each fault does on the wire (docs/architecture.md, "Faults"). Over HTTPS the
    // bytes go inside the TLS stream; the reset is at the TCP level.
    switch (*response.fault) {
    case Fault::connection_reset_by_peer:
      timed_.push_back({due, ""});
      ending_ = Ending::reset;
      break;
    case Fault::empty_response:
      timed_.push_back({due, ""});
      ending_ = Ending::close;
      break;
    case Fault::malformed_response_chunk: {
      // A 200 head announcing chunks, one good chunk, then a chunk-size line that is
      // not hexadecimal, and the connection closes.
      std::string bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
      const std::string piece = response.body.substr(0, response.body.size() / 2);
      if (!piece.empty()) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string size;
        for (std::size_t n = piece.size(); n != 0; n /= 16) {
          size.insert(size.begin(), hex[n % 16]);
        }
        bytes += size + "\r\n" + piece + "\r\n";
      }
      bytes += "zz-not-a-chunk-size\r\n";
      timed_.push_back({due, std::move(bytes)});
      ending_ = Ending::close;
      break;
    }
    case Fault::random_data_then_close: {
      // Bytes that are no HTTP answer (never starting "HTTP/"), the same for the same
      // position on the connection.
      std::string bytes(256, '\0');
      std::uint32_t state = 0x9e3779b9U ^ static_cast<std::uint32_t>(answered_ + 1);
      for (auto &byte : bytes) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        byte = static_cast<char>(state & 0xff);
      }
      bytes[0] = '\x80';
      timed_.push_back({due, std::move(bytes)});
      ending_ = Ending::close;
      break;
    }
    case Fault::slow_body: {
      // The head at once (after no delay), then the body in up to 10 pieces spread
      // evenly over the delay; the connection goes on as usual afterwards.
      timed_.push_back({now, whole.substr(0, head_size)});
      const std::string_view body = std::string_view(whole).substr(head_size);
      const std::size_t pieces = std::min<std::size_t>(10, body.size());
      for (std::size_t i = 0; i < pieces; ++i) {
        const std::size_t from = body.size() * i / pieces;
        const std::size_t to = body.size() * (i + 1) / pieces;
        const auto at = now + response.delay * static_cast<long>(i + 1) / static_cast<long>(pieces);
        timed_.push_back({at, std::string(body.substr(from, to - from))});
      }
      break;
    }
    case Fault::truncated_body:
      // Content-Length promises the whole body; half of it comes, then the close.
      timed_.push_back({due, whole.substr(0, head_size + (whole.size() - head_size) / 2)});
      ending_ = Ending::close;
      break;
    }
  }
  release(now); // what is due at once (a slow body's head, a reset without delay) goes now
  if (!timed_.empty()) {
    // Nothing more is parsed until the timed bytes are out: later pipelined requests
    // wait their turn, and their answers keep their order.
    paused_ = true;
    http_parser_pause(&parser_->state, 1);
  } else if (ending_ != Ending::keep_alive) {
    close_requested_ = true; // answer() ends the session
    reset_requested_ = ending_ == Ending::reset;
  }
}

void HttpSession::release(std::chrono::steady_clock::time_point now) {
  if (timed_.empty()) {
    return;
  }
  const std::size_t before = output_.size();
  while (!timed_.empty() && timed_.front().due <= now) {
    Timed &next = timed_.front();
    if (next.deferred) {
      const std::optional<HttpResponse> given = next.deferred->take();
      if (!given) {
        next.due = now + deferred_poll_interval; // not yet: look again
        break;
      }
      sending_.status = given->status;
      render(*given, next.head_only, output_);
    } else if (next.answer) {
      render(*next.answer, next.head_only, output_);
    } else {
      output_ += next.bytes;
    }
    timed_.pop_front();
  }
  sending_.bytes += output_.size() - before;
  if (timed_.empty() && sending_.active) {
    end_delivery(now); // the last byte is out, or the fault's ending follows at once
  }
}

std::optional<std::chrono::steady_clock::time_point> HttpSession::wake_time() const {
  if (timed_.empty()) {
    return std::nullopt;
  }
  return timed_.front().due;
}

void HttpSession::advance(std::chrono::steady_clock::time_point now) {
  if (timed_.empty() || finished_) {
    return;
  }
  release(now);
  if (!timed_.empty()) {
    return;
  }
  if (ending_ == Ending::keep_alive && !close_requested_) {
    resume(); // the requests that arrived meanwhile are parsed and answered now
    return;
  }
  reset_requested_ = ending_ == Ending::reset;
  finished_ = true;
  unparsed_.clear();
}

void HttpSession::refuse(int status) {
  close_requested_ = true;
  HttpResponse response;
  if (status == 400) {
    response = handler_.refuse(Refusal::invalid_request);
  } else {
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = nlohmann::json{{"message", std::string(reason_phrase(status))}}.dump();
  }
  answer(std::move(response), head_request(), false);
}

void HttpSession::fail(const std::string &what) {
  note_event("error", "request failed: " + what);
  fault_.reset();
  if (finished_) {
    return;
  }
  close_requested_ = true;
  HttpResponse response;
  response.status = 500;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = R"({"message":"Internal mock error"})";
  answer(std::move(response), head_request(), false);
}

bool HttpSession::head_request() const {
  // Only a whole request head makes it a HEAD request: http-parser sets `method` while
  // it reads the method's letters ("HE..." is HEAD so far), and whether the target was
  // seen depends on how the bytes arrived. A refusal before that closes the connection
  // anyway, so the body it carries cannot be mistaken for the next answer.
  return in_request_ && headers_done_ && parser_->state.method == HTTP_HEAD;
}

void HttpSession::begin_delivery(const HttpResponse &response, bool noted) {
  sending_.active = !observers_.empty();
  if (!sending_.active) {
    return;
  }
  sending_.current = in_request_;
  sending_.noted = noted;
  sending_.status = head_status(response);
  sending_.fault = response.deferred ? std::nullopt : response.fault;
  sending_.bytes = 0;
  sending_.started.reset();
  if (in_request_) {
    sending_.started = started_;
  }
}

void HttpSession::end_delivery(std::chrono::steady_clock::time_point now) {
  if (!sending_.active) {
    return;
  }
  sending_.active = false;
  // The request answered: the one being read, or the one whose timed answer leaves now
  // (nothing more is read meanwhile). Out of both (bytes that never began a request),
  // nothing of the request answered before belongs to this answer.
  const bool current = sending_.current;
  // A request refused before its head was whole has only its target: its path, without
  // the query (which may hold anything), as for every other request.
  std::string target_path;
  if (current && request_.path.empty() && !target_.empty()) {
    std::string query;
    path_of(target_, target_path, query);
  }
  Delivery delivery;
  delivery.request = current ? &request_ : nullptr;
  if (current) {
    delivery.method = request_.method;
    delivery.path = request_.path.empty() ? std::string_view(target_path) : request_.path;
  }
  // What went on the wire: a head only once bytes left.
  delivery.status = sending_.bytes > 0 ? sending_.status : std::nullopt;
  delivery.fault = sending_.fault;
  delivery.bytes = sending_.bytes;
  if (sending_.started) {
    delivery.duration =
        std::chrono::duration_cast<std::chrono::microseconds>(now - *sending_.started);
  }
  delivery.note = sending_.noted ? note_.get() : nullptr;
  delivery.remote = remote_;
  for (DeliveryObserver *observer : observers_) {
    observer->delivered(delivery);
  }
}

void HttpSession::note_event(std::string_view event, std::string_view detail) const {
  for (DeliveryObserver *observer : observers_) {
    observer->noted(event, detail);
  }
}

} // namespace inspekt::mock
