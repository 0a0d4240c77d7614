#pragma once
// What the engine asks of whatever answers requests: the mock's handler and admin API
// above it; tests give others (an answer with a delay or a fault, whatever they need).
// The engine knows nothing of keys or fixtures: it carries a note the responder
// attaches to each answer back to the observers (delivery.hpp) untouched.

#include "inspekt/mock/engine/wire.hpp"

#include <memory>

namespace inspekt::mock {

class DeliveryObserver;

// What a responder says about an answer for the observers (the layers above derive
// from it: the answer's name, the key's hint). The engine only passes it along.
class AnswerNote {
public:
  virtual ~AnswerNote() = default;
};

// The refusals the engine decides itself, before any responder sees the request.
enum class Refusal {
  payload_too_large, // the body is over the limit (413)
  invalid_request,   // bytes that are no HTTP/1.1 request (400)
};

class Responder {
public:
  virtual ~Responder() = default;
  // A note for answer() to fill, made once per connection and reused for each of its
  // requests (the engine holds one answer in flight per connection); nullptr: none.
  virtual std::unique_ptr<AnswerNote> make_note() const { return nullptr; }
  // Thread-safe: called from every event loop at once. `note` is what make_note() gave
  // (or nullptr): filled for the observers, read once the answer is delivered.
  virtual HttpResponse answer(const HttpRequest &request, AnswerNote *note) const = 0;
  // Once a request's head is read (method, path, query, headers; no body yet): a sink
  // that takes its body as a stream instead of `body` (body_sink.hpp), or nullptr to
  // have it read whole, up to the engine's body limit. Thread-safe, as answer().
  virtual std::shared_ptr<BodySink> open_body(const HttpRequest &head) const {
    static_cast<void>(head);
    return nullptr;
  }
  // The answer for a refusal the engine decides itself, without credentials.
  virtual HttpResponse refuse(Refusal refusal) const = 0;
  // An observer of this responder's own deliveries (the request journal), or nullptr.
  virtual DeliveryObserver *observer() const { return nullptr; }
};

} // namespace inspekt::mock
