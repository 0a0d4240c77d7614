// The one clock: frozen by --now, set and advanced by the admin API, and the warning
// when --now makes tokens born expired.

#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/tokens/clock.hpp"

#include <catch2/catch.hpp>

using namespace inspekt::mock;
using namespace std::chrono_literals;

TEST_CASE("a frozen clock stands still until set or advanced", "[clock]") {
  Clock clock(1764000000);
  CHECK(clock.frozen());
  CHECK(clock.now() == 1764000000);
  CHECK(clock.now_ms() == 1764000000000ms);
  clock.advance(1500ms);
  CHECK(clock.now() == 1764000001);
  CHECK(clock.now_ms() == 1764000001500ms);
  clock.set(1800000000);
  CHECK(clock.now() == 1800000000);
  clock.reset();
  CHECK(clock.now() == 1764000000);
}

TEST_CASE("a running clock follows the system clock from where it is set", "[clock]") {
  Clock clock;
  CHECK_FALSE(clock.frozen());
  CHECK(std::abs(clock.now() - system_epoch_seconds()) <= 1);
  clock.set(1000);
  CHECK(std::abs(clock.now() - 1000) <= 1);
  clock.advance(std::chrono::hours(1));
  CHECK(std::abs(clock.now() - 4600) <= 1);
  clock.reset();
  CHECK(std::abs(clock.now() - system_epoch_seconds()) <= 1);
}

TEST_CASE("seconds are floored before 1970 too", "[clock]") {
  Clock clock(0);
  clock.advance(-1ms);
  CHECK(clock.now() == -1);
}

namespace {

struct Warning {
  std::string name;
  std::int64_t behind; // how far --now lies before the real time, in seconds
  std::int64_t access_lifetime;
  std::optional<std::string> expected;
};

} // namespace

TEST_CASE("a --now that makes tokens born expired is warned about", "[clock]") {
  const auto row = GENERATE(values<Warning>({
      {"now", 0, 3600, std::nullopt},
      {"in the future", -100000, 3600, std::nullopt},
      {"a second short of the access lifetime", 3599, 3600, std::nullopt},
      {"the access lifetime", 3600, 3600,
       "--now 1764000000 is 3600 s in the past, longer than tokens live (access tokens live "
       "3600 s): they are born expired, and clients that check exp refuse them. Fine for "
       "snapshots; for a conformance run or an app, leave --now out"},
      {"both lifetimes", 100000, 3600,
       "--now 1764000000 is 100000 s in the past, longer than tokens live (access tokens live "
       "3600 s, refresh tokens live 86400 s): they are born expired, and clients that check "
       "exp refuse them. Fine for snapshots; for a conformance run or an app, leave --now out"},
      {"a fixture that issues expired tokens on purpose", 3600, 0, std::nullopt},
  }));
  DYNAMIC_SECTION(row.name) {
    auto tokens = load_embedded_fixtures().tokens;
    tokens.access.lifetime = std::chrono::seconds(row.access_lifetime);
    tokens.refresh.lifetime = std::chrono::seconds(row.access_lifetime > 0 ? 86400 : 0);
    CHECK(born_expired_warning(1764000000, 1764000000 + row.behind, tokens) == row.expected);
  }
}
