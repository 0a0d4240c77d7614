#include "inspekt/mock/control/journal.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <utility>

namespace inspekt::mock {
namespace {

enum Present : std::uint8_t {
  has_answer = 1,
  has_client = 2,
  has_prefer = 4,
  has_key_tag = 8,
  has_parts = 16
};

// A part's text field in the journal: its length in a byte (absent_text when the part
// has none), then its bytes.
constexpr unsigned char absent_text = 0xFF;
static_assert(JournalClip::part_text < absent_text);
static_assert(JournalClip::parts <= 255, "Slot::parts_length is a byte");

// `value` cut to at most `limit` bytes, ending in "..." when cut, never inside a UTF-8
// sequence.
void append_clipped(std::string &text, std::string_view value, std::size_t limit,
                    std::size_t &length) {
  if (value.size() <= limit) {
    text.append(value);
    length = value.size();
    return;
  }
  std::size_t keep = limit - 3;
  while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  text.append(value.substr(0, keep));
  text.append("...");
  length = keep + 3;
}

// The bytes `part` takes in the journal (each text clipped to part_text).
std::size_t packed_part_size(const UploadPart &part) {
  const auto text = [](const std::optional<std::string> &value) {
    return 1 + (value ? std::min(value->size(), JournalClip::part_text) : 0);
  };
  return 1 + std::min(part.name.size(), JournalClip::part_text) + text(part.filename) +
         text(part.media_type) + 8;
}

void pack_text(std::string &out, const std::optional<std::string> &value) {
  if (!value) {
    out += static_cast<char>(absent_text);
    return;
  }
  const std::size_t at = out.size();
  out += '\0';
  std::size_t length = 0;
  append_clipped(out, *value, JournalClip::part_text, length);
  out[at] = static_cast<char>(length);
}

void pack_part(std::string &out, const UploadPart &part) {
  pack_text(out, part.name);
  pack_text(out, part.filename);
  pack_text(out, part.media_type);
  for (int i = 0; i < 8; ++i) {
    out += static_cast<char>((part.size >> (8 * i)) & 0xFF);
  }
}

std::vector<UploadPart> unpack_parts(std::string_view bytes) {
  std::vector<UploadPart> parts;
  const auto text = [&bytes]() -> std::optional<std::string> {
    const auto length = static_cast<unsigned char>(bytes.front());
    bytes.remove_prefix(1);
    if (length == absent_text) {
      return std::nullopt;
    }
    std::string value(bytes.substr(0, length));
    bytes.remove_prefix(length);
    return value;
  };
  while (!bytes.empty()) {
    UploadPart part;
    part.name = text().value_or("");
    part.filename = text();
    part.media_type = text();
    for (int i = 0; i < 8; ++i) {
      part.size |=
          static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]))
          << (8 * i);
    }
    bytes.remove_prefix(8);
    parts.push_back(std::move(part));
  }
  return parts;
}

// The malloc overhead of one heap block and the rounding to its 16-byte size classes.
constexpr std::size_t heap_block(std::size_t bytes) {
  return (bytes + 8 + 15) / 16 * 16;
}

} // namespace

Journal::Journal(std::size_t capacity) : capacity_(capacity) {}

Journal::Slot Journal::pack(const JournalRecord &record) {
  Slot slot;
  const std::size_t size =
      std::min(record.method.size(), JournalClip::method) +
      std::min(record.path.size(), JournalClip::path) +
      (record.answer ? std::min(record.answer->size(), JournalClip::answer) : 0) +
      std::min(record.key_hint.size(), JournalClip::key_hint) +
      (record.client_id ? std::min(record.client_id->size(), JournalClip::client_id) : 0) +
      (record.prefer ? std::min(record.prefer->size(), JournalClip::prefer) : 0);
  std::size_t parts_size = 0;
  std::size_t parts_kept = 0;
  if (record.parts != nullptr) {
    for (const auto &part : *record.parts) {
      const std::size_t more = packed_part_size(part);
      if (parts_size + more > JournalClip::parts) {
        break;
      }
      parts_size += more;
      ++parts_kept;
    }
  }
  slot.text.reserve(size +
                    parts_size); // the one allocation an entry needs (none when it fits inline)
  std::size_t length = 0;
  append_clipped(slot.text, record.method, JournalClip::method, length);
  slot.method_length = static_cast<std::uint8_t>(length);
  append_clipped(slot.text, record.path, JournalClip::path, length);
  slot.path_length = static_cast<std::uint16_t>(length);
  if (record.answer) {
    append_clipped(slot.text, *record.answer, JournalClip::answer, length);
    slot.answer_length = static_cast<std::uint8_t>(length);
    slot.present |= has_answer;
  }
  append_clipped(slot.text, record.key_hint, JournalClip::key_hint, length);
  slot.hint_length = static_cast<std::uint8_t>(length);
  if (record.client_id) {
    append_clipped(slot.text, *record.client_id, JournalClip::client_id, length);
    slot.client_length = static_cast<std::uint8_t>(length);
    slot.present |= has_client;
  }
  if (record.prefer) {
    append_clipped(slot.text, *record.prefer, JournalClip::prefer, length);
    slot.prefer_length = static_cast<std::uint8_t>(length);
    slot.present |= has_prefer;
  }
  if (record.parts != nullptr) {
    for (std::size_t i = 0; i < parts_kept; ++i) {
      pack_part(slot.text, (*record.parts)[i]);
    }
    slot.parts_length = static_cast<std::uint8_t>(parts_size);
    slot.parts_omitted = static_cast<std::uint16_t>(
        std::min<std::size_t>(record.parts->size() - parts_kept, UINT16_MAX));
    slot.present |= has_parts;
  }
  slot.time_ms = record.time_ms;
  slot.duration_us =
      static_cast<std::uint32_t>(std::clamp<std::int64_t>(record.duration.count(), 0, UINT32_MAX));
  slot.delay_ms =
      static_cast<std::uint32_t>(std::clamp<std::int64_t>(record.delay.count(), 0, UINT32_MAX));
  slot.status = // 0: none went out
      record.status ? static_cast<std::uint16_t>(std::clamp(*record.status, 1, 65535)) : 0;
  slot.reason = record.reason ? static_cast<std::uint8_t>(*record.reason) + 1 : 0;
  if (record.key_tag) {
    slot.key_tag = *record.key_tag;
    slot.present |= has_key_tag;
  }
  slot.fault = record.fault ? static_cast<std::uint8_t>(*record.fault) + 1 : 0;
  return slot;
}

void Journal::record(const JournalRecord &record) {
  if (capacity_ == 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++next_id_;
    ++total_;
    return;
  }
  Slot slot = pack(record); // outside the lock
  {
    std::lock_guard<std::mutex> lock(mutex_);
    slot.id = next_id_++;
    ++total_;
    if (ring_.size() < capacity_) {
      if (ring_.empty()) {
        // The ring at its size at once, on the first request: an idle mock costs
        // nothing, and a full one no more than capacity entries (no doubling slack).
        ring_.reserve(capacity_);
      }
      ring_.push_back(std::move(slot));
      return;
    }
    std::swap(ring_[next_], slot);
    next_ = (next_ + 1) % capacity_;
  }
  // `slot` now holds the dropped entry: its text is freed here, outside the lock.
}

JournalEntry Journal::unpack(const Slot &slot) {
  JournalEntry entry;
  entry.id = slot.id;
  entry.time_ms = slot.time_ms;
  if (slot.status != 0) {
    entry.status = slot.status;
  }
  entry.duration = std::chrono::microseconds(slot.duration_us);
  entry.delay = std::chrono::milliseconds(slot.delay_ms);
  std::string_view text = slot.text;
  const auto take = [&text](std::size_t length) {
    const std::string value(text.substr(0, length));
    text.remove_prefix(length);
    return value;
  };
  entry.method = take(slot.method_length);
  entry.path = take(slot.path_length);
  if ((slot.present & has_answer) != 0) {
    entry.answer = take(slot.answer_length);
  }
  if (slot.hint_length != 0) {
    entry.key_hint = take(slot.hint_length);
  }
  if ((slot.present & has_client) != 0) {
    entry.client_id = take(slot.client_length);
  }
  if ((slot.present & has_prefer) != 0) {
    entry.prefer = take(slot.prefer_length);
  }
  if ((slot.present & has_parts) != 0) {
    entry.parts = unpack_parts(text.substr(0, slot.parts_length));
    entry.parts_omitted = slot.parts_omitted;
  }
  if (slot.reason != 0) {
    entry.reason = static_cast<Reason>(slot.reason - 1);
  }
  if (slot.fault != 0) {
    entry.fault = static_cast<Fault>(slot.fault - 1);
  }
  return entry;
}

Journal::Page Journal::newest(std::optional<std::size_t> limit) const {
  Page page;
  std::lock_guard<std::mutex> lock(mutex_);
  page.total = total_;
  page.dropped = total_ - ring_.size();
  const std::size_t wanted = std::min(limit.value_or(ring_.size()), ring_.size());
  page.entries.reserve(wanted);
  // The newest entry sits just before next_ once the ring is full, else at the back.
  const std::size_t newest = ring_.size() < capacity_ ? ring_.size() : next_;
  for (std::size_t i = 1; i <= wanted; ++i) {
    page.entries.push_back(unpack(ring_[(newest + ring_.size() - i) % ring_.size()]));
  }
  return page;
}

Journal::Page Journal::since(std::uint64_t after_id, std::optional<std::size_t> limit) const {
  Page page;
  std::lock_guard<std::mutex> lock(mutex_);
  page.total = total_;
  page.dropped = total_ - ring_.size();
  if (ring_.empty()) {
    return page;
  }
  // The oldest entry sits at next_ once the ring is full, else at the front; ids go up
  // by one from it, so the first one newer than after_id is found without a search.
  const std::size_t oldest = ring_.size() < capacity_ ? 0 : next_;
  const std::uint64_t oldest_id = ring_[oldest].id;
  const std::size_t skip = after_id < oldest_id ? 0
                                                : static_cast<std::size_t>(std::min<std::uint64_t>(
                                                      after_id - oldest_id + 1, ring_.size()));
  const std::size_t wanted = std::min(limit.value_or(ring_.size()), ring_.size() - skip);
  page.entries.reserve(wanted);
  for (std::size_t i = 0; i < wanted; ++i) {
    page.entries.push_back(unpack(ring_[(oldest + skip + i) % ring_.size()]));
  }
  return page;
}

bool Journal::matches(const Slot &slot, const JournalFilter &filter) {
  const std::string_view text = slot.text;
  const std::size_t answer_at = slot.method_length + slot.path_length;
  const std::size_t hint_at = answer_at + slot.answer_length;
  const std::size_t client_at = hint_at + slot.hint_length;
  if (filter.method && text.substr(0, slot.method_length) != *filter.method) {
    return false;
  }
  if (filter.path && text.substr(slot.method_length, slot.path_length) != *filter.path) {
    return false;
  }
  if (filter.status && (slot.status == 0 || slot.status != *filter.status)) {
    return false;
  }
  if (filter.answer && ((slot.present & has_answer) == 0 ||
                        text.substr(answer_at, slot.answer_length) != *filter.answer)) {
    return false;
  }
  if (filter.key_hint) {
    const std::string_view hint = text.substr(hint_at, slot.hint_length);
    std::string_view bare = hint;
    if (bare.size() >= 3 && bare.substr(bare.size() - 3) == "...") {
      bare.remove_suffix(3);
    }
    if (hint.empty() || (hint != *filter.key_hint && bare != *filter.key_hint)) {
      return false;
    }
  }
  if (filter.client_id && ((slot.present & has_client) == 0 ||
                           text.substr(client_at, slot.client_length) != *filter.client_id)) {
    return false;
  }
  if (filter.key_tag && ((slot.present & has_key_tag) == 0 || slot.key_tag != *filter.key_tag)) {
    return false;
  }
  if (filter.reason && slot.reason != static_cast<std::uint8_t>(*filter.reason) + 1) {
    return false;
  }
  return true;
}

std::size_t Journal::count(const JournalFilter &filter) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      ring_.begin(), ring_.end(), [&filter](const Slot &slot) { return matches(slot, filter); }));
}

std::size_t Journal::clear() {
  std::vector<Slot> held;
  std::lock_guard<std::mutex> lock(mutex_);
  held.swap(ring_);
  next_ = 0;
  total_ = 0;
  return held.size();
}

std::size_t Journal::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ring_.size();
}

std::size_t Journal::max_entry_bytes() {
  const std::size_t text = JournalClip::method + JournalClip::path + JournalClip::answer +
                           JournalClip::key_hint + JournalClip::client_id + JournalClip::prefer +
                           JournalClip::parts;
  return sizeof(Slot) + heap_block(text + 1);
}

std::size_t Journal::bytes_held() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t bytes = ring_.capacity() * sizeof(Slot);
  for (const auto &slot : ring_) {
    if (slot.text.capacity() > 15) { // longer than fits in the string itself: on the heap
      bytes += heap_block(slot.text.capacity() + 1);
    }
  }
  return bytes;
}

std::string utc_timestamp(std::int64_t epoch_milliseconds) {
  const std::time_t seconds = static_cast<std::time_t>(
      epoch_milliseconds >= 0 ? epoch_milliseconds / 1000 : (epoch_milliseconds - 999) / 1000);
  const int millis = static_cast<int>(epoch_milliseconds - std::int64_t{seconds} * 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const std::size_t size = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(text + size, sizeof text - size, ".%03dZ", millis);
  return text;
}

} // namespace inspekt::mock
