#pragma once
// "did you mean ...?" for the programs' command lines: the known name nearest to what
// was typed, when it is near enough to be a slip of the fingers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inspekt {

// The name at the smallest edit distance (insert, delete, replace, swap of neighbours)
// from `typed`, if that distance is at most a third of the name's length (at least 1,
// at most 3). None when nothing is that close.
std::optional<std::string> closest_name(std::string_view typed,
                                        const std::vector<std::string> &names);

} // namespace inspekt
