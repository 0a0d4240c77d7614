#pragma once
// Small text operations the project needs in more than one place.

#include <string>
#include <string_view>

namespace inspekt {

// Replaces every occurrence of `what` (not empty) in `text` with `with`, left to right;
// replacements are not searched again.
void replace_all(std::string &text, std::string_view what, std::string_view with);

} // namespace inspekt
