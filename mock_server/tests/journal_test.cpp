// The request journal without sockets: the ring's bounds, its order, its counts, its
// filters, and what a full one costs in memory.

#include "inspekt/mock/control/journal.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace inspekt::mock;

namespace {

JournalRecord record(int status, std::string_view path = "/api/authenticate") {
  JournalRecord r;
  r.method = "POST";
  r.path = path;
  r.status = status;
  r.answer = "success";
  r.key_hint = "demo...";
  return r;
}

} // namespace

TEST_CASE("the journal keeps the newest entries, counts the dropped, ids never reused",
          "[journal]") {
  Journal journal(3);
  for (int i = 0; i < 5; ++i) {
    journal.record(record(200 + i));
  }
  auto page = journal.newest();
  CHECK(page.total == 5);
  CHECK(page.dropped == 2);
  REQUIRE(page.entries.size() == 3);
  // Newest first: the ring wrapped, so its order must come from the write position.
  CHECK(page.entries[0].id == 5);
  CHECK(page.entries[0].status == 204);
  CHECK(page.entries[1].id == 4);
  CHECK(page.entries[2].id == 3);
  CHECK(journal.newest(2).entries.size() == 2);
  CHECK(journal.newest(2).entries[0].id == 5);
  CHECK(journal.newest(0).entries.empty());
  CHECK(journal.newest(100).entries.size() == 3);

  CHECK(journal.clear() == 3);
  page = journal.newest();
  CHECK(page.total == 0);
  CHECK(page.dropped == 0);
  CHECK(page.entries.empty());
  journal.record(record(200));
  CHECK(journal.newest().entries.at(0).id == 6); // not reset by clear
}

TEST_CASE("a journal of size 0 holds nothing but still counts", "[journal]") {
  Journal journal(0);
  journal.record(record(200));
  journal.record(record(200));
  const auto page = journal.newest();
  CHECK(page.entries.empty());
  CHECK(page.total == 2);
  CHECK(page.dropped == 2);
  CHECK_FALSE(journal.holds_entries());
}

TEST_CASE("an entry gives back what was recorded, and null for what was not", "[journal]") {
  Journal journal(10);
  JournalRecord full = record(429);
  full.client_id = "my-app";
  full.prefer = "code=429";
  full.reason = Reason::prefer;
  full.fault = Fault::slow_body;
  full.duration = std::chrono::microseconds(2500);
  full.time_ms = 1796240108123;
  journal.record(full);
  JournalRecord bare;
  bare.method = "GET";
  bare.path = "/x";
  bare.status = 413;
  journal.record(bare);
  const auto entries = journal.newest().entries;
  REQUIRE(entries.size() == 2);
  const auto &b = entries[0];
  CHECK(b.method == "GET");
  CHECK(b.path == "/x");
  CHECK_FALSE(b.answer);
  CHECK_FALSE(b.key_hint);
  CHECK_FALSE(b.client_id);
  CHECK_FALSE(b.prefer);
  CHECK_FALSE(b.reason);
  CHECK_FALSE(b.fault);
  const auto &f = entries[1];
  CHECK(f.answer == std::optional<std::string>("success"));
  CHECK(f.key_hint == std::optional<std::string>("demo..."));
  CHECK(f.client_id == std::optional<std::string>("my-app"));
  CHECK(f.prefer == std::optional<std::string>("code=429"));
  CHECK(f.reason == Reason::prefer);
  CHECK(f.fault == Fault::slow_body);
  CHECK(f.duration.count() == 2500);
  CHECK(utc_timestamp(f.time_ms) == "2026-12-02T19:35:08.123Z");
}

TEST_CASE("long fields are clipped, never past their bound", "[journal]") {
  Journal journal(1);
  const std::string long_path = "/" + std::string(5000, 'p');
  const std::string long_client(5000, 'c');
  JournalRecord r = record(200, long_path);
  r.client_id = long_client;
  journal.record(r);
  const auto entry = journal.newest().entries.at(0);
  CHECK(entry.path.size() == JournalClip::path);
  CHECK(entry.path.substr(entry.path.size() - 3) == "...");
  CHECK(entry.client_id->size() == JournalClip::client_id);
}

TEST_CASE("count filters by every field, key_hint with or without its dots", "[journal]") {
  Journal journal(10);
  JournalRecord a = record(200);
  a.client_id = "my-app";
  journal.record(a);
  JournalRecord b = record(401, "/api/authenticate");
  b.answer = "unknown_key";
  b.key_hint = "nope...";
  journal.record(b);
  JournalRecord c;
  c.method = "GET";
  c.path = "/other";
  c.status = 404;
  journal.record(c);
  CHECK(journal.count({}) == 3);
  CHECK(journal.count({"POST", {}, {}, {}, {}, {}}) == 2);
  CHECK(journal.count({{}, 401, {}, {}, {}, {}}) == 1);
  CHECK(journal.count({{}, {}, "success", {}, {}, {}}) == 1);
  CHECK(journal.count({{}, {}, {}, "my-app", {}, {}}) == 1);
  CHECK(journal.count({{}, {}, {}, {}, "demo...", {}}) == 1);
  CHECK(journal.count({{}, {}, {}, {}, "demo", {}}) == 1);
  CHECK(journal.count({{}, {}, {}, {}, "dem", {}}) == 0);
  CHECK(journal.count({{}, {}, {}, {}, {}, "/other"}) == 1);
  CHECK(journal.count({"POST", 200, "success", "my-app", "demo", "/api/authenticate"}) == 1);
  CHECK(journal.count({"POST", 401, "success", {}, {}, {}}) == 0);
}

TEST_CASE("a full 10000-entry journal of the largest entries stays under 8 MiB",
          "[journal][memory]") {
  constexpr std::size_t mib = 1024 * 1024;
  // The bound by construction: every field at its clip.
  CHECK(Journal::max_entry_bytes() * Journal::default_capacity <= 8 * mib);
  Journal journal;
  const std::string huge(10000, 'x');
  const std::string path = "/" + huge; // the record only views it
  JournalRecord r = record(200, path);
  r.method = huge;
  r.answer = huge;
  r.client_id = huge;
  r.prefer = huge;
  for (std::size_t i = 0; i < 2 * Journal::default_capacity; ++i) {
    journal.record(r);
  }
  CHECK(journal.size() == Journal::default_capacity);
  const std::size_t held = journal.bytes_held();
  INFO("bytes held: " << held);
  CHECK(held <= 8 * mib);
  CHECK(held <= Journal::max_entry_bytes() * Journal::default_capacity);
}

TEST_CASE("recording from many threads loses nothing", "[journal]") {
  Journal journal(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&journal] {
      for (int i = 0; i < 5000; ++i) {
        journal.record(record(200));
      }
    });
  }
  for (auto &thread : threads) {
    thread.join();
  }
  const auto page = journal.newest();
  CHECK(page.total == 20000);
  CHECK(page.dropped == 19000);
  REQUIRE(page.entries.size() == 1000);
  CHECK(page.entries.front().id == 20000);
  for (std::size_t i = 1; i < page.entries.size(); ++i) {
    CHECK(page.entries[i].id + 1 == page.entries[i - 1].id);
  }
}
