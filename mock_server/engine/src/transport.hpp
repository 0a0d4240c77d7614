#pragma once
// What MockServer needs from the engine (event_loop_transport.cpp): bind, run, stop.

#include "inspekt/mock/engine/delivery.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/engine/responder.hpp"

#include <chrono>
#include <memory>

namespace inspekt::mock::detail {

class Transport {
public:
  virtual ~Transport() = default;
  // Listening once it returns; throws BindError. Returns the port.
  virtual int bind() = 0;
  virtual void run() = 0;
  // Safe from any thread, before or during run().
  virtual void stop(std::chrono::milliseconds grace) = 0;
};

std::unique_ptr<Transport> make_event_loop_transport(std::shared_ptr<const Responder> handler,
                                                     const ServerOptions &options,
                                                     std::shared_ptr<DeliveryObserver> observer);

} // namespace inspekt::mock::detail
