#include "inspekt/mock/tokens/token_revocations.hpp"

#include "inspekt/client/text.hpp"

#include <mutex>

namespace inspekt::mock {

TokenRevocations::TokenRevocations(std::size_t issued_capacity, std::size_t max_revoked_sessions)
    : issued_capacity_(issued_capacity), max_revoked_sessions_(max_revoked_sessions) {}

// "8-4-4-4-12" hex digits (RFC 9562 section 4): the jti the issuer writes.
std::optional<TokenRevocations::Jti> TokenRevocations::pack(std::string_view uuid) {
  if (uuid.size() != 36) {
    return std::nullopt;
  }
  Jti packed{0, 0};
  std::size_t digits = 0;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (uuid[i] != '-') {
        return std::nullopt;
      }
      continue;
    }
    const int value = hex_digit_value(uuid[i]);
    if (value < 0) {
      return std::nullopt;
    }
    auto &half = packed[digits / 16];
    half = half << 4 | static_cast<std::uint64_t>(value);
    ++digits;
  }
  return packed;
}

void TokenRevocations::record_issued(std::string_view jti, const KeyDigest &key) {
  const auto packed = pack(jti);
  if (!packed || issued_capacity_ == 0) {
    return;
  }
  std::unique_lock lock(mutex_);
  const auto [it, fresh] =
      key_ids_.emplace(key, static_cast<std::uint32_t>(key_revoked_before_.size()));
  if (fresh) {
    key_revoked_before_.emplace_back();
  }
  if (issued_.size() == issued_capacity_) {
    by_jti_.erase(issued_.front().jti);
    issued_.pop_front();
    ++first_issued_;
  }
  const std::uint64_t number = first_issued_ + issued_.size();
  issued_.push_back({*packed, it->second});
  by_jti_[*packed] = number;
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
  const auto [it, fresh] =
      key_ids_.emplace(key, static_cast<std::uint32_t>(key_revoked_before_.size()));
  if (fresh) {
    key_revoked_before_.emplace_back();
  }
  // Revoked again later: still every token up to now.
  key_revoked_before_[it->second] = first_issued_ + issued_.size();
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
