#pragma once
// The answering half of HttpSession (docs/architecture.md, "One connection: HttpSession"): answers
// to bytes, in order. An answer goes to output() at once, or later when it has a delay, a fault or
// a deferred answer (timed, released by advance()); the queue knows how the connection ends after
// it (keep-alive, close, reset) and tells the observers of each answer once its last byte is out or
// its fault is done.

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

namespace inspekt::mock::detail {

// How the connection goes on after the answers given so far.
enum class Ending : std::uint8_t {
  keep_alive,
  close, // every later answer says "Connection: close"; the last one ends the connection
  reset, // a TCP reset once the timed bytes are out (CONNECTION_RESET_BY_PEER)
};

// What an answer answers, for its bytes and for the observers.
struct Answering {
  bool head_only = false; // the head without the body (a HEAD request)
  bool http_1_0 = false;  // keeping the connection must be said (Connection: keep-alive)
  // The request being read when the answer was given, and its target as sent; null for
  // bytes that never began one. Read when the observers are told (nothing is read
  // meanwhile).
  const HttpRequest *request = nullptr;
  const std::string *target = nullptr;
  std::optional<std::chrono::steady_clock::time_point> started; // its first byte
  const AnswerNote *note = nullptr; // what the responder filled, if it ran
};

// The answer whose bytes are leaving, as the observers will hear of it.
struct Sending {
  Answering answering;
  std::optional<int> status; // the status its head carries, when it has a head
  std::optional<Fault> fault;
  std::size_t bytes = 0;
};

class AnswerQueue {
public:
  // `observers`: those to tell (enabled ones only); `remote` is only passed on to them.
  AnswerQueue(std::vector<DeliveryObserver *> observers, std::string remote);
  ~AnswerQueue(); // an answer cut short: the observers hear what went out
  AnswerQueue(const AnswerQueue &) = delete;
  AnswerQueue &operator=(const AnswerQueue &) = delete;

  std::string &output() { return output_; }
  // Anyone to tell: then RequestReader notes when requests begin.
  bool observed() const { return !observers_.empty(); }
  std::size_t answered() const { return answered_; }
  Ending ending() const { return ending_; }
  // Every later answer says "Connection: close" and ends the connection.
  void close_after_answer() {
    if (ending_ == Ending::keep_alive) {
      ending_ = Ending::close;
    }
  }

  // Puts `response` on the way: into output() now, or timed (waiting()).
  void give(HttpResponse response, const Answering &answering);
  // "100 Continue": an interim answer, no answer of its own.
  void continue_now() { output_ += "HTTP/1.1 100 Continue\r\n\r\n"; }
  // Bytes are due later: nothing more may be answered until they are out.
  bool waiting() const { return !timed_.empty(); }
  std::optional<std::chrono::steady_clock::time_point> wake_time() const;
  // Moves the timed bytes due by `now` to output(); true once the last of them is out.
  bool advance(std::chrono::steady_clock::time_point now);
  // An event of the engine's that is no answer.
  void note_event(std::string_view event, std::string_view detail) const;

private:
  // Bytes due later (delays, faults, a slow body), in order.
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

  // The status line, headers and (unless head_only) body of an answer, appended to `out`.
  void render(const HttpResponse &response, bool head_only, std::string &out) const;
  // An answer with a delay or a fault: its bytes, and how the connection goes on, timed.
  void hold(const HttpResponse &response, bool head_only);
  // The bytes of a faulted answer rendered as `whole` (its head the first head_size
  // bytes), timed from `now` (a slow body) to `due`; how the connection ends after them.
  Ending time_fault(const HttpResponse &response, const std::string &whole, std::size_t head_size,
                    std::chrono::steady_clock::time_point now,
                    std::chrono::steady_clock::time_point due);
  void defer(std::shared_ptr<DeferredAnswer> deferred, bool head_only);
  // Moves the timed bytes that are due by `now` to output().
  void release(std::chrono::steady_clock::time_point now);
  // What the observers hear of the answer now leaving: begun when it is given, told
  // once its last byte is in output() or its fault is done.
  void begin_delivery(const HttpResponse &response, const Answering &answering);
  // `now`: when the last byte went to output() (the time advance() was given).
  void end_delivery(std::chrono::steady_clock::time_point now);

  std::vector<DeliveryObserver *> observers_;
  std::string remote_;
  std::string output_;
  std::deque<Timed> timed_;
  Ending ending_ = Ending::keep_alive;
  bool http_1_0_ = false;          // of the answer being given (Answering::http_1_0)
  std::optional<Sending> sending_; // only when observed()
  std::size_t answered_ = 0;
};

} // namespace inspekt::mock::detail
