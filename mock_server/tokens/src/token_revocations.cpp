#include "inspekt/mock/tokens/token_revocations.hpp"

#include "inspekt/core/text.hpp"

#include <mutex>

namespace inspekt::mock {

TokenRevocations::TokenRevocations(std::size_t issued_capacity, std::size_t max_revoked_sessions)
    : issued_capacity_(issued_capacity), max_revoked_sessions_(max_revoked_sessions) {}

namespace {

// Each byte's hex digit value, or -1: a table, since every login packs a jti.
constexpr std::array<std::int8_t, 256> hex_values = [] {
  std::array<std::int8_t, 256> values{};
  for (std::size_t c = 0; c < values.size(); ++c) {
    values[c] = static_cast<std::int8_t>(hex_digit_value(static_cast<char>(c)));
  }
  return values;
}();

} // namespace

// "8-4-4-4-12" hex digits (RFC 9562 section 4): the jti the issuer writes. Once per
// login, so without a branch per digit: a bad digit makes `bad` negative.
std::optional<TokenRevocations::Jti> TokenRevocations::pack(std::string_view uuid) {
  if (uuid.size() != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' ||
      uuid[23] != '-') {
    return std::nullopt;
  }
  int bad = 0;
  const auto digits = [&uuid, &bad](std::uint64_t value, std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count; ++i) {
      const int digit = hex_values[static_cast<unsigned char>(uuid[i])];
      bad |= digit;
      value = value << 4 | static_cast<std::uint64_t>(digit & 0xF);
    }
    return value;
  };
  // The first 16 digits (8-4-4) in one half, the last 16 (4-12) in the other.
  const std::uint64_t high = digits(digits(digits(0, 0, 8), 9, 4), 14, 4);
  const std::uint64_t low = digits(digits(0, 19, 4), 24, 12);
  if (bad < 0) {
    return std::nullopt;
  }
  return Jti{high, low};
}

void TokenRevocations::record_issued(std::string_view jti, const KeyDigest &key) {
  const auto packed = pack(jti);
  if (!packed || issued_capacity_ == 0) {
    return;
  }
  std::unique_lock lock(mutex_);
  if (by_jti_.empty()) {
    // At its full size at once: growing it login by login rehashes all the way up.
    by_jti_.reserve(issued_capacity_);
  }
  const std::uint32_t id = key_id(key);
  if (issued_.size() == issued_capacity_) {
    by_jti_.erase(issued_.front().jti);
    issued_.pop_front();
    ++first_issued_;
  }
  const std::uint64_t number = first_issued_ + issued_.size();
  issued_.push_back({*packed, id});
  by_jti_.insert_or_assign(*packed, number);
}

std::uint32_t TokenRevocations::key_id(const KeyDigest &key) {
  // Most logins in a run use the key before them: no tree walk, no node made.
  if (last_key_ && last_key_->first == key) {
    return last_key_->second;
  }
  auto it = key_ids_.find(key);
  if (it == key_ids_.end()) {
    it = key_ids_.emplace(key, static_cast<std::uint32_t>(key_revoked_before_.size())).first;
    key_revoked_before_.emplace_back();
  }
  last_key_.emplace(key, it->second);
  return it->second;
}

TokenRevocations::Revoked TokenRevocations::revoke_session(std::string_view session) {
  std::unique_lock lock(mutex_);
  if (sessions_.count(std::string(session)) != 0) {
    return Revoked::already;
  }
  if (sessions_.size() >= max_revoked_sessions_) {
    return Revoked::full;
  }
  sessions_.emplace(session);
  return Revoked::now;
}

void TokenRevocations::revoke_key(const KeyDigest &key) {
  std::unique_lock lock(mutex_);
  // Revoked again later: still every token up to now.
  key_revoked_before_[key_id(key)] = first_issued_ + issued_.size();
}

bool TokenRevocations::revoked(const VerifiedToken &token) const {
  std::shared_lock lock(mutex_);
  if (!sessions_.empty() && sessions_.count(token.session) != 0) {
    return true;
  }
  const auto packed = pack(token.jti);
  if (!packed) {
    return false;
  }
  const auto found = by_jti_.find(*packed);
  if (found == by_jti_.end()) {
    return false;
  }
  const auto &issued = issued_[found->second - first_issued_];
  const auto &before = key_revoked_before_[issued.key];
  return before && found->second < *before;
}

void TokenRevocations::clear() {
  std::unique_lock lock(mutex_);
  issued_.clear();
  by_jti_.clear();
  first_issued_ = 0;
  key_ids_.clear();
  last_key_.reset();
  key_revoked_before_.clear();
  sessions_.clear();
}

std::size_t TokenRevocations::issued_known() const {
  std::shared_lock lock(mutex_);
  return issued_.size();
}

std::size_t TokenRevocations::sessions_revoked() const {
  std::shared_lock lock(mutex_);
  return sessions_.size();
}

} // namespace inspekt::mock
