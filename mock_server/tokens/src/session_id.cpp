#include "inspekt/mock/tokens/session_id.hpp"

#include <cstdint>
#include <ctime>

namespace inspekt::mock {
namespace {

constexpr std::uint64_t most_room = std::uint64_t{1} << 62;

// Values a random part can take, or 0 past most_room.
std::uint64_t values_of(const SessionIdPart &part) {
  const std::uint64_t base = part.kind == SessionIdPart::Kind::digits ? 10 : 16;
  std::uint64_t values = 1;
  for (int i = 0; i < part.width; ++i) {
    if (values > most_room / base) {
      return 0;
    }
    values *= base;
  }
  return values;
}

bool is_counted(const SessionIdPart &part) {
  return part.kind == SessionIdPart::Kind::digits || part.kind == SessionIdPart::Kind::hex;
}

void append_number(std::string &out, std::uint64_t value, int width, std::uint64_t base) {
  static constexpr char alphabet[] = "0123456789abcdef";
  const auto start = out.size();
  out.append(static_cast<std::size_t>(width), '0');
  for (auto i = out.size(); i > start; --i, value /= base) {
    out[i - 1] = alphabet[value % base];
  }
}

} // namespace

std::string compact_utc_timestamp(std::int64_t epoch_seconds) {
  // Every session id holds one; formatted once per second per thread (gmtime_r and
  // strftime were 1 % of a login's instructions).
  thread_local std::int64_t cached_second = INT64_MIN;
  thread_local char text[32];
  thread_local std::size_t length = 0;
  if (epoch_seconds != cached_second) {
    const auto seconds = static_cast<std::time_t>(epoch_seconds);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    length = std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &utc);
    cached_second = epoch_seconds;
  }
  return std::string(text, length);
}

SessionIdGenerator::SessionIdGenerator(SessionIdFormat format, Entropy &entropy)
    : format_(std::move(format)) {
  room_ = 1;
  for (const auto &part : format_.parts) {
    if (!is_counted(part)) {
      continue;
    }
    const auto values = values_of(part);
    if (values == 0 || room_ > most_room / values) {
      room_ = 0;
      break;
    }
    room_ *= values;
  }
  while (room_ > 1 && (std::uint64_t{1} << bits_) < room_) {
    ++bits_;
  }
  for (auto &key : keys_) {
    key = entropy.next();
  }
  keys_[1] |= 1; // a multiplier: odd, so that it is a bijection modulo 2^bits_
}

// A bijection on [0, 2^bits_): each step (xor with a key, multiply by an odd number,
// xor with a right shift of itself) is one. Walking the cycle until the value falls
// below room_ gives a bijection on [0, room_); room_ > 2^(bits_-1), so that takes two
// steps on average.
std::uint64_t SessionIdGenerator::permute(std::uint64_t value) const {
  const std::uint64_t mask = (std::uint64_t{1} << bits_) - 1;
  const int shift = bits_ / 2 + 1;
  do {
    value = (value ^ keys_[0]) & mask;
    value = (value * keys_[1]) & mask;
    value ^= value >> shift;
    value = (value + keys_[2]) & mask;
    value ^= value >> shift;
  } while (value >= room_);
  return value;
}

std::string SessionIdGenerator::next(Entropy &entropy, std::int64_t epoch_seconds) {
  std::uint64_t counted = 0;
  if (room_ > 1) {
    counted = permute(counter_.fetch_add(1, std::memory_order_relaxed) % room_);
  }
  std::string id;
  id.reserve(32);
  for (const auto &part : format_.parts) {
    switch (part.kind) {
    case SessionIdPart::Kind::literal:
      id += part.text;
      break;
    case SessionIdPart::Kind::digits:
    case SessionIdPart::Kind::hex:
      if (room_ == 0) {
        if (part.kind == SessionIdPart::Kind::digits) {
          entropy.append_digits(id, part.width);
        } else {
          entropy.append_hex(id, part.width);
        }
      } else {
        const std::uint64_t values = values_of(part);
        append_number(id, counted % values, part.width,
                      part.kind == SessionIdPart::Kind::digits ? 10 : 16);
        counted /= values;
      }
      break;
    case SessionIdPart::Kind::timestamp:
      id += compact_utc_timestamp(epoch_seconds);
      break;
    case SessionIdPart::Kind::uuid: {
      char uuid[Entropy::uuid_size];
      entropy.write_uuid(uuid);
      id.append(uuid, sizeof uuid);
      break;
    }
    }
  }
  return id;
}

} // namespace inspekt::mock
