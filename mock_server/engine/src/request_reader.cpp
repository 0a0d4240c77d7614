#include "request_reader.hpp"

#include "inspekt/core/exchange.hpp"
#include "inspekt/core/text.hpp"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <mutex>
#include <utility>

namespace inspekt::mock::detail {
namespace {

// Buffers up to this size are kept from one request to the next.
constexpr std::size_t reused_buffer_bytes = 4096;

} // namespace

// "/api/%61uthenticate" is the endpoint, as for any server that routes on decoded paths.
// Both strings keep their buffers from the request before. The fragment is dropped; an
// absolute-form target ("http://host/api/authenticate") gives its path.
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

// http-parser calls back with `data` pointing at the reader.
struct RequestReader::Parser {
  http_parser state{};
  const char *end = nullptr; // the end of the bytes given to the running http_parser_execute

  static RequestReader &reader(http_parser *p) { return *static_cast<RequestReader *>(p->data); }

  // Every callback runs through this: an exception (a fault in the handler, or memory
  // running out) must not cross http-parser's C frames. It ends the connection with a
  // 500 instead (RequestReader::parse).
  template <class Callback> static int guarded(http_parser *p, Callback &&callback) {
    try {
      return callback(reader(p));
    } catch (const std::exception &e) {
      reader(p).fault_ = e.what();
      return -1;
    }
  }

  static const http_parser_settings &settings() {
    static const http_parser_settings callbacks = [] {
      http_parser_settings s{};
      http_parser_settings_init(&s);
      s.on_message_begin = [](http_parser *p) {
        return guarded(p, [](RequestReader &self) {
          self.start_request();
          return 0;
        });
      };
      s.on_url = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](RequestReader &self) { return self.url(at, length); });
      };
      s.on_header_field = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](RequestReader &self) {
          self.header_field(at, length);
          return 0;
        });
      };
      s.on_header_value = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(p, [&](RequestReader &self) {
          self.header_value(at, length);
          return 0;
        });
      };
      s.on_headers_complete = [](http_parser *p) {
        return guarded(p, [](RequestReader &self) { return self.headers_complete(); });
      };
      s.on_body = [](http_parser *p, const char *at, std::size_t length) {
        return guarded(
            p, [&](RequestReader &self) { return self.body(std::string_view(at, length)); });
      };
      s.on_message_complete = [](http_parser *p) {
        return guarded(p, [](RequestReader &self) { return self.message_complete(); });
      };
      return s;
    }();
    return callbacks;
  }
};

RequestReader::RequestReader(const Responder &responder, const HttpLimits &limits,
                             ReadEvents &events, bool timed)
    : responder_(responder), limits_(limits), events_(events), timed_(timed),
      parser_(std::make_unique<Parser>()) {
  static std::once_flag head_limit;
  std::call_once(head_limit, [] {
    http_parser_set_max_header_size(static_cast<uint32_t>(max_request_head_bytes));
  });
  http_parser_init(&parser_->state, HTTP_REQUEST);
  parser_->state.data = this;
}

RequestReader::~RequestReader() = default;

bool RequestReader::head_request() const {
  // http-parser sets `method` while it reads the method's letters ("HE..." is HEAD so
  // far), and whether the target was seen depends on how the bytes arrived. A refusal
  // before the head is whole closes the connection anyway, so the body it carries
  // cannot be mistaken for the next answer.
  return (phase_ == Phase::body || phase_ == Phase::draining) && parser_->state.method == HTTP_HEAD;
}

bool RequestReader::http_1_0() const {
  return parser_->state.http_minor == 0;
}

void RequestReader::receive(std::string_view data) {
  if (paused_) {
    unparsed_.append(data);
    return;
  }
  parse(data);
}

void RequestReader::pause() {
  paused_ = true;
  http_parser_pause(&parser_->state, 1);
}

void RequestReader::resume() {
  paused_ = false;
  http_parser_pause(&parser_->state, 0);
  std::string rest = std::move(unparsed_);
  unparsed_.clear();
  parse(rest);
}

void RequestReader::parse(std::string_view data) {
  auto &state = parser_->state;
  while (!data.empty() && !events_.stopped()) {
    // http-parser adds the bytes it skims in one go (a header value) to the head size
    // (nread) only after checking them, so a bad byte past the head limit is a 400 when
    // it comes in the same call and a 431 when it comes in a later one. Calls that never
    // cross the limit give the same answer however the bytes arrive.
    const std::size_t room =
        state.nread < max_request_head_bytes ? max_request_head_bytes - state.nread : 1;
    bool framing_fault = false;
    const std::string_view piece = framed_piece(data.substr(0, room), framing_fault);
    if (framing_fault && piece.empty()) {
      events_.refused(400);
      return;
    }
    parser_->end = piece.data() + piece.size();
    if (scanning_head() && !target_.empty()) {
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
      const std::string what = std::move(*fault_);
      fault_.reset();
      events_.failed(what);
      return;
    }
    if (events_.stopped()) {
      return; // a callback answered and ended the connection
    }
    if (error == HPE_PAUSED && chunk_step_ == ChunkStep::awaiting_body) {
      http_parser_pause(&state, 0); // headers_complete() stopped it: check the body first
      continue;
    }
    if (error == HPE_PAUSED) {
      unparsed_.assign(data.data(), data.size());
      return;
    }
    if (framing_fault && error == HPE_OK) {
      events_.refused(400);
      return;
    }
    if (error != HPE_OK) {
      events_.refused(refusal_status(error));
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

// A chunked body's framing is checked ahead of http-parser, which is then given the
// bytes before the first fault only: what it answers on the way (a 413) comes however
// the bytes arrive, and it never reads a frame a proxy could read otherwise.
std::string_view RequestReader::framed_piece(std::string_view piece, bool &framing_fault) {
  if (chunk_step_ == ChunkStep::off) {
    return piece;
  }
  const char *const end = piece.data() + piece.size();
  const char *from = piece.data();
  if (chunk_step_ == ChunkStep::awaiting_body) {
    // The body starts just past the head's last byte, where http-parser paused.
    if (body_start_ > end) {
      return piece;
    }
    chunk_step_ = ChunkStep::size;
    from = std::max(body_start_, piece.data());
  }
  if (const char *fault = check_chunk_framing(from, end)) {
    framing_fault = true;
    return piece.substr(0, static_cast<std::size_t>(fault - piece.data()));
  }
  return piece;
}

int RequestReader::refusal_status(int error) const {
  if (error == HPE_CB_url) {
    return 414; // url() stops at a target over the limit; a throw is a fault_ instead
  }
  if (error == HPE_HEADER_OVERFLOW) {
    return 431;
  }
  if (error == HPE_CB_headers_complete && head_refusal_ != 0) {
    return head_refusal_;
  }
  return 400;
}

void RequestReader::start_request() {
  phase_ = Phase::head;
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
  head_cursor_ = nullptr;
  after_line_feed_ = false;
  after_carriage_return_ = false;
  body_start_ = nullptr;
  chunk_step_ = ChunkStep::off;
  chunk_left_ = 0;
  hosts_ = 0;
  chunked_seen_ = false;
  expects_continue_ = false;
  head_refusal_ = 0;
  dropped_body_bytes_ = 0;
  streamed_body_bytes_ = 0;
  if (timed_) {
    started_ = std::chrono::steady_clock::now();
  }
}

int RequestReader::url(const char *at, std::size_t length) {
  const std::size_t limit = limits_.max_target_bytes;
  head_piece(at, length);
  if (target_.size() <= limit) { // one byte over the limit is enough to know
    target_.append(at, std::min(length, limit + 1 - target_.size()));
  }
  // A piece that ends with the received bytes is not the whole target: judge the
  // length once the target's end is seen, as when it arrives in one piece, so that a
  // target that turns out invalid further on is a 400 however the bytes arrived.
  if (at + length != parser_->end && target_.size() > limit) {
    return 1; // refusal_status(): 414
  }
  return 0;
}

void RequestReader::header_field(const char *at, std::size_t length) {
  if (phase_ == Phase::body || phase_ == Phase::draining) {
    return; // a trailer after a chunked body: not a request header
  }
  if (phase_ == Phase::head_value) {
    commit_header();
  }
  head_piece(at, length);
  header_field_.append(at, length);
}

void RequestReader::header_value(const char *at, std::size_t length) {
  if (phase_ == Phase::head || phase_ == Phase::head_value) {
    head_piece(at, length);
    phase_ = Phase::head_value;
    header_value_.append(at, length);
  }
}

bool RequestReader::scanning_head() const {
  // Until the head's empty line (body_start_), or its end as http-parser saw it.
  return (phase_ == Phase::head || phase_ == Phase::head_value) && body_start_ == nullptr;
}

// http-parser (built without HTTP_PARSER_STRICT, as Debian ships it) reads a space
// before the colon into the field name, unfolds obs-fold lines into the value and reads
// "gzip, chunked" as plain chunked; RFC 9112 wants all three refused, nginx refuses them,
// and a server and a proxy in front of it that read one head two ways is how requests
// are smuggled. So the reader looks at the bytes the parser skips between its
// callbacks (the separators: colons, whitespace, line ends) for a line that starts
// with whitespace, at field names for a space, and at Transfer-Encoding's codings.
void RequestReader::head_piece(const char *at, std::size_t length) {
  if (!scanning_head()) {
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
bool RequestReader::look_at_head(const char *from, const char *to) {
  for (const char *p = from; p < to && scanning_head(); ++p) {
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
        body_start_ = p + 1; // the empty line: the body, if any, follows
        return true;
      }
      after_line_feed_ = true;
    } else if (*p != '\r') {
      after_line_feed_ = false;
    }
  }
  return false;
}

void RequestReader::refuse_head(int status) {
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
const char *RequestReader::check_chunk_framing(const char *from, const char *to) {
  for (const char *p = from; p < to && chunk_step_ != ChunkStep::off; ++p) {
    const char c = *p;
    switch (chunk_step_) {
    case ChunkStep::off:
    case ChunkStep::awaiting_body:
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
    case ChunkStep::data_line_feed:
    case ChunkStep::trailer_line_start:
    case ChunkStep::trailer_line:
    case ChunkStep::trailer_line_feed:
    case ChunkStep::end_line_feed:
      if (const char *fault = check_chunk_trailer(p)) {
        return fault;
      }
      break;
    }
  }
  return nullptr;
}

// check_chunk_framing's line ends: after a chunk's data, and in the trailer section.
const char *RequestReader::check_chunk_trailer(const char *p) {
  const char c = *p;
  switch (chunk_step_) {
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
    request_.chunk_extensions = request_.chunk_extensions || chunk_step_ == ChunkStep::trailer_line;
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
  default:
    break;
  }
  return nullptr;
}

void RequestReader::commit_header() {
  if (header_field_.find(' ') != std::string::npos) {
    // RFC 9112 section 5.1: "No whitespace is allowed between the field name and colon
    // ... A server MUST reject, with a response status code of 400".
    refuse_head(400);
  }
  if (equals_ignoring_case(header_field_, "host")) {
    ++hosts_;
    request_.host = header_value_;
  } else if (equals_ignoring_case(header_field_, "transfer-encoding")) {
    transfer_codings(header_value_);
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
  phase_ = Phase::head;
}

// RFC 9112 section 6.1: a server that receives a transfer coding it does not understand
// SHOULD answer 501; chunked, once, is the only one the mock reads.
void RequestReader::transfer_codings(std::string_view codings) {
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

int RequestReader::headers_complete() {
  if (phase_ == Phase::head_value) {
    commit_header();
  }
  const auto &state = parser_->state;
  request_.method = http_method_str(static_cast<http_method>(state.method));
  path_of(target_, request_.path, request_.query);
  if (head_cursor_ != nullptr) {
    look_at_head(head_cursor_, parser_->end); // up to the empty line, whitespace lines too
  }
  phase_ = Phase::body;
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
  // Expect means nothing in HTTP/1.0 (RFC 9110 section 10.1.1).
  request_.expected_continue = expects_continue_ && state.http_minor >= 1;
  if (head_refusal_ == 0 && (state.flags & F_CHUNKED) != 0 && state.method != HTTP_CONNECT) {
    if (body_start_ == nullptr) {
      refuse_head(400); // unreachable: http-parser ends a head with an LF, which was seen
    } else {
      // parse() checks the body's framing from body_start_ before http-parser goes on.
      chunk_step_ = ChunkStep::awaiting_body;
      http_parser_pause(&parser_->state, 1);
    }
  }
  if (head_refusal_ != 0) {
    return -1; // parse() refuses with head_refusal_
  }
  request_.body_sink = responder_.open_body(request_);
  return check_announced_body();
}

int RequestReader::check_announced_body() {
  const auto &state = parser_->state;
  const std::uint64_t body_limit =
      request_.body_sink ? request_.body_sink->max_bytes() : limits_.max_body_bytes;
  const bool announced = (state.flags & F_CHUNKED) == 0 && state.content_length != ULLONG_MAX;
  if (announced && state.content_length > body_limit) {
    request_.body_too_large = true;
    phase_ = Phase::draining;
    if (request_.body_sink || request_.expected_continue ||
        state.content_length > limits_.max_drained_body_bytes) {
      // Reading megabytes to keep one connection is not worth it: answer now and close.
      // A streamed body (an upload) is never drained, whatever its limit: its 413 goes
      // out as soon as the length says it is over (docs/token-gate.md).
      events_.body_too_large();
      return -1;
    }
  } else if (request_.expected_continue) {
    events_.continue_expected();
  }
  return 0;
}

int RequestReader::body(std::string_view chunk) {
  if (request_.body_sink && phase_ != Phase::draining) {
    // A streamed body: each piece goes to the sink and is not kept. Past its limit the
    // 413 goes out at once and the connection closes: draining megabytes to keep one
    // connection is not worth it.
    streamed_body_bytes_ += chunk.size();
    if (streamed_body_bytes_ > request_.body_sink->max_bytes()) {
      request_.body_too_large = true;
      phase_ = Phase::draining;
      events_.body_too_large();
      return -1;
    }
    request_.body_sink->write(chunk);
    return 0;
  }
  if (phase_ != Phase::draining && request_.body.size() + chunk.size() <= limits_.max_body_bytes) {
    request_.body.append(chunk);
    return 0;
  }
  if (phase_ != Phase::draining) {
    request_.body_too_large = true;
    phase_ = Phase::draining;
    dropped_body_bytes_ = request_.body.size();
    request_.body.clear();
    request_.body.shrink_to_fit();
  }
  dropped_body_bytes_ += chunk.size();
  if (dropped_body_bytes_ > limits_.max_drained_body_bytes) {
    events_.body_too_large();
    return -1;
  }
  return 0;
}

int RequestReader::message_complete() {
  const auto &state = parser_->state;
  events_.request_read(state.method != HTTP_CONNECT && http_should_keep_alive(&state) != 0,
                       state.method == HTTP_HEAD);
  return events_.stopped() ? -1 : 0;
}

} // namespace inspekt::mock::detail
