#include "inspekt/mock/engine/http_session.hpp"

#include "answer_queue.hpp"
#include "request_reader.hpp"

#include <nlohmann/json.hpp>

#include <utility>

namespace inspekt::mock {

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
  case 308:
    return "Permanent Redirect"; // GET /__admin (RFC 9110 section 15.4.9)
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

// The reader's events, answered by the session.
class HttpSession::Events final : public detail::ReadEvents {
public:
  explicit Events(HttpSession &session) : session_(session) {}

  void continue_expected() override { session_.queue_->continue_now(); }
  void body_too_large() override {
    // Reading megabytes to keep one connection is not worth it: answer now and close.
    session_.queue_->close_after_answer();
    session_.answer(session_.handler_.refuse(Refusal::payload_too_large),
                    session_.reader_->head_request(), false);
  }
  void request_read(bool keep_alive, bool head_only) override {
    HttpSession &s = session_;
    if (!keep_alive || s.queue_->answered() + 1 >= s.limits_.keep_alive_max_requests) {
      s.queue_->close_after_answer();
    }
    s.answer(s.handler_.answer(s.reader_->request(), s.note_.get()), head_only, s.note_ != nullptr);
    if (!s.finished() && s.queue_->output().size() > s.limits_.max_pending_output) {
      s.reader_->pause();
    }
  }
  void refused(int status) override { session_.refuse(status); }
  void failed(const std::string &what) override { session_.fail(what); }
  bool stopped() const override { return session_.finished(); }

private:
  HttpSession &session_;
};

HttpSession::HttpSession(const Responder &handler, const HttpLimits &limits,
                         DeliveryObserver *observer, std::string remote)
    : handler_(handler), limits_(limits), note_(handler.make_note()),
      events_(std::make_unique<Events>(*this)) {
  std::vector<DeliveryObserver *> observers;
  for (DeliveryObserver *each : {observer, handler.observer()}) {
    if (each != nullptr && each->enabled()) {
      observers.push_back(each);
    }
  }
  const bool observed = !observers.empty();
  queue_ = std::make_unique<detail::AnswerQueue>(std::move(observers), std::move(remote));
  reader_ = std::make_unique<detail::RequestReader>(handler, limits, *events_, observed);
}

HttpSession::~HttpSession() = default;

std::string &HttpSession::output() {
  return queue_->output();
}

bool HttpSession::idle() const {
  return reader_->idle() && !queue_->waiting();
}

bool HttpSession::paused() const {
  return reader_->paused();
}

bool HttpSession::waiting() const {
  return queue_->waiting();
}

bool HttpSession::reset_requested() const {
  return finished() && queue_->ending() == detail::Ending::reset;
}

std::size_t HttpSession::requests_answered() const {
  return queue_->answered();
}

void HttpSession::receive(std::string_view data) {
  if (finished() || data.empty()) {
    return;
  }
  reader_->receive(data);
}

void HttpSession::receive_end() {
  if (reader_->paused() && !finished()) {
    state_ = Connection::input_ended; // what was received before is still answered on resume()
    return;
  }
  if (!finished()) {
    finish(); // a request cut short is dropped: there is nobody to read its answer
  }
}

void HttpSession::resume() {
  if (!reader_->paused() || finished() || queue_->waiting() ||
      queue_->output().size() > limits_.max_pending_output) {
    return;
  }
  reader_->resume();
  if (state_ == Connection::input_ended && !reader_->paused()) {
    receive_end();
  }
}

void HttpSession::close_after_next_answer() {
  queue_->close_after_answer();
}

std::optional<std::chrono::steady_clock::time_point> HttpSession::wake_time() const {
  return queue_->wake_time();
}

void HttpSession::advance(std::chrono::steady_clock::time_point now) {
  if (!queue_->waiting() || finished()) {
    return;
  }
  if (!queue_->advance(now)) {
    return;
  }
  if (queue_->ending() == detail::Ending::keep_alive) {
    resume(); // the requests that arrived meanwhile are parsed and answered now
    return;
  }
  finish();
}

void HttpSession::finish() {
  state_ = Connection::finished;
  reader_->discard_input();
}

void HttpSession::answer(HttpResponse response, bool head_only, bool noted) {
  detail::Answering answering;
  answering.head_only = head_only;
  answering.http_1_0 = reader_->http_1_0();
  if (reader_->in_request()) {
    answering.request = &reader_->request();
    answering.target = &reader_->target();
    if (queue_->observed()) {
      answering.started = reader_->started();
    }
  }
  answering.note = noted ? note_.get() : nullptr;
  queue_->give(std::move(response), answering);
  reader_->answered();
  if (queue_->waiting()) {
    // Nothing more is parsed until the timed bytes are out: later pipelined requests
    // wait their turn, and their answers keep their order.
    reader_->pause();
  } else if (queue_->ending() != detail::Ending::keep_alive) {
    finish();
  }
}

void HttpSession::refuse(int status) {
  queue_->close_after_answer();
  HttpResponse response;
  if (status == 400) {
    response = handler_.refuse(Refusal::invalid_request);
  } else {
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = nlohmann::json{{"message", std::string(reason_phrase(status))}}.dump();
  }
  answer(std::move(response), reader_->head_request(), false);
}

void HttpSession::fail(const std::string &what) {
  queue_->note_event("error", "request failed: " + what);
  if (finished()) {
    return;
  }
  queue_->close_after_answer();
  HttpResponse response;
  response.status = 500;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = R"({"message":"Internal mock error"})";
  answer(std::move(response), reader_->head_request(), false);
}

} // namespace inspekt::mock
