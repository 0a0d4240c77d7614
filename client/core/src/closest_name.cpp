#include "inspekt/core/closest_name.hpp"

#include <algorithm>

namespace inspekt {
namespace {

// Damerau-Levenshtein (optimal string alignment): "lgoin" is one swap from "login".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

} // namespace

std::optional<std::string> closest_name(std::string_view typed,
                                        const std::vector<std::string> &names) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto &name : names) {
    const std::size_t limit = std::clamp<std::size_t>(name.size() / 3, 1, 3);
    const std::size_t distance = edit_distance(typed, name);
    if (distance <= limit && (!best || distance < best_distance)) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

} // namespace inspekt
