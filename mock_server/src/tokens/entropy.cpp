#include "inspekt/mock/tokens/entropy.hpp"

namespace inspekt::mock {

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
