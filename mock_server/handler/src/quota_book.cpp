#include "inspekt/mock/handler/quota_book.hpp"

#include <algorithm>
#include <cstring>

namespace inspekt::mock {

std::size_t QuotaBook::DigestHash::operator()(const KeyDigest &d) const {
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);
  return h;
}

QuotaVerdict QuotaBook::admit(const KeyDigest &key, const Quota &quota,
                              std::chrono::milliseconds now) {
  const std::int64_t at = now.count();
  const std::int64_t span =
      std::chrono::duration_cast<std::chrono::milliseconds>(quota.window).count();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) {
      make_room(at);
    }
    it = windows_.emplace(key, Window{}).first;
  }
  Window &window = it->second;
  if (window.limit != quota.limit) { // new, or a reload changed the quota
    window.times.clear();
    window.times.reserve(quota.limit);
    window.next = 0;
    window.limit = quota.limit;
  }
  window.span_ms = span;
  window.last_use = ++uses_;
  if (window.times.size() < quota.limit) {
    window.times.push_back(at);
    window.newest = at;
    return {};
  }
  const std::int64_t oldest = window.times[window.next];
  const std::int64_t frees_in = oldest + span - at;
  if (frees_in > 0) {
    // A clock set back by the admin API must not promise a wait longer than the window.
    const auto seconds = std::min((frees_in + 999) / 1000, (span + 999) / 1000);
    return {false, std::chrono::seconds(std::max<std::int64_t>(seconds, 1))};
  }
  window.times[window.next] = at;
  window.next = (window.next + 1) % window.times.size();
  window.newest = at;
  return {};
}

void QuotaBook::make_room(std::int64_t now) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = it->second.newest + it->second.span_ms <= now ? windows_.erase(it) : std::next(it);
  }
  if (windows_.size() >= max_keys_) {
    const auto lru =
        std::min_element(windows_.begin(), windows_.end(), [](const auto &a, const auto &b) {
          return a.second.last_use < b.second.last_use;
        });
    windows_.erase(lru);
  }
}

std::uint32_t QuotaBook::in_use(const KeyDigest &key, const Quota &quota,
                                std::chrono::milliseconds now) const {
  const std::int64_t span =
      std::chrono::duration_cast<std::chrono::milliseconds>(quota.window).count();
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = windows_.find(key);
  if (it == windows_.end() || it->second.limit != quota.limit) {
    return 0;
  }
  // As admit() counts: a slot frees once its login is a whole window old.
  const auto &times = it->second.times;
  return static_cast<std::uint32_t>(std::count_if(
      times.begin(), times.end(), [&](std::int64_t at) { return at + span > now.count(); }));
}

void QuotaBook::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  windows_.clear();
}

std::size_t QuotaBook::keys_tracked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return windows_.size();
}

} // namespace inspekt::mock
