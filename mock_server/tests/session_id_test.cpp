// Session ids: the format's shape, and no repeats while the format has room.

#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/tokens/session_id.hpp"

#include <catch2/catch.hpp>

#include <thread>

#include <regex>
#include <set>

using namespace inspekt::mock;

namespace {

struct Case {
  std::string format;
  std::string shape; // a regex every id must match
  std::uint64_t room;
};

} // namespace

TEST_CASE("ids keep the format's shape and do not repeat within its room", "[session]") {
  const auto row = GENERATE(values<Case>({
      {"in{digits:4}{timestamp}", "in[0-9]{4}20250909153012", 10000},
      {"s-{hex:2}-{digits:1}", "s-[0-9a-f]{2}-[0-9]", 2560},
      {"{digits:1}", "[0-9]", 10},
      {"fixed{timestamp}", "fixed20250909153012", 1},
      {"{digits:30}{hex:8}", "[0-9]{30}[0-9a-f]{8}", 0},
      {"{uuid}", "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", 1},
  }));
  DYNAMIC_SECTION(row.format) {
    Entropy entropy(7);
    SessionIdGenerator ids(parse_session_id_format(row.format), entropy);
    CHECK(ids.room() == row.room);
    const std::regex shape(row.shape);
    const std::uint64_t count = row.room > 1 ? row.room : 200;
    std::set<std::string> seen;
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto id = ids.next(entropy, 1757431812);
      CHECK(std::regex_match(id, shape));
      seen.insert(id);
    }
    if (row.room > 1) {
      CHECK(seen.size() == row.room);
    }
  }
}

TEST_CASE("consecutive ids do not count up", "[session]") {
  Entropy entropy(1);
  SessionIdGenerator ids(parse_session_id_format("{digits:4}"), entropy);
  int steps_of_one = 0;
  int previous = std::stoi(ids.next(entropy, 0));
  for (int i = 0; i < 100; ++i) {
    const int current = std::stoi(ids.next(entropy, 0));
    steps_of_one += current == previous + 1;
    previous = current;
  }
  CHECK(steps_of_one < 5);
}

TEST_CASE("replicas with one --seed and their own --instance issue different ids",
          "[session][determinism]") {
  const SessionIdFormat format{
      "in{digits:12}",
      {{SessionIdPart::Kind::literal, "in", 0}, {SessionIdPart::Kind::digits, "", 12}}};
  const auto ids = [&](std::optional<std::uint64_t> seed) {
    Entropy entropy(seed);
    SessionIdGenerator generator(format, entropy);
    std::set<std::string> out;
    for (int i = 0; i < 1000; ++i) {
      out.insert(generator.next(entropy, 0));
    }
    return out;
  };
  // No name: the seed as it was, so a single mock's --seed keeps its ids.
  CHECK(seed_for_instance(7, "") == std::optional<std::uint64_t>(7));
  CHECK_FALSE(seed_for_instance(std::nullopt, "pod-a").has_value());
  // Reproducible per name, different between names.
  CHECK(seed_for_instance(7, "pod-a") == seed_for_instance(7, "pod-a"));
  const auto a = ids(seed_for_instance(7, "pod-a"));
  const auto b = ids(seed_for_instance(7, "pod-b"));
  CHECK(a == ids(seed_for_instance(7, "pod-a")));
  std::set<std::string> both = a;
  both.insert(b.begin(), b.end());
  CHECK(both.size() == a.size() + b.size());
}

TEST_CASE("the compact UTC timestamp follows every second, cached or not", "[session-id]") {
  // Formatted once per second per thread: going back and forth must not reuse a stale one.
  CHECK(compact_utc_timestamp(0) == "19700101000000");
  CHECK(compact_utc_timestamp(0) == "19700101000000");
  CHECK(compact_utc_timestamp(1) == "19700101000001");
  CHECK(compact_utc_timestamp(1764000000) == "20251124160000");
  CHECK(compact_utc_timestamp(0) == "19700101000000");
  std::string other;
  std::thread([&] { other = compact_utc_timestamp(253402300799); }).join();
  CHECK(other == "99991231235959");
  CHECK(compact_utc_timestamp(1764000000) == "20251124160000");
}
