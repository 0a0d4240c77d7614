#include "inspekt/mock/session_id.hpp"

#include <ctime>

namespace inspekt::mock {

std::string compact_utc_timestamp(std::int64_t epoch_seconds) {
  const auto seconds = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const auto length = std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &utc);
  return std::string(text, length);
}

std::string make_session_id(const SessionIdFormat &format, Entropy &entropy,
                            std::int64_t epoch_seconds) {
  std::string id;
  for (const auto &part : format.parts) {
    switch (part.kind) {
    case SessionIdPart::Kind::literal:
      id += part.text;
      break;
    case SessionIdPart::Kind::digits:
      id += entropy.digits(part.width);
      break;
    case SessionIdPart::Kind::hex:
      id += entropy.hex(part.width);
      break;
    case SessionIdPart::Kind::timestamp:
      id += compact_utc_timestamp(epoch_seconds);
      break;
    case SessionIdPart::Kind::uuid:
      id += entropy.uuid();
      break;
    }
  }
  return id;
}

} // namespace inspekt::mock
