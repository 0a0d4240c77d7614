#include "inspekt/core/version.hpp"

namespace inspekt {

std::string_view version() {
  return INSPEKT_VERSION;
}

} // namespace inspekt
