#pragma once
// The engine's body sink (engine/body_sink.hpp) for a guarded route: each piece of the
// body goes straight to an UploadBodyReader, which keeps what the gate and the journal
// need (the session, the parts) and none of the bytes. Once a problem is found the
// rest is only counted by the engine, not read.

#include "inspekt/mock/engine/body_sink.hpp"
#include "inspekt/mock/handler/upload_body.hpp"

#include <optional>
#include <string_view>

namespace inspekt::mock {

class UploadSink final : public BodySink {
public:
  UploadSink(std::optional<std::string_view> content_type, const UploadLimits &limits)
      : reader_(content_type, limits), max_bytes_(limits.max_bytes) {}

  std::uint64_t max_bytes() const override { return max_bytes_; }
  void write(std::string_view piece) override {
    if (reading_) {
      reading_ = reader_.feed(piece);
    }
  }
  // The reader, for the handler to finish once the body has ended.
  UploadBodyReader &reader() { return reader_; }

private:
  UploadBodyReader reader_;
  std::uint64_t max_bytes_;
  bool reading_ = true;
};

} // namespace inspekt::mock
