#include "inspekt/mock/tokens/entropy.hpp"

namespace inspekt::mock {

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

Entropy::Entropy(std::optional<std::uint64_t> seed) {
  if (seed) {
    engine_.seed(*seed);
  } else {
    std::random_device device;
    std::seed_seq sequence{device(), device(), device(), device()};
    engine_.seed(sequence);
  }
}

std::uint64_t Entropy::next() {
  std::lock_guard<std::mutex> lock(mutex_);
  return engine_();
}

std::string Entropy::digits(int count) {
  std::string out(static_cast<std::size_t>(count), '0');
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto &c : out) {
    c = static_cast<char>('0' + engine_() % 10);
  }
  return out;
}

std::string Entropy::hex(int count) {
  static constexpr char alphabet[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(count), '0');
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto &c : out) {
    c = alphabet[engine_() & 0xf];
  }
  return out;
}

std::string Entropy::uuid() {
  std::string id = hex(32);
  id[12] = '4';                // version 4
  id[16] = "89ab"[next() & 3]; // variant 10xx
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) +
         "-" + id.substr(20);
}

} // namespace inspekt::mock
