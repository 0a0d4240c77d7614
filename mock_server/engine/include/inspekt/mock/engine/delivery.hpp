#pragma once
// What the engine tells its observers: each answer as it was delivered, once its last
// byte is handed to the socket or its fault is done, and the engine's own events. The
// access log and the request journal subscribe to this (docs/architecture.md).

#include "inspekt/mock/engine/fault.hpp"
#include "inspekt/mock/engine/wire.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace inspekt::mock {

class AnswerNote;

struct Delivery {
  // The request answered; nullptr for bytes that never began one.
  const HttpRequest *request = nullptr;
  std::string_view method;
  // The request's path, or for a request refused before its head was whole, the path
  // of its target as far as it came (never the query).
  std::string_view path;
  // The status line that went on the wire; none when a fault sent no head (a reset,
  // EMPTY_RESPONSE, RANDOM_DATA_THEN_CLOSE) or the connection ended before it.
  std::optional<int> status;
  std::optional<Fault> fault;
  std::size_t bytes = 0; // the answer's bytes handed to the transport
  // From the request's first byte to the answer's last; unknown for bytes that never
  // began a request.
  std::optional<std::chrono::microseconds> duration;
  // What the responder attached (Responder::make_note); nullptr when it never ran (a
  // refusal of the engine's own).
  const AnswerNote *note = nullptr;
  std::string_view remote; // "address:port"
};

class DeliveryObserver {
public:
  virtual ~DeliveryObserver() = default;
  // False: the engine may skip the work of telling this observer anything.
  virtual bool enabled() const { return true; }
  // Thread-safe: called from every event loop at once.
  virtual void delivered(const Delivery &delivery) = 0;
  // An event of the engine's that is no answer (a failed accept, a TLS handshake given up).
  virtual void noted(std::string_view /*event*/, std::string_view /*detail*/) {}
};

} // namespace inspekt::mock
