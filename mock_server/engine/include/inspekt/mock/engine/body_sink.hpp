#pragma once
// A request body read as a stream: when a responder opens a sink for a request
// (Responder::open_body), the engine hands it each piece of the body as it arrives and
// keeps none of it, so a body of megabytes costs the connection no more than a piece.
// The engine counts the bytes against the sink's limit and refuses a larger body (413)
// itself; what the bytes mean is the sink's business (the handler's upload reader).

#include <cstdint>
#include <string_view>

namespace inspekt::mock {

class BodySink {
public:
  virtual ~BodySink() = default;
  // The most bytes this body may have; more is a 413, answered at once.
  virtual std::uint64_t max_bytes() const = 0;
  // The next piece of the body, in order; never more than max_bytes() in all.
  virtual void write(std::string_view piece) = 0;
};

} // namespace inspekt::mock
