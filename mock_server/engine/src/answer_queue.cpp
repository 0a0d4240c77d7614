#include "answer_queue.hpp"

#include "inspekt/mock/engine/http_session.hpp"
#include "request_reader.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace inspekt::mock::detail {
namespace {

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

// A 200 head announcing chunks, one good chunk (the first half of `body`), then a
// chunk-size line that is not hexadecimal.
std::string malformed_chunks(const std::string &body) {
  std::string bytes = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n";
  const std::string piece = body.substr(0, body.size() / 2);
  if (!piece.empty()) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string size;
    for (std::size_t n = piece.size(); n != 0; n /= 16) {
      size.insert(size.begin(), hex[n % 16]);
    }
    bytes += size + "\r\n" + piece + "\r\n";
  }
  bytes += "zz-not-a-chunk-size\r\n";
  return bytes;
}

// Bytes that are no HTTP answer (never starting "HTTP/"), the same for the same
// `position` on the connection.
std::string random_data(std::size_t position) {
  std::string bytes(256, '\0');
  std::uint32_t state = 0x9e3779b9U ^ static_cast<std::uint32_t>(position);
  for (auto &byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<char>(state & 0xff);
  }
  bytes[0] = '\x80';
  return bytes;
}

} // namespace

AnswerQueue::AnswerQueue(std::vector<DeliveryObserver *> observers, std::string remote)
    : observers_(std::move(observers)), remote_(std::move(remote)) {}

AnswerQueue::~AnswerQueue() {
  if (sending_) {
    end_delivery(std::chrono::steady_clock::now()); // cut short: they hear what went out
  }
}

void AnswerQueue::give(HttpResponse response, const Answering &answering) {
  http_1_0_ = answering.http_1_0;
  begin_delivery(response, answering);
  if (response.deferred) {
    defer(std::move(response.deferred), answering.head_only); // told when it leaves
  } else if (response.fault || response.delay.count() > 0) {
    hold(response, answering.head_only); // told when its last piece leaves, or its fault is done
  } else {
    const std::size_t before = output_.size();
    render(response, answering.head_only, output_);
    if (sending_) {
      sending_->bytes = output_.size() - before;
      end_delivery(std::chrono::steady_clock::now());
    }
  }
  ++answered_;
}

void AnswerQueue::render(const HttpResponse &response, bool head_only, std::string &out) const {
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
  if (ending_ != Ending::keep_alive) {
    out += "\r\nConnection: close\r\n\r\n";
  } else if (http_1_0_) {
    // An HTTP/1.0 client keeps the connection only when the answer says so.
    out += "\r\nConnection: keep-alive\r\n\r\n";
  } else {
    out += "\r\n\r\n";
  }
  if (!head_only) {
    out += response.body;
  }
}

void AnswerQueue::defer(std::shared_ptr<DeferredAnswer> deferred, bool head_only) {
  const auto now = std::chrono::steady_clock::now();
  Timed waiting(now, std::string());
  waiting.deferred = std::move(deferred);
  waiting.head_only = head_only;
  timed_.push_back(std::move(waiting));
  release(now); // given already: it goes now
}

void AnswerQueue::hold(const HttpResponse &response, bool head_only) {
  const auto now = std::chrono::steady_clock::now();
  const auto due = now + response.delay;
  if (!response.fault) {
    // Rendered when it leaves: a stop meanwhile makes it say "Connection: close".
    timed_.push_back({due, response, head_only});
  } else {
    std::string whole;
    render(response, head_only, whole);
    const std::size_t head_size = whole.size() - (head_only ? 0 : response.body.size());
    ending_ = time_fault(response, whole, head_size, now, due);
  }
  release(now); // what is due at once (a slow body's head, a reset without delay) goes now
}

// What each fault does on the wire (docs/architecture.md, "Faults"). Over HTTPS the
// bytes go inside the TLS stream; the reset is at the TCP level.
Ending AnswerQueue::time_fault(const HttpResponse &response, const std::string &whole,
                               std::size_t head_size, std::chrono::steady_clock::time_point now,
                               std::chrono::steady_clock::time_point due) {
  switch (*response.fault) {
  case Fault::connection_reset_by_peer:
    timed_.push_back({due, ""});
    return Ending::reset;
  case Fault::empty_response:
    timed_.push_back({due, ""});
    return Ending::close;
  case Fault::malformed_response_chunk:
    timed_.push_back({due, malformed_chunks(response.body)});
    return Ending::close;
  case Fault::random_data_then_close:
    timed_.push_back({due, random_data(answered_ + 1)});
    return Ending::close;
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
    return ending_;
  }
  case Fault::truncated_body:
    // Content-Length promises the whole body; half of it comes, then the close.
    timed_.push_back({due, whole.substr(0, head_size + (whole.size() - head_size) / 2)});
    return Ending::close;
  }
  return ending_;
}

void AnswerQueue::release(std::chrono::steady_clock::time_point now) {
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
      if (sending_) {
        sending_->status = given->status;
      }
      render(*given, next.head_only, output_);
    } else if (next.answer) {
      render(*next.answer, next.head_only, output_);
    } else {
      output_ += next.bytes;
    }
    timed_.pop_front();
  }
  if (sending_) {
    sending_->bytes += output_.size() - before;
    if (timed_.empty()) {
      end_delivery(now); // the last byte is out, or the fault's ending follows at once
    }
  }
}

std::optional<std::chrono::steady_clock::time_point> AnswerQueue::wake_time() const {
  if (timed_.empty()) {
    return std::nullopt;
  }
  return timed_.front().due;
}

bool AnswerQueue::advance(std::chrono::steady_clock::time_point now) {
  release(now);
  return timed_.empty();
}

void AnswerQueue::begin_delivery(const HttpResponse &response, const Answering &answering) {
  if (observers_.empty()) {
    return;
  }
  Sending &sending = sending_.emplace();
  sending.answering = answering;
  sending.status = head_status(response);
  sending.fault = response.deferred ? std::nullopt : response.fault;
}

void AnswerQueue::end_delivery(std::chrono::steady_clock::time_point now) {
  const Sending sending = std::move(*sending_);
  sending_.reset();
  // The request answered: the one being read, or the one whose timed answer leaves now
  // (nothing more is read meanwhile). Out of both (bytes that never began a request),
  // nothing of the request answered before belongs to this answer.
  const HttpRequest *request = sending.answering.request;
  // A request refused before its head was whole has only its target: its path, without
  // the query (which may hold anything), as for every other request.
  std::string target_path;
  if (request != nullptr && request->path.empty() && !sending.answering.target->empty()) {
    std::string query;
    path_of(*sending.answering.target, target_path, query);
  }
  Delivery delivery;
  delivery.request = request;
  if (request != nullptr) {
    delivery.method = request->method;
    delivery.path = request->path.empty() ? std::string_view(target_path) : request->path;
  }
  // What went on the wire: a head only once bytes left.
  delivery.status = sending.bytes > 0 ? sending.status : std::nullopt;
  delivery.fault = sending.fault;
  delivery.bytes = sending.bytes;
  if (sending.answering.started) {
    delivery.duration =
        std::chrono::duration_cast<std::chrono::microseconds>(now - *sending.answering.started);
  }
  delivery.note = sending.answering.note;
  delivery.remote = remote_;
  for (DeliveryObserver *observer : observers_) {
    observer->delivered(delivery);
  }
}

void AnswerQueue::note_event(std::string_view event, std::string_view detail) const {
  for (DeliveryObserver *observer : observers_) {
    observer->noted(event, detail);
  }
}

} // namespace inspekt::mock::detail
