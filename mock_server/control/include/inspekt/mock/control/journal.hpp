#pragma once
// The request journal (docs/admin-api.md): what the mock answered, newest first,
// for CI to assert on through GET /__admin/requests. A bounded ring of compact entries:
// at most `capacity` are held (the oldest dropped and counted), each field clipped, so a
// full 10,000-entry journal stays under 8 MiB however hostile the requests. Entries are
// redacted as the access log is: a key's hint (at most 4 characters), never a key or a
// token. Thread-safe: the engine records from every event loop, one short lock each.

#include "inspekt/mock/engine/fault.hpp"
#include "inspekt/mock/handler/reason.hpp"
#include "inspekt/mock/handler/upload_body.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt::mock {

// An answered request as delivered. Views: recorded copies what it needs.
struct JournalRecord {
  std::string_view method;
  std::string_view path;
  std::optional<int> status;              // none: a fault sent no status line
  std::optional<std::string_view> answer; // absent: the handler never ran (413, unparsable)
  std::string_view key_hint;              // empty: no key sent
  std::optional<std::uint64_t> key_tag{}; // the key's key_tag(), when a key was sent
  std::optional<std::string_view> client_id;
  std::optional<std::string_view> prefer;
  std::optional<Reason> reason;
  std::optional<Fault> fault;
  std::chrono::microseconds duration{0}; // from the request to the answer's last byte
  std::chrono::milliseconds delay{0};    // of that, held back on purpose (delay_ms, Prefer)
  std::int64_t time_ms = 0;              // system UTC time delivered, Unix milliseconds
  const std::vector<UploadPart> *parts = nullptr; // a guarded multipart body's
};

// One held entry, copied out for the admin API.
struct JournalEntry {
  std::uint64_t id = 0;
  std::int64_t time_ms = 0;
  std::string method;
  std::string path;
  std::optional<int> status; // none: a fault sent no status line
  std::optional<std::string> answer;
  std::optional<std::string> key_hint;
  std::optional<std::string> client_id;
  std::optional<std::string> prefer;
  std::optional<Reason> reason;
  std::optional<Fault> fault;
  std::chrono::microseconds duration{0};
  std::chrono::milliseconds delay{0};
  // A guarded multipart body's parts, in order, each text clipped; as many as fit in
  // JournalClip::parts bytes, the others counted in parts_omitted.
  std::optional<std::vector<UploadPart>> parts;
  std::size_t parts_omitted = 0;
};

// POST /__admin/requests/count: every field given must match.
struct JournalFilter {
  std::optional<std::string> method;
  std::optional<int> status;
  std::optional<std::string> answer;
  std::optional<std::string> client_id;
  std::optional<std::string> key_hint; // "demo..." or "demo"
  std::optional<std::string> path;
  std::optional<std::uint64_t> key_tag{}; // a whole key's, matched without keeping it
  std::optional<Reason> reason{};
};

// The longest text kept per field; longer values end in "..." within the bound.
struct JournalClip {
  static constexpr std::size_t method = 16;
  static constexpr std::size_t path = 200;
  static constexpr std::size_t answer = 64;
  static constexpr std::size_t key_hint = 8;
  static constexpr std::size_t client_id = 100;
  static constexpr std::size_t prefer = 100;
  // A multipart body's parts, together: a part's name, filename and media type each at
  // most part_text, its size 8 bytes.
  static constexpr std::size_t parts = 224;
  static constexpr std::size_t part_text = 48;
};

class Journal {
public:
  static constexpr std::size_t default_capacity = 10000;

  // 0: nothing is held, but `total` still counts (and dropped == total).
  explicit Journal(std::size_t capacity = default_capacity);

  std::size_t capacity() const { return capacity_; }
  bool holds_entries() const { return capacity_ > 0; }

  void record(const JournalRecord &record);

  struct Page {
    std::vector<JournalEntry> entries; // newest first
    std::uint64_t total = 0;           // recorded since start or the last clear/reset
    std::uint64_t dropped = 0;         // of those, no longer held
  };
  Page newest(std::optional<std::size_t> limit = std::nullopt) const;
  // The held entries whose id is greater than `after_id`, oldest first (at most `limit`
  // of them: the oldest ones): what a page that polls has not seen yet.
  Page since(std::uint64_t after_id, std::optional<std::size_t> limit = std::nullopt) const;
  std::size_t count(const JournalFilter &filter) const;
  // Drops every held entry; returns how many there were. Ids go on from where they were.
  std::size_t clear();
  std::size_t size() const;

  // The worst case of one held entry, heap included (every field at its clip): what
  // bounds the journal's memory at capacity() times this, plus the ring itself.
  static std::size_t max_entry_bytes();
  // The bytes the held entries take now (the ring plus each entry's text), for tests.
  std::size_t bytes_held() const;

private:
  // Compact: the text fields share one string, back to back (method, path, answer,
  // key_hint, client_id, prefer), each with its length; the enums are bytes.
  struct Slot {
    std::string text;
    std::uint64_t id = 0;
    std::int64_t time_ms = 0;
    std::uint32_t duration_us = 0;
    std::uint32_t delay_ms = 0;
    std::uint16_t status = 0;
    std::uint16_t path_length = 0;
    std::uint8_t method_length = 0;
    std::uint8_t answer_length = 0;
    std::uint8_t hint_length = 0;
    std::uint8_t client_length = 0;
    std::uint8_t prefer_length = 0;
    std::uint8_t reason = 0;         // 0: none, else Reason + 1
    std::uint8_t fault = 0;          // 0: none, else Fault + 1
    std::uint8_t present = 0;        // bits: answer, client_id, prefer, key_tag, parts
    std::uint8_t parts_length = 0;   // the parts' bytes at the end of text
    std::uint16_t parts_omitted = 0; // parts that did not fit
    std::uint64_t key_tag = 0;
  };
  static Slot pack(const JournalRecord &record);
  static JournalEntry unpack(const Slot &slot);
  static bool matches(const Slot &slot, const JournalFilter &filter);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<Slot> ring_; // grows to capacity_, then wraps
  std::size_t next_ = 0;   // where the next entry goes once full
  std::uint64_t next_id_ = 1;
  std::uint64_t total_ = 0;
};

// "2026-12-02T19:35:08.123Z"
std::string utc_timestamp(std::int64_t epoch_milliseconds);

} // namespace inspekt::mock
