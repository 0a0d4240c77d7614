#include "inspekt/mock/tokens/entropy.hpp"

#include <cstring>
#include <utility>

namespace inspekt::mock {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

} // namespace

std::optional<std::uint64_t> seed_for_instance(std::optional<std::uint64_t> seed,
                                               std::string_view instance) {
  if (!seed || instance.empty()) {
    return seed;
  }
  // FNV-1a of the name (stable across runs and machines, unlike std::hash), then a
  // splitmix64 finaliser so that names differing in one character give unrelated seeds.
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : instance) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  std::uint64_t mixed = *seed ^ hash;
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return mixed ^ (mixed >> 31);
}

Entropy::Entropy(std::optional<std::uint64_t> seed) : seed_(seed) {
  if (seed) {
    engine_.seed(*seed);
  } else {
    std::random_device device;
    std::seed_seq sequence{device(), device(), device(), device()};
    engine_.seed(sequence);
  }
}

void Entropy::restart() {
  if (seed_) {
    std::lock_guard<std::mutex> lock(mutex_);
    engine_.seed(*seed_);
  }
}

std::uint64_t Entropy::next() {
  std::lock_guard<std::mutex> lock(mutex_);
  return engine_();
}

// One draw per character, in order, whatever the caller: seeded ids are users' snapshots.
void Entropy::append_digits(std::string &out, int count) {
  const auto start = out.size();
  out.resize(start + static_cast<std::size_t>(count));
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto i = start; i < out.size(); ++i) {
    out[i] = static_cast<char>('0' + engine_() % 10);
  }
}

void Entropy::append_hex(std::string &out, int count) {
  const auto start = out.size();
  out.resize(start + static_cast<std::size_t>(count));
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto i = start; i < out.size(); ++i) {
    out[i] = hex_digits[engine_() & 0xf];
  }
}

std::string Entropy::digits(int count) {
  std::string out;
  append_digits(out, count);
  return out;
}

std::string Entropy::hex(int count) {
  std::string out;
  append_hex(out, count);
  return out;
}

// 32 hex digits, then one draw for the variant, as hex(32) and next() drew them: the
// version overwrites the 13th digit, the variant the 17th.
void Entropy::write_uuid(char (&out)[uuid_size]) {
  char digits[32];
  std::uint64_t variant = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto &c : digits) {
      c = hex_digits[engine_() & 0xf];
    }
    variant = engine_();
  }
  digits[12] = '4';                 // version 4
  digits[16] = "89ab"[variant & 3]; // variant 10xx
  char *o = out;
  for (const auto &[from, length] : {std::pair{0, 8}, {8, 4}, {12, 4}, {16, 4}, {20, 12}}) {
    if (from != 0) {
      *o++ = '-';
    }
    std::memcpy(o, digits + from, static_cast<std::size_t>(length));
    o += length;
  }
}

std::string Entropy::uuid() {
  char id[uuid_size];
  write_uuid(id);
  return std::string(id, uuid_size);
}

} // namespace inspekt::mock
