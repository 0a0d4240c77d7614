#include "inspekt/client/version.hpp"

namespace inspekt {

std::string_view version() {
  return INSPEKT_VERSION;
}

} // namespace inspekt
