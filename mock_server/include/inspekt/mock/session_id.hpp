#pragma once

#include "inspekt/mock/entropy.hpp"
#include "inspekt/mock/fixture_set.hpp"

#include <cstdint>
#include <string>

namespace inspekt::mock {

// "YYYYMMDDhhmmss" in UTC, the timestamp the vendor's session ids end with.
std::string compact_utc_timestamp(std::int64_t epoch_seconds);

std::string make_session_id(const SessionIdFormat &format, Entropy &entropy,
                            std::int64_t epoch_seconds);

} // namespace inspekt::mock
